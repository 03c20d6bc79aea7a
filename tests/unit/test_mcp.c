/*
 * test_mcp: the MCP server's pure parts and its session without a target:
 * JSON-RPC lines sorted and refused with the right codes (rpc), arguments
 * checked against a schema (schema), and a session fed lines through a fake
 * sk_cmd_io: initialize's version negotiation, a call before initialize,
 * tools/list as a control key and as a view-only key (every schema parses),
 * bad arguments and unknown tools refused before anything runs, a message
 * too long for a line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "check.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "mcp/mcp.h"
#include "mcp/rpc.h"
#include "mcp/schema.h"

static int parse(const char *line, struct sk_rpc_msg *m)
{
    char err[256];
    return sk_rpc_parse(line, strlen(line), m, err, sizeof(err));
}

static void test_rpc_kinds(void)
{
    struct sk_rpc_msg m;
    CHECK_EQ_INT(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", &m), 0);
    CHECK_EQ_INT(m.kind, SK_RPC_REQUEST);
    CHECK_STR(m.method, "ping");
    CHECK_EQ_INT(json_integer_value(m.id), 1);
    sk_rpc_msg_free(&m);
    CHECK_EQ_INT(parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}", &m), 0);
    CHECK(json_is_object(m.params));
    sk_rpc_msg_free(&m);
    CHECK_EQ_INT(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &m), 0);
    CHECK_EQ_INT(m.kind, SK_RPC_NOTIFICATION);
    CHECK(m.id == NULL);
    sk_rpc_msg_free(&m);
    CHECK_EQ_INT(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}", &m), 0);
    CHECK_EQ_INT(m.kind, SK_RPC_RESPONSE);
    sk_rpc_msg_free(&m);
}

static void test_rpc_refused(void)
{
    static const struct {
        const char *line;
        int code;
        int has_id;
    } cases[] = {
        {"{bad", SK_RPC_PARSE_ERROR, 0},
        {"", SK_RPC_PARSE_ERROR, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"x\"}", SK_RPC_PARSE_ERROR, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", SK_RPC_PARSE_ERROR, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\\u0000b\"}", SK_RPC_PARSE_ERROR, 0},
        {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", SK_RPC_INVALID_REQUEST, 0},
        {"42", SK_RPC_INVALID_REQUEST, 0},
        {"\"ping\"", SK_RPC_INVALID_REQUEST, 0},
        {"{\"id\":1,\"method\":\"ping\"}", SK_RPC_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", SK_RPC_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", SK_RPC_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", SK_RPC_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", SK_RPC_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":5}", SK_RPC_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":3}", SK_RPC_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"x\",\"params\":[1]}", SK_RPC_INVALID_REQUEST,
         1},
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        struct sk_rpc_msg m;
        int code = parse(cases[i].line, &m);
        if (code != cases[i].code || (m.id != NULL) != cases[i].has_id) {
            fprintf(stderr, "  [%s]: code %d id %p\n", cases[i].line, code, (void *)m.id);
            CHECK(0);
        }
        sk_rpc_msg_free(&m);
    }
}

static void test_rpc_answers(void)
{
    json_t *id = json_string("a\nb");
    char *r = sk_rpc_result(id, json_pack("{s:s}", "x", "line\nbreak"));
    CHECK_STR(r, "{\"jsonrpc\":\"2.0\",\"id\":\"a\\nb\",\"result\":{\"x\":\"line\\nbreak\"}}");
    free(r);
    r = sk_rpc_error(NULL, SK_RPC_PARSE_ERROR, "bad");
    CHECK_STR(r,
              "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"bad\"}}");
    free(r);
    json_t *same = json_string("a\nb"), *num = json_integer(1), *num2 = json_integer(1);
    CHECK(sk_rpc_same_id(id, same));
    CHECK(!sk_rpc_same_id(id, num));
    CHECK(sk_rpc_same_id(num, num2));
    CHECK(!sk_rpc_same_id(NULL, num));
    json_decref(id);
    json_decref(same);
    json_decref(num);
    json_decref(num2);
}

static int fits(const char *schema, const char *value, const char *want_err)
{
    json_t *s = json_loads(schema, 0, NULL),
           *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    char err[256] = "";
    int rc = sk_schema_check(s, v, err, sizeof(err));
    json_decref(s);
    json_decref(v);
    if (want_err ? (rc == 0 || strcmp(err, want_err) != 0) : rc != 0) {
        fprintf(stderr, "  %s against %s: rc %d err [%s], want [%s]\n", value, schema, rc, err,
                want_err ? want_err : "");
        return 0;
    }
    return 1;
}

static void test_schema(void)
{
    const char *s = "{\"type\":\"object\",\"properties\":{"
                    "\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":3},"
                    "\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
                    "\"x\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"},"
                    "\"e\":{\"type\":\"string\",\"enum\":[\"move\",\"click\"]},"
                    "\"keys\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2,"
                    "\"items\":{\"type\":\"string\",\"minLength\":1}}},"
                    "\"required\":[\"text\"],\"additionalProperties\":false}";
    CHECK(fits(s, "{\"text\":\"ab\"}", NULL));
    CHECK(fits(s,
               "{\"text\":\"éé€\",\"n\":10,\"x\":1.5,\"b\":true,\"e\":\"click\",\"keys\":[\"f2\"]}",
               NULL));
    CHECK(fits(s, "{\"text\":\"a\",\"n\":5.0}", NULL));
    CHECK(fits(s, "{}", "'text' is required"));
    CHECK(fits(s, "[]", "must be an object"));
    CHECK(fits(s, "{\"text\":1}", "'text': must be a string"));
    CHECK(fits(s, "{\"text\":\"\"}", "'text': must be at least 1 characters"));
    CHECK(fits(s, "{\"text\":\"abcd\"}", "'text': must be at most 3 characters"));
    CHECK(fits(s, "{\"text\":\"a\",\"n\":0}", "'n': must be at least 1"));
    CHECK(fits(s, "{\"text\":\"a\",\"n\":11}", "'n': must be at most 10"));
    CHECK(fits(s, "{\"text\":\"a\",\"n\":2.5}", "'n': must be an integer"));
    CHECK(fits(s, "{\"text\":\"a\",\"b\":\"yes\"}", "'b': must be a boolean"));
    CHECK(fits(s, "{\"text\":\"a\",\"e\":\"drag\"}", "'e': is not one of the allowed values"));
    CHECK(fits(s, "{\"text\":\"a\",\"keys\":[]}", "'keys': must have at least 1 items"));
    CHECK(fits(s, "{\"text\":\"a\",\"keys\":[\"a\",\"b\",\"c\"]}",
               "'keys': must have at most 2 items"));
    CHECK(fits(s, "{\"text\":\"a\",\"keys\":[\"a\",3]}", "'keys'[1]: must be a string"));
    CHECK(fits(s, "{\"text\":\"a\",\"zz\":1}", "'zz': is not an argument of this tool"));
    CHECK(fits(s, "{\"text\":\"a\\u0000\"}", "'text': must not hold a NUL character"));
}

/* ---- a session through a fake io ---- */

struct fake {
    const char *in;
    size_t len, pos;
    struct sk_buf out;
};

static int f_out(void *ctx, const void *d, size_t n)
{
    sk_buf_append(&((struct fake *)ctx)->out, d, n);
    return 0;
}

static long f_in(void *ctx, void *buf, size_t n)
{
    struct fake *f = ctx;
    n = SK_MIN(n, f->len - f->pos);
    memcpy(buf, f->in + f->pos, n);
    f->pos += n;
    return (long)n;
}

static int f_poll(void *ctx, int ms)
{
    (void)ctx;
    (void)ms;
    return 1;
}

/* Run a session on input as role; its answers, one a line, in out (the caller frees). */
static char *session(const char *input, size_t len, int role)
{
    struct sk_app app = {0};
    struct fake f = {.in = input, .len = len};
    struct sk_cmd_io io = {
        .ctx = &f, .out = f_out, .err = f_out, .in = f_in, .poll_in = f_poll, .role = role};
    CHECK_EQ_INT(sk_mcp_run(&app, &io), 0);
    sk_buf_puts(&f.out, "");
    return f.out.data;
}

#define INIT(v)                                                                                    \
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" v \
    "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"

/* The n-th (from 0) answer line of out, parsed. */
static json_t *answer(const char *out, int n)
{
    for (; n > 0 && out; n--) {
        out = strchr(out, '\n');
        out = out ? out + 1 : NULL;
    }
    if (out == NULL) {
        return NULL;
    }
    return json_loadb(out, strcspn(out, "\n"), 0, NULL);
}

static int error_code(json_t *a)
{
    return (int)json_integer_value(json_object_get(json_object_get(a, "error"), "code"));
}

static void test_session_lifecycle(void)
{
    const char *in =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/list\"}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n" INIT(
            "2025-06-18") "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                          "\n"
                          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/list\"}\r\n" INIT(
                              "1999-01-01") "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}";
    char *out = session(in, strlen(in), 0);
    json_t *a = answer(out, 0);
    CHECK_EQ_INT(error_code(a), SK_RPC_INVALID_REQUEST); /* before initialize */
    json_decref(a);
    a = answer(out, 1);
    CHECK(json_is_object(json_object_get(a, "result"))); /* ping is always answered */
    json_decref(a);
    a = answer(out, 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(a, "result"), "protocolVersion")),
              "2025-06-18");
    json_decref(a);
    a = answer(out, 3);
    CHECK_EQ_INT(error_code(a), SK_RPC_METHOD_NOT_FOUND);
    CHECK_EQ_INT(json_integer_value(json_object_get(a, "id")), 2);
    json_decref(a);
    a = answer(out, 4); /* a version it does not speak: its own newest */
    CHECK_STR(json_string_value(json_object_get(json_object_get(a, "result"), "protocolVersion")),
              SK_MCP_PROTOCOL);
    json_decref(a);
    a = answer(out, 5); /* the last line, without its newline, still answered */
    CHECK_EQ_INT(json_integer_value(json_object_get(a, "id")), 3);
    json_decref(a);
    CHECK(answer(out, 6) == NULL);
    free(out);
}

/* The names tools/list gives a key of role, comma-separated. */
static void list_names(int role, char *names, size_t len)
{
    const char *in =
        INIT("2025-11-25") "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n";
    char *out = session(in, strlen(in), role);
    json_t *a = answer(out, 1);
    json_t *tools = json_object_get(json_object_get(a, "result"), "tools");
    size_t i;
    json_t *t;
    names[0] = '\0';
    json_array_foreach(tools, i, t)
    {
        CHECK(json_is_object(json_object_get(t, "inputSchema")));
        CHECK_STR(json_string_value(json_object_get(json_object_get(t, "inputSchema"), "type")),
                  "object");
        snprintf(names + strlen(names), len - strlen(names), "%s%s", i ? "," : "",
                 json_string_value(json_object_get(t, "name")));
    }
    json_decref(a);
    free(out);
}

static void test_session_roles(void)
{
    char names[512];
    list_names(0, names, sizeof(names));
    CHECK_STR(names,
              "read_screen,screenshot,wait_for_text,wait_for_settle,type_text,press_keys,"
              "hold_keys,mouse,paste,status,serial_list,serial_send,serial_wait,power_status,power,"
              "media_list,media_insert,media_eject");
    list_names(1, names, sizeof(names));
    CHECK_STR(names, "read_screen,screenshot,wait_for_text,wait_for_settle,status,serial_list,"
                     "serial_wait,power_status,media_list");
}

static void test_session_bad_calls(void)
{
    const char *in = INIT(
        "2025-11-25") "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
                      "\"name\":\"nope\"}}\n"
                      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{"
                      "\"name\":\"hold_keys\",\"arguments\":{\"keys\":[\"a\"],\"duration_ms\":"
                      "600000}}}\n"
                      "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{}}\n"
                      "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                      "\"name\":\"type_text\",\"arguments\":{\"text\":\"x\",\"extra\":1}}}\n";
    char *out = session(in, strlen(in), 0);
    for (int n = 1; n <= 4; n++) {
        json_t *a = answer(out, n);
        CHECK_EQ_INT(error_code(a), SK_RPC_INVALID_PARAMS);
        CHECK_EQ_INT(json_integer_value(json_object_get(a, "id")), n + 1);
        json_decref(a);
    }
    CHECK(strstr(out, "must be at most 60000") != NULL);
    CHECK(strstr(out, "'extra': is not an argument of this tool") != NULL);
    free(out);
}

static void test_session_long_line(void)
{
    /* 9 MiB without a newline, then a ping: one parse error, then the ping's answer. */
    size_t big = 9u << 20;
    const char *ping = "\n{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}\n";
    char *in = xmalloc(big + strlen(ping));
    memset(in, 'x', big);
    memcpy(in + big, ping, strlen(ping));
    char *out = session(in, big + strlen(ping), 0);
    json_t *a = answer(out, 0);
    CHECK_EQ_INT(error_code(a), SK_RPC_PARSE_ERROR);
    json_decref(a);
    a = answer(out, 1);
    CHECK_EQ_INT(json_integer_value(json_object_get(a, "id")), 8);
    json_decref(a);
    CHECK(answer(out, 2) == NULL);
    free(out);
    free(in);
}

int main(void)
{
    SK_RUN(test_rpc_kinds);
    SK_RUN(test_rpc_refused);
    SK_RUN(test_rpc_answers);
    SK_RUN(test_schema);
    SK_RUN(test_session_lifecycle);
    SK_RUN(test_session_roles);
    SK_RUN(test_session_bad_calls);
    SK_RUN(test_session_long_line);
    return SK_CHECK_EXIT();
}
