/*
 * rpc: JSON-RPC 2.0 for MCP's stdio transport: each line received is parsed
 * by jansson (strictly: UTF-8, no duplicate keys) and checked against what
 * JSON-RPC 2.0 and MCP allow (an object, "jsonrpc":"2.0", an id that is a
 * string or an integer, never null, a method that is a string, params an
 * object), then sorted into a request, a notification or a response. The
 * answers are built here too, compact, so that each is one line. Batches
 * (arrays) are invalid requests: MCP removed them in its 2025-06-18 revision.
 */
#include "mcp/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int fail(int code, char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return code;
}

int sk_rpc_parse(const char *line, size_t len, struct sk_rpc_msg *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    json_error_t je;
    m->root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (m->root == NULL) {
        snprintf(err, errlen, "parse error: %s (column %d)", je.text, je.column);
        return SK_RPC_PARSE_ERROR;
    }
    if (!json_is_object(m->root)) {
        return fail(SK_RPC_INVALID_REQUEST, err, errlen,
                    json_is_array(m->root) ? "invalid request: batches are not supported"
                                           : "invalid request: a message is a JSON object");
    }
    json_t *id = json_object_get(m->root, "id");
    if (id != NULL && (json_is_string(id) || json_is_integer(id))) {
        m->id = id;
    }
    const char *v = json_string_value(json_object_get(m->root, "jsonrpc"));
    if (v == NULL || strcmp(v, "2.0") != 0) {
        return fail(SK_RPC_INVALID_REQUEST, err, errlen,
                    "invalid request: \"jsonrpc\" must be \"2.0\"");
    }
    if (id != NULL && m->id == NULL) {
        return fail(SK_RPC_INVALID_REQUEST, err, errlen,
                    "invalid request: an id is a string or an integer");
    }
    json_t *method = json_object_get(m->root, "method");
    if (method == NULL) {
        if (m->id != NULL &&
            (json_object_get(m->root, "result") || json_object_get(m->root, "error"))) {
            m->kind = SK_RPC_RESPONSE;
            return 0;
        }
        return fail(SK_RPC_INVALID_REQUEST, err, errlen, "invalid request: no method");
    }
    if (!json_is_string(method) || json_string_length(method) == 0) {
        return fail(SK_RPC_INVALID_REQUEST, err, errlen, "invalid request: the method is a string");
    }
    m->method = json_string_value(method);
    json_t *params = json_object_get(m->root, "params");
    if (params != NULL && !json_is_object(params)) {
        return fail(SK_RPC_INVALID_REQUEST, err, errlen, "invalid request: params is an object");
    }
    m->params = params;
    m->kind = m->id ? SK_RPC_REQUEST : SK_RPC_NOTIFICATION;
    return 0;
}

void sk_rpc_msg_free(struct sk_rpc_msg *m)
{
    json_decref(m->root);
    memset(m, 0, sizeof(*m));
}

static char *dump(json_t *msg)
{
    /* Compact: strings escape their newlines, so the message is one line. */
    char *s = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (s == NULL) {
        abort(); /* only out of memory makes jansson fail on a tree it built */
    }
    return s;
}

char *sk_rpc_result(json_t *id, json_t *result)
{
    return dump(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

char *sk_rpc_error(json_t *id, int code, const char *message)
{
    return dump(json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                          "error", "code", code, "message", message));
}

int sk_rpc_same_id(const json_t *a, const json_t *b)
{
    return a != NULL && b != NULL && json_equal((json_t *)a, (json_t *)b);
}
