/*
 * mediaapi: the page's boot media: list, upload, insert, eject, remove.
 *
 * Every answer comes from the `media` command's own code (cmd/mediacmd.c):
 * list, insert, eject and rm run it with an argument vector built here
 * (the name after "--", so no name is read as an option), and an upload
 * uses its two ends, sk_mediacmd_put_begin and _commit, around the body
 * that libmicrohttpd hands over piece by piece: each piece goes straight
 * to the store's temporary file, nothing is held in memory, and an upload
 * cut off before its end is dropped (the store keeps nothing of it). The
 * same refusals, audit lines and messages as over ssh; a view-only login
 * may list and is refused everything else (403) before it runs.
 */
#include "http/mediaapi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "http/api.h"
#include "media/store.h"
#include "policy/roster.h"

/* 200 for exit status 0, 400 for a usage error (2), 409 for a refusal or failure (1). */
static unsigned status_code(int status)
{
    return status == SK_CMD_OK      ? MHD_HTTP_OK
           : status == SK_CMD_USAGE ? MHD_HTTP_BAD_REQUEST
                                    : MHD_HTTP_CONFLICT;
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned code, struct sk_buf *out,
                              const char *type)
{
    enum MHD_Result rc = sk_request_copy(conn, code, out->data ? out->data : "", out->len, type);
    sk_buf_free(out);
    return rc;
}

static enum MHD_Result run(struct sk_app *app, struct MHD_Connection *conn, struct sk_request *req,
                           const char **argv, int argc, const char *type)
{
    struct sk_buf out = {0};
    const struct sk_cmd_io io = sk_api_cmd_io(req, &out);
    int status = sk_mediacmd_run(app, (char **)argv, argc, &io);
    return answer(conn, status_code(status), &out,
                  status == SK_CMD_OK ? type : "text/plain; charset=utf-8");
}

static enum MHD_Result refuse_view(struct MHD_Connection *conn, const char *what)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "sshkvm: media %s: view-only login (it may only list)\n", what);
    return sk_request_copy(conn, MHD_HTTP_FORBIDDEN, msg, strlen(msg), "text/plain; charset=utf-8");
}

static const char *arg(struct MHD_Connection *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

enum MHD_Result sk_mediaapi_list(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req)
{
    const char *argv[] = {"media", "list", "--json", NULL};
    return run(app, conn, req, argv, 3, "application/json");
}

enum MHD_Result sk_mediaapi_post(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req)
{
    const char *op = arg(conn, "op"), *name = arg(conn, "name"), *mode = arg(conn, "mode");
    const char *rw = arg(conn, "rw");
    const char *argv[8] = {"media"};
    int argc = 1;
    if (op != NULL && strcmp(op, "eject") == 0) {
        argv[argc++] = "eject";
    } else if (op != NULL && (strcmp(op, "insert") == 0 || strcmp(op, "rm") == 0) && name != NULL) {
        argv[argc++] = op;
        if (strcmp(op, "insert") == 0) {
            if (mode != NULL && strcmp(mode, "cdrom") != 0 && strcmp(mode, "disk") != 0) {
                return sk_request_text(conn, MHD_HTTP_BAD_REQUEST,
                                       "sshkvm: media insert: mode is cdrom or disk\n");
            }
            if (mode != NULL) {
                argv[argc++] = mode[0] == 'c' ? "--cdrom" : "--disk";
            }
            if (rw != NULL && strcmp(rw, "1") == 0) {
                argv[argc++] = "--rw";
            }
        }
        argv[argc++] = "--";
        argv[argc++] = name;
    } else {
        return sk_request_text(conn, MHD_HTTP_BAD_REQUEST,
                               "sshkvm: media: expected ?op=insert&name=NAME[&mode=cdrom|disk]"
                               "[&rw=1], ?op=eject or ?op=rm&name=NAME\n");
    }
    if (req->role == SK_ROLE_VIEW) {
        return refuse_view(conn, argv[1]);
    }
    return run(app, conn, req, argv, argc, "text/plain; charset=utf-8");
}

/* One upload in progress: owned by the request (req->upload). */
struct web_upload {
    struct sk_upload *up; /* NULL once failed */
    char name[SK_STORE_NAME_MAX + 1];
    int64_t expect; /* Content-Length, or -1 (chunked) */
    unsigned code;  /* the answer when up is NULL */
    struct sk_buf msg;
};

static void drop(void *p)
{
    struct web_upload *u = p;
    if (u != NULL) {
        sk_upload_abort(u->up);
        sk_buf_free(&u->msg);
        free(u);
    }
}

int sk_mediaapi_upload_begin(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req, enum MHD_Result *rc)
{
    const char *name = arg(conn, "name");
    char err[512], msg[600];
    if (req->role == SK_ROLE_VIEW) {
        *rc = refuse_view(conn, "put");
        return 0;
    }
    if (app->media == NULL) {
        *rc = sk_request_text(conn, MHD_HTTP_CONFLICT,
                              "sshkvm: media: no media store (see the log, and --media-dir)\n");
        return 0;
    }
    if (name == NULL || sk_store_name_check(name, err, sizeof(err)) != 0) {
        snprintf(msg, sizeof(msg), "sshkvm: media put: %s\n",
                 name == NULL ? "expected ?name=NAME" : err);
        *rc = sk_request_copy(conn, MHD_HTTP_BAD_REQUEST, msg, strlen(msg),
                              "text/plain; charset=utf-8");
        return 0;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    struct web_upload *u = xcalloc(1, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", name);
    u->expect = cl != NULL ? strtoll(cl, NULL, 10) : -1;
    const struct sk_cmd_io io = sk_api_cmd_io(req, &u->msg);
    if (sk_mediacmd_put_begin(app, name, u->expect, &u->up, &io) != SK_CMD_OK) {
        *rc = answer(conn, MHD_HTTP_CONFLICT, &u->msg, "text/plain; charset=utf-8");
        free(u);
        return 0;
    }
    req->upload = u;
    req->upload_drop = drop;
    return 1;
}

void sk_mediaapi_upload_data(struct sk_request *req, const char *data, size_t len)
{
    struct web_upload *u = req->upload;
    char err[512];
    if (u == NULL || u->up == NULL) {
        return; /* failed already: the rest is read and dropped */
    }
    int rc = sk_upload_write(u->up, data, len, err, sizeof(err));
    if (rc != 0) {
        sk_upload_abort(u->up);
        u->up = NULL;
        u->code = rc == SK_STORE_E_FULL ? MHD_HTTP_INSUFFICIENT_STORAGE : MHD_HTTP_CONFLICT;
        sk_buf_printf(&u->msg, "sshkvm: media put: %s; nothing stored\n", err);
    }
}

enum MHD_Result sk_mediaapi_upload(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req)
{
    struct web_upload *u = req->upload;
    if (u == NULL) {
        return sk_request_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "no upload\n");
    }
    req->upload = NULL; /* ours from here: answered and freed below */
    enum MHD_Result rc;
    if (u->up == NULL) {
        rc = answer(conn, u->code, &u->msg, "text/plain; charset=utf-8");
    } else if (u->expect >= 0 && sk_upload_bytes(u->up) != u->expect) {
        sk_buf_printf(&u->msg, "sshkvm: media put: the upload was cut off; nothing stored\n");
        rc = answer(conn, MHD_HTTP_BAD_REQUEST, &u->msg, "text/plain; charset=utf-8");
    } else {
        const struct sk_cmd_io io = sk_api_cmd_io(req, &u->msg);
        int status = sk_mediacmd_put_commit(app, u->up, u->name, &io);
        u->up = NULL; /* commit freed it */
        rc = answer(conn, status_code(status), &u->msg, "text/plain; charset=utf-8");
    }
    drop(u);
    return rc;
}
