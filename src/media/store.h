/*
 * store: the boot-media image store, one directory of disk and CD images.
 *
 * Names are plain file names (no '/', no "..", not hidden, no control
 * characters, at most SK_STORE_NAME_MAX bytes). An upload is written to an
 * unnamed temporary file in the store (O_TMPFILE, else a hidden named one)
 * and given its name only when complete, so that a truncated upload leaves
 * nothing behind. One upload per name at a time: a second is refused. Each
 * image's SHA-256 is kept in a hidden sidecar (.NAME.sha256, with the size
 * and modification time it belongs to) so that listing is fast.
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stddef.h>
#include <stdint.h>

#define SK_STORE_NAME_MAX 200
#define SK_STORE_E_BUSY -2  /* an upload of that name is in progress */
#define SK_STORE_E_NOENT -3 /* no such image */
#define SK_STORE_E_FULL -4  /* the disk would fill */

struct sk_store;
struct sk_upload;

struct sk_store_opts {
    const char *dir; /* the store's directory, created (0700) when missing */
    int64_t reserve; /* bytes left free on the disk, at least; <0: the default (min(64 MiB, 2%)) */
    int64_t max_bytes; /* all images together at most this many bytes; 0: no limit */
};

struct sk_store_entry {
    char name[SK_STORE_NAME_MAX + 1];
    int64_t size;
    char sha256[65]; /* lowercase hex */
};

/* Pure: 0 when name may name an image, else -1 with why in err. */
int sk_store_name_check(const char *name, char *err, size_t errlen);

/* A store on opts->dir (copied); NULL with err set when the directory cannot be made or used. */
struct sk_store *sk_store_new(const struct sk_store_opts *opts, char *err, size_t errlen);
void sk_store_free(struct sk_store *st);
const char *sk_store_dir(const struct sk_store *st);

/*
 * Begin an upload of name; expect is its size when known (else -1): a size the
 * disk cannot take is refused at once. Returns 0 and *up, or -1 /
 * SK_STORE_E_BUSY / SK_STORE_E_FULL with err set.
 */
int sk_store_put_begin(struct sk_store *st, const char *name, int64_t expect, struct sk_upload **up,
                       char *err, size_t errlen);
/* Append bytes: 0, or -1 / SK_STORE_E_FULL with err set (then abort). */
int sk_upload_write(struct sk_upload *up, const void *data, size_t len, char *err, size_t errlen);
int64_t sk_upload_bytes(const struct sk_upload *up);
/*
 * Finish: sync, name the file (replacing an image of that name), write the
 * sidecar; sha256 gets the hex digest. Frees up either way. 0, or -1 /
 * SK_STORE_E_FULL (the writer thread's last writes, or the sync, found the
 * disk full) with err set.
 */
int sk_upload_commit(struct sk_upload *up, char sha256[65], char *err, size_t errlen);
/* Drop the upload: nothing of it stays in the store. Frees up; NULL is a no-op. */
void sk_upload_abort(struct sk_upload *up);

/* The images sorted by name (*out malloc'd, free() it), their SHA-256 from the sidecar
 * or computed (and cached) now. Returns the count, or -1 with err. */
int sk_store_list(struct sk_store *st, struct sk_store_entry **out, char *err, size_t errlen);
/* One image's entry (its SHA-256 as for list): 0, SK_STORE_E_NOENT or -1 with err. */
int sk_store_stat(struct sk_store *st, const char *name, struct sk_store_entry *e, char *err,
                  size_t errlen);
/* Remove an image and its sidecar: 0, SK_STORE_E_NOENT / SK_STORE_E_BUSY or -1 with err. */
int sk_store_remove(struct sk_store *st, const char *name, char *err, size_t errlen);
/* Open an image for reading: a file descriptor (the caller closes it), or
 * SK_STORE_E_NOENT / -1 with err. *size gets its size. */
int sk_store_open(struct sk_store *st, const char *name, int64_t *size, char *err, size_t errlen);
/* A sparse blank image of size bytes (new: refused if name exists). 0 or an error as for put. */
int sk_store_create(struct sk_store *st, const char *name, int64_t size, char *err, size_t errlen);
/* The full path of an image (malloc'd), for the gadget; NULL for a bad name. */
char *sk_store_path(const struct sk_store *st, const char *name);
/* Bytes the store may still take (free disk less the reserve, and the --media-max-bytes room). */
int64_t sk_store_room(struct sk_store *st);

/* How many images there are and their bytes together (no hashing): cheap, for status. */
void sk_store_usage(struct sk_store *st, int *images, int64_t *bytes);

/* Parse a size: 1048576, 512K, 100M, 8G, 1T (powers of 1024). -1 for anything else. */
int64_t sk_store_parse_size(const char *s);

#endif
