/*
 * util: allocation, byte buffers, clocks, UTF-8 and small parsers.
 *
 * Everything here is a leaf: no other sshkvm header is included but log.h,
 * which reports the one fatal error (out of memory) before aborting.
 */
#include "base/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static void oom(size_t size)
{
    sk_log(SK_LOG_ERROR, "util", "out of memory allocating %zu bytes", size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL) {
        oom(size);
    }
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        oom(n * size);
    }
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (q == NULL) {
        oom(size);
    }
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct sk_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    sk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (b.data == NULL) {
        return xstrdup("");
    }
    return b.data;
}

void sk_wipe(void *p, size_t n)
{
    if (p != NULL) {
        explicit_bzero(p, n);
    }
}

int64_t sk_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sk_now_ms(void)
{
    return sk_now_us() / 1000;
}

int64_t sk_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sk_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

struct timespec sk_deadline_after_ms(int64_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + (timeout_ms > 0 ? timeout_ms : 0) * 1000000;
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

void sk_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void sk_buf_reserve(struct sk_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    b->data[b->len] = '\0'; /* a new buffer is an empty string, not garbage */
}

void sk_buf_append(struct sk_buf *b, const void *data, size_t len)
{
    sk_buf_reserve(b, len);
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
}

void sk_buf_puts(struct sk_buf *b, const char *s)
{
    sk_buf_append(b, s, strlen(s));
}

void sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap)
{
    if (fmt == NULL) {
        return;
    }
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return;
    }
    sk_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sk_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sk_buf_reset(struct sk_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

void sk_buf_free(struct sk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sk_buf_json_string(struct sk_buf *b, const char *s)
{
    sk_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            sk_buf_printf(b, "\\%c", *p);
        } else if (*p < 0x20) {
            sk_buf_printf(b, "\\u%04x", *p);
        } else {
            sk_buf_append(b, p, 1);
        }
    }
    sk_buf_puts(b, "\"");
}

int sk_write_all(int fd, const void *data, size_t len, size_t *done)
{
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = ENOSPC;
            }
            rc = -1;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    if (done != NULL) {
        *done = len - left;
    }
    return rc;
}

int sk_hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

size_t sk_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

int sk_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        return SK_PARSE_PARTIAL;
    }
    uint8_t c = s[0];
    size_t need;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        need = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        need = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        need = 4, v = c & 0x07, min = 0x10000;
    } else {
        return SK_PARSE_INVALID;
    }
    for (size_t i = 1; i < need; i++) {
        if (i >= len) {
            return SK_PARSE_PARTIAL;
        }
        if ((s[i] & 0xc0) != 0x80) {
            return SK_PARSE_INVALID;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not characters. */
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        return SK_PARSE_INVALID;
    }
    *cp = v;
    return (int)need;
}

void sk_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Read fp to its end (at most max bytes) into a new NUL-terminated buffer; closes fp. */
static int read_all(FILE *fp, const char *path, size_t max, char **out, size_t *len, char *err,
                    size_t errlen)
{
    struct sk_buf b = {0};
    char chunk[65536];
    size_t n;
    int rc = 0;
    sk_buf_reserve(&b, 0);
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (b.len + n > max) {
            sk_set_err(err, errlen, "%s is larger than %zu bytes", path, max);
            rc = -1;
            break;
        }
        sk_buf_append(&b, chunk, n);
    }
    if (rc == 0 && ferror(fp)) {
        sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(fp);
    if (rc != 0) {
        sk_buf_free(&b);
        return -1;
    }
    *out = b.data;
    if (len != NULL) {
        *len = b.len;
    }
    return 0;
}

int sk_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    return read_all(fp, path, max, out, len, err, errlen);
}

int sk_check_trusted_fd(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        sk_set_err(err, errlen, "%s is owned by uid %u, not by this user or root; refusing it",
                   path, (unsigned)st.st_uid);
        return -1;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        sk_set_err(err, errlen, "%s is writable by %s; refusing it (chmod go-w %s)", path,
                   (st.st_mode & S_IWOTH) ? "everyone" : "its group", path);
        return -1;
    }
    return 0;
}

int sk_read_trusted_file(const char *path, size_t max, char **out, size_t *len, char *err,
                         size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (sk_check_trusted_fd(fileno(fp), path, err, errlen) != 0) {
        fclose(fp);
        return -1;
    }
    return read_all(fp, path, max, out, len, err, errlen);
}

int sk_parse_hostport(const char *s, char *addr, size_t addrlen, int *port, char *err,
                      size_t errlen)
{
    const char *colon;
    const char *host = s;
    size_t hostlen;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':') {
            snprintf(err, errlen, "'%s' is not [ADDR]:PORT", s);
            return -1;
        }
        host = s + 1;
        hostlen = (size_t)(end - host);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            snprintf(err, errlen, "'%s' is not ADDR:PORT", s);
            return -1;
        }
        hostlen = (size_t)(colon - s);
    }
    if (hostlen == 0 || hostlen >= addrlen) {
        snprintf(err, errlen, "'%s' has no usable address", s);
        return -1;
    }
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535) {
        snprintf(err, errlen, "'%s' has no port from 1 to 65535", s);
        return -1;
    }
    memcpy(addr, host, hostlen);
    addr[hostlen] = '\0';
    *port = (int)p;
    return 0;
}

int sk_addr_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    if (inet_pton(AF_INET6, addr, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) {
            return 1;
        }
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    return strcasecmp(addr, "localhost") == 0;
}

char *sk_sockaddr_text(const struct sockaddr *sa, int with_port, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa != NULL && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    if (with_port && strcmp(host, "?") != 0) {
        snprintf(out, len, "%s:%d", host, port);
    } else {
        snprintf(out, len, "%s", host);
    }
    return out;
}

int64_t sk_parse_duration_ms(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || v < 0) {
        return -1;
    }
    double scale;
    if (*end == '\0' || strcmp(end, "s") == 0) {
        scale = 1000;
    } else if (strcmp(end, "ms") == 0) {
        scale = 1;
    } else if (strcmp(end, "m") == 0) {
        scale = 60000;
    } else {
        return -1;
    }
    if (v * scale > 86400000.0) {
        return -1;
    }
    return (int64_t)(v * scale + 0.5);
}

int sk_private_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        sk_set_err(err, errlen, "%s: cannot make it: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        sk_set_err(err, errlen, "%s: not a directory", dir);
        return -1;
    }
    if ((st.st_mode & 022) != 0) {
        sk_set_err(err, errlen, "%s: writable by others (chmod go-w, or 0700)", dir);
        return -1;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        sk_set_err(err, errlen, "%s: owned by uid %u, neither this user's (%u) nor root's", dir,
                   (unsigned)st.st_uid, (unsigned)geteuid());
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        sk_set_err(err, errlen, "%s: not writable: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}
