/*
 * request: the answers every route gives through libmicrohttpd, and what
 * the connection says about the client.
 *
 * Owns nothing: each helper builds a response, adds the common headers,
 * queues it on the connection and lets go of it (MHD keeps it until sent).
 * Literal texts are sent from where they are; other texts are copied. The
 * one answer MHD does not write, a stream's head on a socket taken from it,
 * is formatted here too, from the same common headers.
 */
#include "http/request.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/util.h"

/* The headers every answer carries. */
static const struct sk_request_field common[] = {
    {"X-Content-Type-Options", "nosniff"},
    /* The page is never framed by another site (clickjacking a KVM is typing on it). */
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

void sk_request_headers(struct MHD_Response *resp, const struct sk_request_field *fields, size_t n)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(common); i++) {
        MHD_add_response_header(resp, common[i].name, common[i].value);
    }
    for (size_t i = 0; i < n; i++) {
        MHD_add_response_header(resp, fields[i].name, fields[i].value);
    }
}

void sk_request_raw_head(struct sk_buf *out, const struct sk_request_field *fields, size_t n,
                         time_t now)
{
    /* MHD's own spelling of the date (RFC 9110's IMF-fixdate), never the locale's. */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&now, &tm);
    sk_buf_printf(out,
                  "HTTP/1.1 200 OK\r\nDate: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n"
                  "Connection: close\r\n",
                  days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    for (size_t i = 0; i < SK_ARRAY_LEN(common); i++) {
        sk_buf_printf(out, "%s: %s\r\n", common[i].name, common[i].value);
    }
    for (size_t i = 0; i < n; i++) {
        sk_buf_printf(out, "%s: %s\r\n", fields[i].name, fields[i].value);
    }
    sk_buf_puts(out, "\r\n");
}

enum MHD_Result sk_request_queue(struct MHD_Connection *conn, unsigned status,
                                 struct MHD_Response *resp, const char *type)
{
    const struct sk_request_field fields[] = {
        {MHD_HTTP_HEADER_CONTENT_TYPE, type},
        {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
    };
    sk_request_headers(resp, fields, SK_ARRAY_LEN(fields));
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

struct MHD_Response *sk_request_literal(const char *text)
{
    return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
}

enum MHD_Result sk_request_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *resp = sk_request_literal(text);
    if (resp == NULL) {
        return MHD_NO;
    }
    return sk_request_queue(conn, status, resp, "text/plain; charset=utf-8");
}

enum MHD_Result sk_request_copy(struct MHD_Connection *conn, unsigned status, const char *text,
                                size_t len, const char *type)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    return sk_request_queue(conn, status, resp, type);
}

enum MHD_Result sk_request_not_allowed(struct MHD_Connection *conn, const char *allow)
{
    struct MHD_Response *resp = sk_request_literal("method not allowed\n");
    if (resp == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    return sk_request_queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp, "text/plain; charset=utf-8");
}

int sk_request_client_is_loopback(struct MHD_Connection *conn)
{
    /* The peer's address as text, judged by the one loopback rule (base/util.h). */
    char addr[64];
    sk_request_client_address(conn, addr, sizeof(addr));
    return sk_addr_is_loopback(addr);
}

void sk_request_client_address(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    sk_sockaddr_text(ci != NULL ? ci->client_addr : NULL, 0, out, len);
}

int sk_request_fd(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci != NULL ? (int)ci->connect_fd : -1;
}
