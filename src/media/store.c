/*
 * store: the boot-media image store (see store.h).
 *
 * The store owns one directory. Images are plain files named as the user
 * named them; everything else in it is hidden (a leading dot): the SHA-256
 * sidecars (.NAME.sha256) and, where the file system has no O_TMPFILE, the
 * temporary files of uploads in progress (.NAME.upload-XXXXXX, removed at
 * start when a crash left one). An upload streams into its temporary file,
 * hashing as it goes; commit syncs it and links it under its name. Each
 * upload owns a writer thread ("media-write", started by put_begin, joined
 * by commit or abort): the caller's bytes are copied into one of two
 * UPLOAD_BUF buffers, and the writer writes and hashes the other, so that
 * the network side (an SSH session's decryption, say) and the disk side
 * run at once, as sshd and scp do in two processes. The file is written
 * O_DIRECT where the file system allows it (whole 4 KiB blocks from
 * aligned buffers; the last partial block through the page cache): the
 * kernel's copy into the page cache was the largest part (about 30%) of
 * the session thread's time when perf measured an upload that wrote in
 * that thread (docs/benchmarks-media.md), and commit's fdatasync then has
 * little left to wait for. A write error is
 * kept and answered by the next write or by commit. The names
 * being uploaded are kept in a list under a mutex, so that two uploads of a
 * name never interleave: the second is refused. The bytes uploads in
 * progress have written are kept in the store too (pending, same mutex), so
 * that concurrent uploads cannot pass --media-max-bytes together; an image
 * counts its size or its blocks, whichever is more (a sparse one its size).
 * Nothing here follows a symbolic link: images are opened O_NOFOLLOW, the
 * sidecar's temporary file is created O_EXCL, and the directory must be
 * this user's (or root's) and not writable by others.
 */
#include "media/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define CHECK_EVERY (4 << 20) /* look at the free space again after this many bytes */
#define UPLOAD_BUF (4 << 20)  /* each of an upload's two buffers */
#define DIRECT_ALIGN 4096     /* what O_DIRECT asks of buffers, lengths and offsets */
#define DEFAULT_RESERVE (64LL << 20)

struct busy {
    char name[SK_STORE_NAME_MAX + 1];
    struct busy *next;
};

struct sk_store {
    char *dir;
    int64_t reserve; /* <0: default */
    int64_t max_bytes;
    pthread_mutex_t lock; /* guards busy, pending and gen */
    struct busy *busy;
    int64_t pending; /* bytes reserved by uploads in progress */
    unsigned gen;    /* counts the images named since the store opened */
};

struct sk_upload {
    struct sk_store *st;
    char name[SK_STORE_NAME_MAX + 1];
    int fd;
    char *tmp_path; /* the named temporary file, or NULL with O_TMPFILE */
    int64_t bytes;
    int64_t checked_at; /* bytes when the room was last measured */
    int64_t room;       /* bytes this upload may still write, measured then */
    int64_t others;     /* the other images' bytes, for max_bytes */
    unsigned gen;       /* the store's gen when others was measured */
    int64_t reserved;   /* what this upload added to the store's pending */
    EVP_MD_CTX *md;     /* the writer's while it runs */
    /* The writer thread and what passes between it and the caller, under mu. */
    pthread_t writer;
    int writer_on;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *fill; /* the caller's, being filled */
    size_t fill_len;
    unsigned char *busy; /* the writer's, being written; NULL when it waits */
    size_t busy_len;
    unsigned char *spare; /* the one the writer is done with */
    int quit;             /* the writer ends once busy is written */
    int werr;             /* errno of a failed write (nothing is written after it), or 0 */
    int direct;           /* the writer's: the file is open O_DIRECT */
};

int sk_store_name_check(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0) {
        sk_set_err(err, errlen, "an image needs a name");
        return -1;
    }
    if (len > SK_STORE_NAME_MAX) {
        sk_set_err(err, errlen, "a name is at most %d bytes", SK_STORE_NAME_MAX);
        return -1;
    }
    if (name[0] == '.') {
        sk_set_err(err, errlen,
                   "a name may not start with '.' (hidden names and '..' are refused)");
        return -1;
    }
    for (size_t i = 0; i < len;) {
        uint32_t c;
        int n = sk_utf8_decode((const uint8_t *)name + i, len - i, &c);
        if (n <= 0) {
            sk_set_err(err, errlen, "a name must be valid UTF-8");
            return -1;
        }
        if (c == '/') {
            sk_set_err(err, errlen, "a name is a plain file name, without '/'");
            return -1;
        }
        /* C0, DEL and C1 (U+0080-U+009F: a terminal takes U+009B as CSI). */
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            sk_set_err(err, errlen, "a name may not hold control characters");
            return -1;
        }
        i += (size_t)n;
    }
    return 0;
}

int64_t sk_store_parse_size(const char *s)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0) {
        return -1;
    }
    int shift = 0;
    if (*end != '\0') {
        const char *units = "KMGT";
        const char *u = strchr(units, *end >= 'a' ? *end - 32 : *end);
        if (u == NULL || *u == '\0' ||
            (end[1] != '\0' && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)) {
            return -1;
        }
        shift = 10 * (int)(u - units + 1);
    }
    if (v > ((unsigned long long)INT64_MAX >> shift)) {
        return -1;
    }
    return (int64_t)(v << shift);
}

struct sk_store *sk_store_new(const struct sk_store_opts *opts, char *err, size_t errlen)
{
    /* Anyone else who may write it could plant links or images (sticky bit or not). */
    char why[512];
    if (sk_private_dir(opts->dir, why, sizeof(why)) != 0) {
        sk_set_err(err, errlen, "the media directory %s", why);
        return NULL;
    }
    struct sk_store *st = xcalloc(1, sizeof(*st));
    st->dir = xstrdup(opts->dir);
    st->reserve = opts->reserve;
    st->max_bytes = opts->max_bytes;
    pthread_mutex_init(&st->lock, NULL);
    /* A crash in the middle of an upload without O_TMPFILE left its temporary file: remove it. */
    DIR *d = opendir(st->dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' && strstr(de->d_name, ".upload-") != NULL) {
            char *p = xasprintf("%s/%s", st->dir, de->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return st;
}

void sk_store_free(struct sk_store *st)
{
    if (st == NULL) {
        return;
    }
    while (st->busy != NULL) {
        struct busy *b = st->busy;
        st->busy = b->next;
        free(b);
    }
    pthread_mutex_destroy(&st->lock);
    free(st->dir);
    free(st);
}

const char *sk_store_dir(const struct sk_store *st)
{
    return st->dir;
}

char *sk_store_path(const struct sk_store *st, const char *name)
{
    char why[128];
    if (sk_store_name_check(name, why, sizeof(why)) != 0) {
        return NULL;
    }
    return xasprintf("%s/%s", st->dir, name);
}

static char *sidecar_path(const struct sk_store *st, const char *name)
{
    return xasprintf("%s/.%s.sha256", st->dir, name);
}

/*
 * The one walk over the images (regular files with an image's name, links not followed),
 * but skip's (the one being replaced counts as gone): how many, their sizes together (what
 * is shown), and what they may take on disk (what the limits count: a sparse image from
 * media new fills as the target writes it, so it counts its size).
 */
static void scan(const struct sk_store *st, const char *skip, int *images, int64_t *sizes,
                 int64_t *charged)
{
    *images = 0;
    *sizes = *charged = 0;
    DIR *d = opendir(st->dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        struct stat sb;
        char why[8];
        if (de->d_name[0] == '.' || (skip != NULL && strcmp(de->d_name, skip) == 0) ||
            sk_store_name_check(de->d_name, why, sizeof(why)) != 0 ||
            fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode)) {
            continue;
        }
        (*images)++;
        *sizes += (int64_t)sb.st_size;
        *charged += SK_MAX((int64_t)sb.st_size, (int64_t)sb.st_blocks * 512);
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* What the images may take on disk, but skip's (see scan). */
static int64_t used_bytes(const struct sk_store *st, const char *skip)
{
    int images;
    int64_t sizes, charged;
    scan(st, skip, &images, &sizes, &charged);
    return charged;
}

/* Free disk less the reserve (never below 0). */
static int64_t disk_room(const struct sk_store *st)
{
    struct statvfs vfs;
    if (statvfs(st->dir, &vfs) != 0) {
        return 0;
    }
    int64_t avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    int64_t size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
    int64_t reserve = st->reserve >= 0 ? st->reserve : SK_MIN(DEFAULT_RESERVE, size / 50);
    return SK_MAX(avail - reserve, (int64_t)0);
}

int64_t sk_store_room(struct sk_store *st)
{
    int64_t room = disk_room(st);
    if (st->max_bytes > 0) {
        pthread_mutex_lock(&st->lock);
        int64_t left = st->max_bytes - used_bytes(st, NULL) - st->pending;
        pthread_mutex_unlock(&st->lock);
        room = SK_MIN(room, SK_MAX(left, (int64_t)0));
    }
    return room;
}

void sk_store_usage(struct sk_store *st, int *images, int64_t *bytes)
{
    int64_t charged;
    scan(st, NULL, images, bytes, &charged);
}

static void mark_idle(struct sk_store *st, const char *name)
{
    pthread_mutex_lock(&st->lock);
    for (struct busy **p = &st->busy; *p != NULL; p = &(*p)->next) {
        if (strcmp((*p)->name, name) == 0) {
            struct busy *b = *p;
            *p = b->next;
            free(b);
            break;
        }
    }
    pthread_mutex_unlock(&st->lock);
}

/* 0 and the name marked busy, or -1 when it already was. */
static int mark_busy(struct sk_store *st, const char *name)
{
    pthread_mutex_lock(&st->lock);
    for (struct busy *b = st->busy; b != NULL; b = b->next) {
        if (strcmp(b->name, name) == 0) {
            pthread_mutex_unlock(&st->lock);
            return -1;
        }
    }
    struct busy *b = xcalloc(1, sizeof(*b));
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->next = st->busy;
    st->busy = b;
    pthread_mutex_unlock(&st->lock);
    return 0;
}

static void full_error(char *err, size_t errlen, const struct sk_store *st, int64_t room)
{
    sk_set_err(err, errlen,
               "the media store would fill: %lld bytes may still be stored in %s%s "
               "(remove an image with media rm)",
               (long long)room, st->dir, st->max_bytes > 0 ? " (--media-max-bytes)" : "");
}

/* Open the upload's temporary file in the store: O_TMPFILE, else a hidden named one. */
static int open_temp(struct sk_upload *up, char *err, size_t errlen)
{
    up->fd = open(up->st->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (up->fd >= 0) {
        return 0;
    }
    up->tmp_path = xasprintf("%s/.%s.upload-XXXXXX", up->st->dir, up->name);
    up->fd = mkostemp(up->tmp_path, O_CLOEXEC);
    if (up->fd < 0) {
        sk_set_err(err, errlen, "cannot create a temporary file in %s: %s", up->st->dir,
                   strerror(errno));
        free(up->tmp_path);
        up->tmp_path = NULL;
        return -1;
    }
    return 0;
}

/* Write through the page cache from now on: 0, or -1 with errno set. */
static int end_direct(struct sk_upload *up)
{
    up->direct = 0;
    return fcntl(up->fd, F_SETFL, fcntl(up->fd, F_GETFL) & ~O_DIRECT);
}

/* Write len bytes: O_DIRECT while it lasts (whole blocks from the start), the page cache after. */
static int write_buf(struct sk_upload *up, const unsigned char *buf, size_t len)
{
    if (up->direct && len % DIRECT_ALIGN != 0) {
        /* The last, partial block: through the page cache (commit's fdatasync writes it). */
        end_direct(up);
    }
    size_t done = 0;
    if (sk_write_all(up->fd, buf, len, &done) == 0) {
        return 0;
    }
    if (up->direct && errno == EINVAL) {
        /* The file system takes no direct writes after all (or not of this block size). */
        int e = errno;
        if (end_direct(up) != 0) {
            errno = e;
            return -1;
        }
        return sk_write_all(up->fd, buf + done, len - done, NULL);
    }
    return -1;
}

/*
 * The writer thread: writes and hashes each buffer handed to it, in order; after a failed
 * write it only hands buffers back. Ends when told to and idle.
 */
static void *writer_main(void *arg)
{
    struct sk_upload *up = arg;
    sk_log_thread_name("media-write");
    pthread_mutex_lock(&up->mu);
    for (;;) {
        while (up->busy == NULL && !up->quit) {
            pthread_cond_wait(&up->cv, &up->mu);
        }
        if (up->busy == NULL) {
            break;
        }
        unsigned char *buf = up->busy;
        size_t len = up->busy_len;
        int failed = up->werr != 0;
        pthread_mutex_unlock(&up->mu);
        int e = 0;
        if (!failed && write_buf(up, buf, len) != 0) {
            e = errno != 0 ? errno : EIO;
        } else if (!failed) {
            EVP_DigestUpdate(up->md, buf, len);
        }
        pthread_mutex_lock(&up->mu);
        if (e != 0) {
            up->werr = e;
        }
        up->spare = buf;
        up->busy = NULL;
        pthread_cond_broadcast(&up->cv);
    }
    pthread_mutex_unlock(&up->mu);
    return NULL;
}

/* Hand the filled buffer to the writer (once it is done with the other): errno of a failed write,
 * or 0. */
static int hand_off(struct sk_upload *up)
{
    pthread_mutex_lock(&up->mu);
    while (up->busy != NULL) {
        pthread_cond_wait(&up->cv, &up->mu);
    }
    up->busy = up->fill;
    up->busy_len = up->fill_len;
    up->fill = up->spare;
    up->spare = NULL;
    up->fill_len = 0;
    int e = up->werr;
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    return e;
}

/* Stop the writer once it has written what it was handed (nothing more): errno of a failed write,
 * or 0. */
static int stop_writer(struct sk_upload *up)
{
    if (!up->writer_on) {
        return up->werr;
    }
    pthread_mutex_lock(&up->mu);
    up->quit = 1;
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    pthread_join(up->writer, NULL);
    up->writer_on = 0;
    return up->werr;
}

/* The message for a failed write (errno e): SK_STORE_E_FULL when the disk is full, else -1. */
static int write_error(const struct sk_upload *up, int e, char *err, size_t errlen)
{
    if (e == ENOSPC || e == EDQUOT) {
        full_error(err, errlen, up->st, 0);
        return SK_STORE_E_FULL;
    }
    sk_set_err(err, errlen, "writing to the media store failed: %s", strerror(e));
    return -1;
}

/* One of an upload's buffers, aligned for direct writes. */
static unsigned char *aligned_buf(void)
{
    void *p = NULL;
    if (posix_memalign(&p, DIRECT_ALIGN, UPLOAD_BUF) != 0) {
        abort();
    }
    return p;
}

int sk_store_put_begin(struct sk_store *st, const char *name, int64_t expect,
                       struct sk_upload **out, char *err, size_t errlen)
{
    *out = NULL;
    if (sk_store_name_check(name, err, errlen) != 0) {
        return -1;
    }
    if (mark_busy(st, name) != 0) {
        sk_set_err(err, errlen, "an upload of %s is already in progress; try again when it ends",
                   name);
        return SK_STORE_E_BUSY;
    }
    struct sk_upload *up = xcalloc(1, sizeof(*up));
    up->st = st;
    up->fd = -1;
    pthread_mutex_init(&up->mu, NULL);
    pthread_cond_init(&up->cv, NULL);
    snprintf(up->name, sizeof(up->name), "%s", name);
    up->room = disk_room(st);
    int64_t room = up->room;
    if (st->max_bytes > 0) {
        pthread_mutex_lock(&st->lock);
        up->others = used_bytes(st, name);
        up->gen = st->gen;
        room = SK_MIN(room, SK_MAX(st->max_bytes - up->others - st->pending, (int64_t)0));
        pthread_mutex_unlock(&st->lock);
    }
    if (expect >= 0 && expect > room) {
        full_error(err, errlen, st, room);
        sk_upload_abort(up);
        return SK_STORE_E_FULL;
    }
    if (open_temp(up, err, errlen) != 0) {
        sk_upload_abort(up);
        return -1;
    }
    up->md = EVP_MD_CTX_new();
    if (up->md == NULL || EVP_DigestInit_ex(up->md, EVP_sha256(), NULL) != 1) {
        sk_set_err(err, errlen, "SHA-256 is not available");
        sk_upload_abort(up);
        return -1;
    }
    up->fill = aligned_buf();
    up->spare = aligned_buf();
    /* Direct writes where the file system takes them: no copy into the page cache. */
    up->direct = fcntl(up->fd, F_SETFL, fcntl(up->fd, F_GETFL) | O_DIRECT) == 0;
    if (pthread_create(&up->writer, NULL, writer_main, up) != 0) {
        sk_set_err(err, errlen, "cannot start the upload's writer thread");
        sk_upload_abort(up);
        return -1;
    }
    up->writer_on = 1;
    *out = up;
    return 0;
}

/*
 * Reserve len more bytes for the upload: 0, or SK_STORE_E_FULL when the disk (measured every
 * CHECK_EVERY bytes) or --media-max-bytes, less what every upload in progress has reserved,
 * has no room for them.
 */
static int reserve(struct sk_upload *up, int64_t len, char *err, size_t errlen)
{
    struct sk_store *st = up->st;
    if (up->reserved - up->checked_at >= CHECK_EVERY) {
        /*
         * The free space, now that this upload and anyone else has written
         * more; less what this upload holds in its buffers, not yet written
         * (up to two UPLOAD_BUF), which the disk does not count yet.
         */
        pthread_mutex_lock(&up->mu);
        int64_t held = (int64_t)up->fill_len + (up->busy != NULL ? (int64_t)up->busy_len : 0);
        pthread_mutex_unlock(&up->mu);
        up->room = disk_room(st) - held;
        up->checked_at = up->reserved;
    }
    int64_t room = up->room - (up->reserved - up->checked_at);
    pthread_mutex_lock(&st->lock);
    if (st->max_bytes > 0) {
        if (up->gen != st->gen) {
            /* An image was named since: measure the others again. */
            up->others = used_bytes(st, up->name);
            up->gen = st->gen;
        }
        room = SK_MIN(room, st->max_bytes - up->others - st->pending);
    }
    int ok = len <= room;
    if (ok) {
        st->pending += len;
        up->reserved += len;
    }
    pthread_mutex_unlock(&st->lock);
    if (!ok) {
        full_error(err, errlen, st, SK_MAX(room, (int64_t)0));
        return SK_STORE_E_FULL;
    }
    return 0;
}

/* Give back what the upload reserved; named 1: its image now counts instead. */
static void unreserve(struct sk_upload *up, int named)
{
    pthread_mutex_lock(&up->st->lock);
    up->st->pending -= up->reserved;
    up->reserved = 0;
    up->st->gen += named ? 1u : 0u;
    pthread_mutex_unlock(&up->st->lock);
}

int sk_upload_write(struct sk_upload *up, const void *data, size_t len, char *err, size_t errlen)
{
    int rc = reserve(up, (int64_t)len, err, errlen);
    if (rc != 0) {
        return rc;
    }
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        size_t n = SK_MIN(left, (size_t)UPLOAD_BUF - up->fill_len);
        memcpy(up->fill + up->fill_len, p, n);
        up->fill_len += n;
        p += n;
        left -= n;
        int e = up->fill_len == UPLOAD_BUF ? hand_off(up) : 0;
        if (e != 0) {
            return write_error(up, e, err, errlen);
        }
    }
    up->bytes += (int64_t)len;
    return 0;
}

int64_t sk_upload_bytes(const struct sk_upload *up)
{
    return up->bytes;
}

static void hex(const unsigned char *d, unsigned n, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n && i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

/* Write the sidecar for the image as it is now (its size and modification time). */
static void write_sidecar(const struct sk_store *st, const char *name, const char sha[65])
{
    char *path = xasprintf("%s/%s", st->dir, name);
    char *side = sidecar_path(st, name);
    char *tmp = xasprintf("%s.tmp", side);
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        /* A stale one (or a link planted there) is removed, not followed: unlink takes the link. */
        unlink(tmp);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && f == NULL) {
            close(fd);
        }
        if (f != NULL) {
            fprintf(f, "%s %lld %lld %ld\n", sha, (long long)sb.st_size,
                    (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
            if (fclose(f) == 0) {
                rename(tmp, side);
            }
        }
        unlink(tmp);
    }
    free(tmp);
    free(side);
    free(path);
}

/* Give the finished temporary file its name, replacing (replace 1) or not. 0 or -1 with errno. */
static int link_name(struct sk_upload *up, int replace)
{
    char *final = xasprintf("%s/%s", up->st->dir, up->name);
    int rc = -1;
    if (up->tmp_path != NULL) {
        rc = replace ? rename(up->tmp_path, final) : link(up->tmp_path, final);
        if (rc == 0 && !replace) {
            unlink(up->tmp_path);
        }
    } else {
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", up->fd);
        if (!replace) {
            rc = linkat(AT_FDCWD, proc, AT_FDCWD, final, AT_SYMLINK_FOLLOW);
        } else {
            /* linkat cannot replace: link under a hidden name, then rename over. */
            char *tmp = xasprintf("%s/.%s.upload-%ld", up->st->dir, up->name, (long)getpid());
            unlink(tmp);
            rc = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
            if (rc == 0 && rename(tmp, final) != 0) {
                int e = errno;
                unlink(tmp);
                errno = e;
                rc = -1;
            }
            free(tmp);
        }
    }
    free(final);
    return rc;
}

static int finish(struct sk_upload *up, int replace, char sha256[65], char *err, size_t errlen)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    int rc = -1;
    /* The writer keeps the first failed write's errno, which stop_writer returns. */
    if (up->fill_len > 0) {
        hand_off(up);
    }
    int e = stop_writer(up);
    if (e != 0) {
        rc = write_error(up, e, err, errlen);
    } else if (fdatasync(up->fd) != 0) {
        /* A file system that allocates late (NFS, a thin volume) finds itself full here. */
        rc = write_error(up, errno, err, errlen);
    } else if (EVP_DigestFinal_ex(up->md, d, &n) != 1) {
        sk_set_err(err, errlen, "SHA-256 failed");
    } else if (link_name(up, replace) != 0) {
        sk_set_err(err, errlen,
                   errno == EEXIST ? "%s already exists" : "cannot name the image %s: %s", up->name,
                   strerror(errno));
        rc = errno == EEXIST ? SK_STORE_E_BUSY : -1;
    } else {
        unreserve(up, 1);
        hex(d, n, sha256);
        write_sidecar(up->st, up->name, sha256);
        rc = 0;
    }
    sk_upload_abort(up);
    return rc;
}

int sk_upload_commit(struct sk_upload *up, char sha256[65], char *err, size_t errlen)
{
    return finish(up, 1, sha256, err, errlen);
}

void sk_upload_abort(struct sk_upload *up)
{
    if (up == NULL) {
        return;
    }
    stop_writer(up);
    /* The writer has stopped, so busy is NULL: its buffer is spare again. */
    free(up->fill);
    free(up->spare);
    pthread_cond_destroy(&up->cv);
    pthread_mutex_destroy(&up->mu);
    if (up->fd >= 0) {
        close(up->fd);
    }
    if (up->tmp_path != NULL) {
        unlink(up->tmp_path);
        free(up->tmp_path);
    }
    EVP_MD_CTX_free(up->md);
    unreserve(up, 0);
    mark_idle(up->st, up->name);
    free(up);
}

/* The SHA-256 of an open file, read to its end: 0 or -1. */
static int hash_fd(int fd, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t cap = 1 << 20;
    char *buf = xmalloc(cap);
    int rc = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    ssize_t n;
    while (rc == 0 && (n = read(fd, buf, cap)) != 0) {
        if (n < 0 && errno != EINTR) {
            rc = -1;
        } else if (n > 0) {
            EVP_DigestUpdate(md, buf, (size_t)n);
        }
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (rc == 0 && EVP_DigestFinal_ex(md, d, &len) == 1) {
        hex(d, len, out);
    } else {
        rc = -1;
    }
    free(buf);
    EVP_MD_CTX_free(md);
    return rc;
}

/* Open the image name for reading, its stat in *sb: a descriptor, or -1 (none, or no file). */
static int open_image(const struct sk_store *st, const char *name, struct stat *sb)
{
    char *path = xasprintf("%s/%s", st->dir, name);
    /* O_NOFOLLOW: a link planted in the store must not lend it another file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(path);
    if (fd >= 0 && (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Fill e for name from the directory's stat and the sidecar (or hash it now). */
static int entry_of(struct sk_store *st, const char *name, struct sk_store_entry *e)
{
    struct stat sb;
    int fd = open_image(st, name, &sb);
    if (fd < 0) {
        return SK_STORE_E_NOENT;
    }
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->size = (int64_t)sb.st_size;
    char *side = sidecar_path(st, name);
    char *text = NULL;
    size_t len = 0;
    char why[64];
    char sha[65];
    long long size = -1, sec = -1;
    long nsec = -1;
    if (sk_read_file(side, 256, &text, &len, why, sizeof(why)) == 0 &&
        sscanf(text, "%64s %lld %lld %ld", sha, &size, &sec, &nsec) == 4 && strlen(sha) == 64 &&
        size == (long long)sb.st_size && sec == (long long)sb.st_mtim.tv_sec &&
        nsec == (long)sb.st_mtim.tv_nsec) {
        memcpy(e->sha256, sha, sizeof(sha));
    } else if (hash_fd(fd, e->sha256) == 0) {
        /* No sidecar, or the image changed since (written by the target with --rw). */
        write_sidecar(st, name, e->sha256);
    }
    free(text);
    free(side);
    close(fd);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct sk_store_entry *)a)->name,
                  ((const struct sk_store_entry *)b)->name);
}

int sk_store_list(struct sk_store *st, struct sk_store_entry **out, char *err, size_t errlen)
{
    *out = NULL;
    DIR *d = opendir(st->dir);
    if (d == NULL) {
        sk_set_err(err, errlen, "cannot read the media directory %s: %s", st->dir, strerror(errno));
        return -1;
    }
    struct sk_store_entry *list = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char why[8];
        if (sk_store_name_check(de->d_name, why, sizeof(why)) != 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            list = xrealloc(list, (size_t)cap * sizeof(*list));
        }
        if (entry_of(st, de->d_name, &list[n]) == 0) {
            n++;
        }
    }
    closedir(d);
    if (n > 0) {
        qsort(list, (size_t)n, sizeof(*list), by_name);
    }
    *out = list;
    return n;
}

int sk_store_stat(struct sk_store *st, const char *name, struct sk_store_entry *e, char *err,
                  size_t errlen)
{
    if (sk_store_name_check(name, err, errlen) != 0) {
        return -1;
    }
    int rc = entry_of(st, name, e);
    if (rc != 0) {
        sk_set_err(err, errlen, "no image %s (media list shows them)", name);
    }
    return rc;
}

int sk_store_remove(struct sk_store *st, const char *name, char *err, size_t errlen)
{
    if (sk_store_name_check(name, err, errlen) != 0) {
        return -1;
    }
    char *path = xasprintf("%s/%s", st->dir, name);
    int rc = unlink(path);
    int e = errno;
    free(path);
    if (rc != 0) {
        sk_set_err(err, errlen,
                   e == ENOENT ? "no image %s (media list shows them)" : "cannot remove %s: %s",
                   name, strerror(e));
        return e == ENOENT ? SK_STORE_E_NOENT : -1;
    }
    char *side = sidecar_path(st, name);
    unlink(side);
    free(side);
    return 0;
}

int sk_store_open(struct sk_store *st, const char *name, int64_t *size, char *err, size_t errlen)
{
    if (sk_store_name_check(name, err, errlen) != 0) {
        return -1;
    }
    struct stat sb;
    int fd = open_image(st, name, &sb);
    if (fd < 0) {
        sk_set_err(err, errlen, "no image %s (media list shows them)", name);
        return SK_STORE_E_NOENT;
    }
    *size = (int64_t)sb.st_size;
    return fd;
}

int sk_store_create(struct sk_store *st, const char *name, int64_t size, char *err, size_t errlen)
{
    struct sk_upload *up;
    int rc = sk_store_put_begin(st, name, size, &up, err, errlen);
    if (rc != 0) {
        return rc;
    }
    char *path = xasprintf("%s/%s", st->dir, name);
    struct stat sb;
    int exists = lstat(path, &sb) == 0;
    free(path);
    if (exists) {
        sk_set_err(err, errlen, "%s already exists (media rm it first)", name);
        sk_upload_abort(up);
        return SK_STORE_E_BUSY;
    }
    rc = reserve(up, size, err, errlen);
    if (rc != 0) {
        sk_upload_abort(up);
        return rc;
    }
    if (ftruncate(up->fd, size) != 0) {
        sk_set_err(err, errlen, "cannot make a %lld-byte image: %s", (long long)size,
                   strerror(errno));
        sk_upload_abort(up);
        return -1;
    }
    /* The digest of size zero bytes, so that list need not read a sparse file. */
    size_t cap = 1 << 20;
    char *zeros = xcalloc(1, cap);
    for (int64_t left = size; left > 0; left -= (int64_t)cap) {
        EVP_DigestUpdate(up->md, zeros, (size_t)SK_MIN(left, (int64_t)cap));
    }
    free(zeros);
    char sha[65];
    return finish(up, 0, sha, err, errlen);
}
