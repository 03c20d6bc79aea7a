/*
 * rpc: JSON-RPC 2.0 messages as the Model Context Protocol's stdio transport carries
 * them, one a line: a received line checked and taken apart, and the answers built.
 * Pure: no I/O, no globals, no clock. The JSON is jansson's.
 */
#ifndef SK_RPC_H
#define SK_RPC_H

#include <jansson.h>
#include <stddef.h>

/* The JSON-RPC error codes MCP uses. */
#define SK_RPC_PARSE_ERROR (-32700)
#define SK_RPC_INVALID_REQUEST (-32600)
#define SK_RPC_METHOD_NOT_FOUND (-32601)
#define SK_RPC_INVALID_PARAMS (-32602)
#define SK_RPC_INTERNAL_ERROR (-32603)

/* What a received line holds. */
enum sk_rpc_kind {
    SK_RPC_REQUEST,      /* method and id: wants an answer */
    SK_RPC_NOTIFICATION, /* method, no id: no answer, ever */
    SK_RPC_RESPONSE,     /* result or error and an id: an answer to us (we send no requests) */
};

struct sk_rpc_msg {
    enum sk_rpc_kind kind;
    json_t *root;       /* the whole message (owned; sk_rpc_msg_free) */
    const char *method; /* borrowed from root; NULL for a response */
    json_t *id;         /* borrowed: a string or an integer; NULL for a notification */
    json_t *params;     /* borrowed: an object, or NULL when absent */
};

/*
 * Check one line (without its newline) and take it apart into *m. Returns 0, or
 * SK_RPC_PARSE_ERROR (not JSON, not UTF-8, duplicate keys) or SK_RPC_INVALID_REQUEST
 * (not an object: a batch or a scalar; "jsonrpc" not "2.0"; a bad id, method or params)
 * with why in err; then m->id is the message's id when one could be read (for the error's
 * answer, owned by m: free m even then) or NULL.
 */
int sk_rpc_parse(const char *line, size_t len, struct sk_rpc_msg *m, char *err, size_t errlen);
void sk_rpc_msg_free(struct sk_rpc_msg *m);

/*
 * The answers, as one line each (no newline; the caller frees): a result (stolen) for
 * id, or an error with code and message (id NULL: null, when the request's id is unknown).
 */
char *sk_rpc_result(json_t *id, json_t *result);
char *sk_rpc_error(json_t *id, int code, const char *message);

/* Do two ids name the same request (same type and value)? */
int sk_rpc_same_id(const json_t *a, const json_t *b);

#endif
