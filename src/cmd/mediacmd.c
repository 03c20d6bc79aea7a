/*
 * mediacmd: the `media` script command, boot media for the target.
 *
 *   media list [--json]                 the images: name, size, SHA-256, which is inserted
 *   media put NAME [--size BYTES]       store standard input as NAME; prints its SHA-256
 *   media get NAME                      write the image to standard output
 *   media rm NAME                       remove it
 *   media new NAME SIZE                 a blank (sparse) disk image: 512M, 8G, ...
 *   media insert [--take] NAME [--cdrom|--disk] [--rw]   present it to the target over USB
 *   media eject [--take]                take it away again
 *
 * The store (media/store) keeps the images, the gadget's mass-storage
 * function (media/massstorage) presents one; what is inserted is read back
 * from the gadget, so it survives a restart. list is for every role; the
 * rest needs the control role, and insert and eject, which the target
 * sees, need control as keys do. Inserting and ejecting are serialised by
 * one mutex here. Each change is audited.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "media/massstorage.h"
#include "media/store.h"
#include "policy/audit.h"
#include "policy/roster.h"

#define PUT_CHUNK (2 << 20)     /* more than a session buffers: one read takes all it has */
#define DRAIN_MAX (256LL << 20) /* a refused put reads at most this much of what is sent */
#define DRAIN_IDLE_MS 2000      /* ... and stops when nothing comes for this long */

static pthread_mutex_t gadget_lock = PTHREAD_MUTEX_INITIALIZER;

/* What is inserted: 1 with the image's name (empty when it is not in the store) and mode. */
static int inserted(struct sk_app *app, char *name, size_t namelen, int *cdrom, int *ro)
{
    char path[4096];
    name[0] = '\0';
    if (app->gadget == NULL || !sk_ms_current(app->gadget, path, sizeof(path), cdrom, ro)) {
        return 0;
    }
    size_t dl = strlen(sk_store_dir(app->media));
    if (strncmp(path, sk_store_dir(app->media), dl) == 0 && path[dl] == '/') {
        snprintf(name, namelen, "%s", path + dl + 1);
    }
    return 1;
}

static int is_inserted(struct sk_app *app, const char *name)
{
    char cur[SK_STORE_NAME_MAX + 1];
    int cdrom, ro;
    return inserted(app, cur, sizeof(cur), &cdrom, &ro) && strcmp(cur, name) == 0;
}

void sk_mediacmd_json(struct sk_app *app, struct sk_buf *out)
{
    if (app->media == NULL) {
        sk_buf_puts(out, ",\"media\":null");
        return;
    }
    int images;
    int64_t bytes;
    sk_store_usage(app->media, &images, &bytes);
    char cur[SK_STORE_NAME_MAX + 1];
    int cdrom = 0, ro = 1;
    int in = inserted(app, cur, sizeof(cur), &cdrom, &ro);
    sk_buf_printf(out, ",\"media\":{\"images\":%d,\"bytes\":%" PRId64 ",\"free\":%" PRId64, images,
                  bytes, sk_store_room(app->media));
    sk_buf_puts(out, ",\"inserted\":");
    if (in) {
        sk_buf_json_string(out, cur);
        sk_buf_printf(out, ",\"mode\":\"%s\",\"ro\":%s}", cdrom ? "cdrom" : "disk",
                      ro ? "true" : "false");
    } else {
        sk_buf_puts(out, "null}");
    }
}

static int refuse_view(const struct sk_cmd_io *io, const char *what)
{
    if (io->role == SK_ROLE_VIEW) {
        sk_cmd_say(io, 1, "sshkvm: media %s: view-only key (it may only list)\n", what);
        return 1;
    }
    return 0;
}

static int list(struct sk_app *app, int json, const struct sk_cmd_io *io)
{
    struct sk_store_entry *e;
    char err[512];
    int n = sk_store_list(app->media, &e, err, sizeof(err));
    if (n < 0) {
        sk_cmd_say(io, 1, "sshkvm: media: %s\n", err);
        return SK_CMD_FAIL;
    }
    char cur[SK_STORE_NAME_MAX + 1];
    int cdrom = 0, ro = 1;
    int in = inserted(app, cur, sizeof(cur), &cdrom, &ro);
    struct sk_buf b = {0};
    if (json) {
        sk_buf_puts(&b, "[");
    }
    for (int i = 0; i < n; i++) {
        int here = in && strcmp(cur, e[i].name) == 0;
        if (json) {
            sk_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
            sk_buf_json_string(&b, e[i].name);
            sk_buf_printf(&b, ",\"size\":%" PRId64 ",\"sha256\":\"%s\",\"inserted\":", e[i].size,
                          e[i].sha256);
            if (here) {
                sk_buf_printf(&b, "\"%s%s\"}", cdrom ? "cdrom" : "disk", ro ? "" : "-rw");
            } else {
                sk_buf_puts(&b, "null}");
            }
        } else {
            sk_buf_printf(&b, "%s\t%" PRId64 "\t%s\t%s\n", e[i].name, e[i].size, e[i].sha256,
                          !here   ? "-"
                          : cdrom ? "inserted cdrom"
                          : ro    ? "inserted disk"
                                  : "inserted disk rw");
        }
    }
    if (json) {
        sk_buf_puts(&b, "]\n");
    }
    free(e);
    int rc = b.len == 0 || io->out(io->ctx, b.data, b.len) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    sk_buf_free(&b);
    return rc;
}

static void progress(const struct sk_cmd_io *io, const char *name, int64_t bytes, int64_t size,
                     int done)
{
    if (size > 0) {
        sk_cmd_say(io, 1, "\r%s: %" PRId64 " of %" PRId64 " MiB (%d%%)%s", name, bytes >> 20,
                   size >> 20, (int)(100 * bytes / size), done ? "\r\n" : "");
    } else {
        sk_cmd_say(io, 1, "\r%s: %" PRId64 " MiB%s", name, bytes >> 20, done ? "\r\n" : "");
    }
}

/*
 * A put refused before it read anything: read (and drop) what the client is still sending,
 * up to DRAIN_MAX bytes or until it pauses (not at all without poll_in, which could block),
 * so that it sees exit 1, not a cut connection (255).
 */
static int refuse_put(const struct sk_cmd_io *io)
{
    char *buf = xmalloc(PUT_CHUNK);
    int64_t drained = 0;
    while (drained < DRAIN_MAX && !sk_cmd_cancelled(io) && io->poll_in != NULL &&
           io->poll_in(io->ctx, DRAIN_IDLE_MS) == 1) {
        long n = io->in(io->ctx, buf, PUT_CHUNK);
        if (n <= 0) {
            break;
        }
        drained += n;
    }
    free(buf);
    return SK_CMD_FAIL;
}

int sk_mediacmd_put_begin(struct sk_app *app, const char *name, int64_t size, struct sk_upload **up,
                          const struct sk_cmd_io *io)
{
    char err[512];
    if (is_inserted(app, name)) {
        sk_cmd_say(io, 1, "sshkvm: media put: %s is inserted; media eject first\n", name);
        return refuse_put(io);
    }
    if (sk_store_put_begin(app->media, name, size, up, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: media put: %s\n", err);
        return refuse_put(io);
    }
    return SK_CMD_OK;
}

int sk_mediacmd_put_commit(struct sk_app *app, struct sk_upload *up, const char *name,
                           const struct sk_cmd_io *io)
{
    char err[512], sha[65];
    int64_t got = sk_upload_bytes(up);
    if (sk_upload_commit(up, sha, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: media put: %s; nothing stored\n", err);
        return SK_CMD_FAIL;
    }
    char q[2 * SK_STORE_NAME_MAX + 8];
    sk_audit(app->audit, "media", io->name, io->addr,
             "action=put name=%s bytes=%" PRId64 " sha256=%s", sk_audit_quote(name, q, sizeof(q)),
             got, sha);
    /* The sha256sum format, so that `sha256sum -c` can check a local copy against it. */
    sk_cmd_say(io, 0, "%s  %s\n", sha, name);
    return SK_CMD_OK;
}

static int put(struct sk_app *app, const char *name, int64_t size, const struct sk_cmd_io *io)
{
    char err[512];
    struct sk_upload *up;
    if (sk_mediacmd_put_begin(app, name, size, &up, io) != SK_CMD_OK) {
        return SK_CMD_FAIL;
    }
    char *buf = xmalloc(PUT_CHUNK);
    long n;
    int rc = 0;
    int64_t shown = sk_now_ms();
    /* Ctrl+C or a client gone ends the input with -1 (a pty's ^C byte would be image data). */
    while ((n = io->in(io->ctx, buf, PUT_CHUNK)) > 0) {
        rc = sk_upload_write(up, buf, (size_t)n, err, sizeof(err));
        if (rc != 0) {
            /*
             * Let go of the upload first (its name, its temporary file, the
             * room it reserved, its writer thread and buffers), then say so
             * and read the rest unstored: a client cut off while it still
             * sends loses the exit status (ssh exits 255), and it must not
             * hold any of those for as long as it cares to send.
             */
            sk_upload_abort(up);
            up = NULL;
            sk_cmd_say(io, 1, "%ssshkvm: media put: %s; nothing stored\n",
                       io->cols > 0 ? "\r\n" : "", err);
            while ((n = io->in(io->ctx, buf, PUT_CHUNK)) > 0) {
            }
            break;
        }
        if (io->cols > 0 && sk_now_ms() - shown >= 1000) {
            shown = sk_now_ms();
            progress(io, name, sk_upload_bytes(up), size, 0);
        }
    }
    free(buf);
    if (up == NULL) {
        return SK_CMD_FAIL; /* refused while writing, and said so */
    }
    int64_t got = sk_upload_bytes(up);
    /* The end of input from a client that is gone (killed) is a cut, not the end of the image. */
    if (n < 0 || sk_cmd_cancelled(io)) {
        sk_set_err(err, sizeof(err), "the upload was cut off after %" PRId64 " bytes", got);
        rc = -1;
    } else if (size >= 0 && got != size) {
        sk_set_err(err, sizeof(err), "got %" PRId64 " bytes, not the %" PRId64 " of --size", got,
                   size);
        rc = -1;
    }
    if (rc != 0) {
        sk_upload_abort(up);
        sk_cmd_say(io, 1, "%ssshkvm: media put: %s; nothing stored\n", io->cols > 0 ? "\r\n" : "",
                   err);
        return SK_CMD_FAIL;
    }
    if (io->cols > 0) {
        progress(io, name, got, size, 1);
    }
    return sk_mediacmd_put_commit(app, up, name, io);
}

static int get(struct sk_app *app, const char *name, const struct sk_cmd_io *io)
{
    char err[512];
    int64_t size;
    int fd = sk_store_open(app->media, name, &size, err, sizeof(err));
    if (fd < 0) {
        sk_cmd_say(io, 1, "sshkvm: media get: %s\n", err);
        return SK_CMD_FAIL;
    }
    char *buf = xmalloc(PUT_CHUNK);
    int64_t sent = 0;
    ssize_t n;
    int rc = SK_CMD_OK;
    while ((n = read(fd, buf, PUT_CHUNK)) > 0) {
        if (io->out(io->ctx, buf, (size_t)n) != 0) {
            rc = SK_CMD_FAIL;
            break;
        }
        sent += n;
    }
    if (rc == SK_CMD_OK && sent != size) {
        sk_cmd_say(io, 1, "sshkvm: media get: %s changed while it was read\n", name);
        rc = SK_CMD_FAIL;
    }
    free(buf);
    close(fd);
    return rc;
}

static void audit_change(struct sk_app *app, const struct sk_cmd_io *io, const char *action,
                         const char *name, const char *more)
{
    char q[2 * SK_STORE_NAME_MAX + 8];
    sk_audit(app->audit, "media", io->name, io->addr, "action=%s%s%s%s", action,
             name ? " name=" : "", name ? sk_audit_quote(name, q, sizeof(q)) : "", more);
}

static int insert(struct sk_app *app, const char *name, int mode, int rw, int take,
                  const struct sk_cmd_io *io)
{
    char err[512];
    struct sk_store_entry e;
    if (sk_cmd_needs_control(app, "media insert", take, io) != 0) {
        return SK_CMD_FAIL;
    }
    if (sk_store_stat(app->media, name, &e, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: media insert: %s\n", err);
        return SK_CMD_FAIL;
    }
    size_t len = strlen(name);
    int cdrom = mode >= 0 ? mode : len > 4 && strcasecmp(name + len - 4, ".iso") == 0;
    if (cdrom && rw) {
        return sk_cmd_usage_error(io, "media insert: a CD-ROM is read-only: --rw needs --disk");
    }
    if (cdrom && e.size > SK_MS_CDROM_MAX) {
        sk_cmd_say(io, 1,
                   "sshkvm: media insert: %s is %" PRId64 " bytes, over the kernel's CD-ROM limit "
                   "of %" PRId64 " bytes; insert it with --disk (installer ISOs boot as a disk)\n",
                   name, e.size, SK_MS_CDROM_MAX);
        return SK_CMD_FAIL;
    }
    if (cdrom && e.size < SK_MS_CDROM_MIN) {
        sk_cmd_say(io, 1,
                   "sshkvm: media insert: %s is %" PRId64 " bytes, under the smallest CD-ROM the "
                   "kernel takes (%" PRId64 " bytes); insert it with --disk\n",
                   name, e.size, SK_MS_CDROM_MIN);
        return SK_CMD_FAIL;
    }
    pthread_mutex_lock(&gadget_lock);
    char cur[SK_STORE_NAME_MAX + 1];
    int cur_cdrom, cur_ro;
    int rc = SK_CMD_FAIL;
    if (inserted(app, cur, sizeof(cur), &cur_cdrom, &cur_ro)) {
        if (strcmp(cur, name) == 0 && cur_cdrom == cdrom && cur_ro == !(rw && !cdrom)) {
            sk_cmd_say(io, 1, "sshkvm: media insert: %s is already inserted\n", name);
            rc = SK_CMD_OK;
        } else if (strcmp(cur, name) == 0) {
            sk_cmd_say(io, 1,
                       "sshkvm: media insert: %s is inserted as a %s%s; media eject first to "
                       "switch modes\n",
                       name, cur_cdrom ? "CD-ROM" : "disk", cur_ro ? "" : " (rw)");
        } else {
            sk_cmd_say(io, 1, "sshkvm: media insert: %s is inserted; media eject first\n",
                       cur[0] ? cur : "an image from elsewhere");
        }
    } else {
        char *path = sk_store_path(app->media, name);
        const struct sk_ms_medium m = {.path = path, .cdrom = cdrom, .rw = rw};
        if (sk_ms_insert(app->gadget, &m, err, sizeof(err)) != 0) {
            sk_cmd_say(io, 1, "sshkvm: media insert: %s\n", err);
        } else {
            audit_change(app, io, "insert", name,
                         cdrom ? " mode=cdrom"
                         : rw  ? " mode=disk-rw"
                               : " mode=disk");
            sk_cmd_say(io, 1, "sshkvm: %s inserted as a %s%s\n", name, cdrom ? "CD-ROM" : "disk",
                       cdrom || !rw ? " (read-only)" : " (read-write)");
            rc = SK_CMD_OK;
        }
        free(path);
    }
    pthread_mutex_unlock(&gadget_lock);
    return rc;
}

static int eject(struct sk_app *app, int take, const struct sk_cmd_io *io)
{
    if (sk_cmd_needs_control(app, "media eject", take, io) != 0) {
        return SK_CMD_FAIL;
    }
    pthread_mutex_lock(&gadget_lock);
    char cur[SK_STORE_NAME_MAX + 1];
    int cdrom, ro;
    int was = inserted(app, cur, sizeof(cur), &cdrom, &ro);
    char err[512];
    int rc = sk_ms_eject(app->gadget, err, sizeof(err));
    pthread_mutex_unlock(&gadget_lock);
    if (rc != 0) {
        sk_cmd_say(io, 1, "sshkvm: media eject: %s\n", err);
        return SK_CMD_FAIL;
    }
    if (was) {
        audit_change(app, io, "eject", cur, "");
    }
    sk_cmd_say(io, 1, was ? "sshkvm: %s ejected\n" : "sshkvm: nothing was inserted%s\n", cur);
    return SK_CMD_OK;
}

int sk_mediacmd_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc < 2) {
        return sk_cmd_usage_error(io, "media: which? list, put, get, rm, new, insert or eject");
    }
    const char *sub = argv[1];
    if (app->media == NULL) {
        sk_cmd_say(io, 1, "sshkvm: media: no media store (see the log, and --media-dir)\n");
        return SK_CMD_FAIL;
    }
    /* Options anywhere after the subcommand; the rest are its words. */
    const char *words[3] = {NULL, NULL, NULL};
    int nwords = 0, json = 0, take = 0, rw = 0, mode = -1;
    int64_t size = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--take") == 0) {
            take = 1;
        } else if (strcmp(a, "--rw") == 0) {
            rw = 1;
        } else if (strcmp(a, "--cdrom") == 0 || strcmp(a, "--disk") == 0) {
            if (mode >= 0 && mode != (a[2] == 'c')) {
                return sk_cmd_usage_error(io, "media: --cdrom or --disk, not both");
            }
            mode = a[2] == 'c';
        } else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
            size = sk_store_parse_size(argv[++i]);
            if (size < 0) {
                return sk_cmd_usage_error(io, "media: --size: '%s' is not a size", argv[i]);
            }
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && nwords < 3) {
            words[nwords++] = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return sk_cmd_usage_error(io, "media %s: unknown option '%s'", sub, a);
        } else if (nwords < 3) {
            words[nwords++] = a;
        } else {
            return sk_cmd_usage_error(io, "media %s: unexpected argument '%s'", sub, a);
        }
    }
    int want = strcmp(sub, "list") == 0 || strcmp(sub, "eject") == 0 ? 0
               : strcmp(sub, "new") == 0                             ? 2
                                                                     : 1;
    if (strcmp(sub, "list") != 0 && strcmp(sub, "eject") != 0 && strcmp(sub, "new") != 0 &&
        strcmp(sub, "put") != 0 && strcmp(sub, "get") != 0 && strcmp(sub, "rm") != 0 &&
        strcmp(sub, "insert") != 0) {
        return sk_cmd_usage_error(io, "media: unknown subcommand '%s'", sub);
    }
    if (nwords != want) {
        return sk_cmd_usage_error(io, "media %s: %s", sub,
                                  want == 0   ? "takes no name"
                                  : want == 2 ? "needs a NAME and a SIZE"
                                              : "needs one NAME");
    }
    char err[512];
    if (want > 0 && sk_store_name_check(words[0], err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: media %s: %s\n", sub, err);
        return SK_CMD_USAGE;
    }
    if (strcmp(sub, "list") == 0) {
        return list(app, json, io);
    }
    if (refuse_view(io, sub)) {
        return SK_CMD_FAIL;
    }
    if (app->gadget == NULL && (strcmp(sub, "insert") == 0 || strcmp(sub, "eject") == 0)) {
        sk_cmd_say(io, 1, "sshkvm: media %s: no USB gadget (--media-gadget)\n", sub);
        return SK_CMD_FAIL;
    }
    if (strcmp(sub, "put") == 0) {
        return put(app, words[0], size, io);
    }
    if (strcmp(sub, "get") == 0) {
        return get(app, words[0], io);
    }
    if (strcmp(sub, "insert") == 0) {
        return insert(app, words[0], mode, rw, take, io);
    }
    if (strcmp(sub, "eject") == 0) {
        return eject(app, take, io);
    }
    if (strcmp(sub, "rm") == 0) {
        if (is_inserted(app, words[0])) {
            sk_cmd_say(io, 1, "sshkvm: media rm: %s is inserted; media eject first\n", words[0]);
            return SK_CMD_FAIL;
        }
        if (sk_store_remove(app->media, words[0], err, sizeof(err)) != 0) {
            sk_cmd_say(io, 1, "sshkvm: media rm: %s\n", err);
            return SK_CMD_FAIL;
        }
        audit_change(app, io, "rm", words[0], "");
        return SK_CMD_OK;
    }
    /* new NAME SIZE */
    int64_t bytes = sk_store_parse_size(words[1]);
    if (bytes <= 0) {
        return sk_cmd_usage_error(io, "media new: '%s' is not a size (512M, 8G, ...)", words[1]);
    }
    if (sk_store_create(app->media, words[0], bytes, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: media new: %s\n", err);
        return SK_CMD_FAIL;
    }
    char more[64];
    snprintf(more, sizeof(more), " bytes=%" PRId64, bytes);
    audit_change(app, io, "new", words[0], more);
    return SK_CMD_OK;
}
