/*
 * fuzz_mcp_rpc: lines through sk_rpc_parse, the check every line an MCP
 * client sends goes through, and their params through sk_schema_check. A
 * line is refused with -32700 or -32600 and a reason, or sorted into a
 * request (a method and an id), a notification (a method, no id) or a
 * response (an id, no method); every answer built for it is one line that
 * parses back with the same id; a schema check passes or names its misfit.
 */
#include <jansson.h>

#include "fuzz.h"
#include "mcp/rpc.h"
#include "mcp/schema.h"

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1,"
    "\"maxLength\":8},\"arguments\":{\"type\":\"object\",\"properties\":{\"keys\":{\"type\":"
    "\"array\",\"minItems\":1,\"maxItems\":4,\"items\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}"
    "},"
    "\"n\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":5}},\"required\":[\"keys\"],"
    "\"additionalProperties\":false}},\"required\":[\"name\"]}";

/* An answer is one line that parses back as an object with the same id. */
static void check_answer(char *answer, json_t *id)
{
    SK_FUZZ_CHECK(answer != NULL && strchr(answer, '\n') == NULL);
    json_t *back = json_loads(answer, 0, NULL);
    SK_FUZZ_CHECK(json_is_object(back));
    json_t *bid = json_object_get(back, "id");
    SK_FUZZ_CHECK(id ? json_equal(bid, id) : json_is_null(bid));
    json_decref(back);
    free(answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *schema;
    if (schema == NULL) {
        schema = json_loads(schema_text, 0, NULL);
        SK_FUZZ_CHECK(schema != NULL);
    }
    struct sk_rpc_msg m;
    char err[256] = "";
    int code = sk_rpc_parse((const char *)data, size, &m, err, sizeof(err));
    if (code != 0) {
        SK_FUZZ_CHECK(code == SK_RPC_PARSE_ERROR || code == SK_RPC_INVALID_REQUEST);
        SK_FUZZ_CHECK(err[0] != '\0');
        check_answer(sk_rpc_error(m.id, code, err), m.id);
        sk_rpc_msg_free(&m);
        return 0;
    }
    SK_FUZZ_CHECK(json_is_object(m.root));
    switch (m.kind) {
    case SK_RPC_REQUEST:
        SK_FUZZ_CHECK(m.method != NULL && m.id != NULL);
        check_answer(sk_rpc_result(m.id, json_object()), m.id);
        break;
    case SK_RPC_NOTIFICATION:
        SK_FUZZ_CHECK(m.method != NULL && m.id == NULL);
        break;
    case SK_RPC_RESPONSE:
        SK_FUZZ_CHECK(m.method == NULL && m.id != NULL);
        break;
    }
    SK_FUZZ_CHECK(m.params == NULL || json_is_object(m.params));
    if (m.params != NULL) {
        char why[256] = "";
        int rc = sk_schema_check(schema, m.params, why, sizeof(why));
        SK_FUZZ_CHECK(rc == 0 || (rc == -1 && why[0] != '\0'));
    }
    sk_rpc_msg_free(&m);
    return 0;
}
