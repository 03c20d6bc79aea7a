/*
 * pages: the GET answers sent whole: the page's files, the snapshot, the status.
 *
 * Owns nothing past a request. Page files are read from web_dir at request
 * time, and only those on the fixed allow-list below, so no path from the
 * request ever reaches the file system. A snapshot is the hub's newest
 * frame, sent from the frame itself (the response keeps a reference until
 * MHD has sent it); when there is none, or only an old one from before
 * on-demand capture went idle, it watches the hub and waits a moment for a
 * fresh one.
 */
#include "http/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "video/frame.h"
#include "video/hub.h"

#define SK_PAGES_SNAPSHOT_WAIT_MS 2000
#define SK_PAGES_MAX_FILE (1024 * 1024)

/* The only files ever read from web_dir. */
struct page_file {
    const char *path;
    const char *file;
    const char *type;
};

static const struct page_file page_files[] = {
    {.path = "/", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/index.html", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/style.css", .file = "style.css", .type = "text/css; charset=utf-8"},
    {.path = "/app.js", .file = "app.js", .type = "text/javascript; charset=utf-8"},
    {.path = "/serial.js", .file = "serial.js", .type = "text/javascript; charset=utf-8"},
    /* xterm.js and its fit addon, from npm (scripts/vendor-xterm.sh). */
    {.path = "/vendor/xterm.js",
     .file = "vendor/xterm.js",
     .type = "text/javascript; charset=utf-8"},
    {.path = "/vendor/xterm.css", .file = "vendor/xterm.css", .type = "text/css; charset=utf-8"},
    {.path = "/vendor/addon-fit.js",
     .file = "vendor/addon-fit.js",
     .type = "text/javascript; charset=utf-8"},
};

/*
 * Read a whole page file into a new buffer. Returns NULL when it is missing,
 * not a regular file, or unreasonably big.
 */
static char *read_page_file(const char *dir, const char *file, size_t *size)
{
    char *path = xasprintf("%s/%s", dir, file);
    char *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SK_PAGES_MAX_FILE) {
        goto fail;
    }
    data = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto fail;
        }
        got += (size_t)n;
    }
    close(fd);
    free(path);
    *size = got;
    return data;

fail:
    if (fd >= 0) {
        close(fd);
    }
    sk_log(SK_LOG_WARN, "http", "cannot serve %s", path);
    free(path);
    free(data);
    return NULL;
}

static enum MHD_Result serve_page(const char *web_dir, struct MHD_Connection *conn,
                                  const struct page_file *pf)
{
    size_t size = 0;
    char *data = read_page_file(web_dir, pf->file, &size);
    if (data == NULL) {
        return sk_request_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(data);
        return MHD_NO;
    }
    const struct sk_request_field fields[] = {
        {MHD_HTTP_HEADER_CONTENT_TYPE, pf->type},
        /* The page is read at request time; let the browser revalidate so edits show up. */
        {MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache"},
    };
    sk_request_headers(resp, fields, SK_ARRAY_LEN(fields));
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void unref_frame_cb(void *cls)
{
    sk_frame_unref(cls);
}

enum MHD_Result sk_pages_snapshot(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req)
{
    struct sk_hub *hub = app->hub;
    struct sk_frame *f = sk_hub_latest(hub);
    if (f == NULL || sk_now_us() - f->captured_us > 1000000) {
        /*
         * Nothing yet (right after start), or an old frame from before
         * on-demand capture went idle: watch, so capture runs, and wait a
         * moment for a fresh one; the old one is better than nothing.
         */
        sk_hub_watch(hub, +1);
        struct sk_frame *fresh = sk_hub_wait(hub, f ? f->seq : 0, SK_PAGES_SNAPSHOT_WAIT_MS);
        sk_hub_watch(hub, -1);
        if (fresh != NULL) {
            sk_frame_unref(f);
            f = fresh;
        }
    }
    if (f == NULL || f->format != SK_FRAME_JPEG || f->size == 0) {
        sk_frame_unref(f);
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no frame available\n");
    }
    /* The response borrows the frame's bytes and keeps our reference until MHD is done. */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback_cls(f->size, f->data, unref_frame_cb, f);
    if (resp == NULL) {
        sk_frame_unref(f);
        return MHD_NO;
    }
    char stamp[48];
    snprintf(stamp, sizeof(stamp), "%" PRId64 ".%06" PRId64, f->captured_us / 1000000,
             f->captured_us % 1000000);
    MHD_add_response_header(resp, "X-Timestamp", stamp);
    return sk_request_queue(conn, MHD_HTTP_OK, resp, "image/jpeg");
}

enum MHD_Result sk_pages_status(struct sk_app *app, struct MHD_Connection *conn,
                                struct sk_request *req)
{
    struct sk_buf out = {0};
    sk_app_status_json(app, &out);
    enum MHD_Result rc = sk_request_copy(conn, MHD_HTTP_OK, out.data, out.len, "application/json");
    sk_buf_free(&out);
    return rc;
}

enum MHD_Result sk_pages_file(const char *web_dir, struct MHD_Connection *conn, const char *url)
{
    for (size_t i = 0; url != NULL && i < SK_ARRAY_LEN(page_files); i++) {
        if (strcmp(url, page_files[i].path) == 0) {
            return serve_page(web_dir, conn, &page_files[i]);
        }
    }
    return sk_request_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}
