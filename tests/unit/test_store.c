/*
 * test_store: the boot-media image store on a temporary directory: names,
 * sizes, uploads written to a temporary file and named only when
 * committed (an aborted one leaves nothing), one upload per name, the
 * SHA-256 and its sidecar, the --media-max-bytes limit, sparse blank images;
 * names that must be valid UTF-8 without C0/C1 controls, a directory others
 * may write refused, planted symbolic links never followed, sparse images
 * counted at their size, concurrent uploads that cannot pass the limit together;
 * an upload larger than the writer thread's buffers, in odd pieces, stored
 * bit for bit with the SHA-256 OpenSSL computes in one go (direct writes and
 * the partial last block; and on tmpfs, whose direct writes are a copy too),
 * and a write that fails there
 * (the file size limit) answered by a write or the commit with nothing stored;
 * a disk that fills under the writer thread (a small tmpfs, as root) answered
 * as a full disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "base/util.h"
#include "media/store.h"

static char dir[64];

/* How many entries the directory holds (hidden ones too), . and .. aside. */
static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void clean(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            char *p = xasprintf("%s/%s", dir, de->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

static struct sk_store *open_store(int64_t max)
{
    char err[256];
    struct sk_store *st = sk_store_new(
        &(struct sk_store_opts){.dir = dir, .reserve = 0, .max_bytes = max}, err, sizeof(err));
    CHECK(st != NULL);
    return st;
}

static void test_names(void)
{
    char err[128];
    CHECK_EQ_INT(sk_store_name_check("debian-13.iso", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_name_check("a b (1).img", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_name_check("x..y", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_name_check("", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("..", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check(".", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check(".hidden", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("../etc/passwd", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a/b", err, sizeof(err)), -1);
    CHECK(strstr(err, "'/'") != NULL);
    CHECK_EQ_INT(sk_store_name_check("a\nb", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\033[2Jb", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\177", err, sizeof(err)), -1);
    /* Valid UTF-8 only, and no C1 control (U+009B is CSI to a terminal). */
    CHECK_EQ_INT(sk_store_name_check("caf\xc3\xa9-\xe2\x82\xac.iso", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_name_check("a\xff.img", err, sizeof(err)), -1);
    CHECK(strstr(err, "UTF-8") != NULL);
    CHECK_EQ_INT(sk_store_name_check("a\x9b.img", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\xc0\xaf.img", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\xed\xa0\x80.img", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\xc3", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\xc2\x9b"
                                     "2J.img",
                                     err, sizeof(err)),
                 -1);
    CHECK(strstr(err, "control") != NULL);
    CHECK_EQ_INT(sk_store_name_check("a\xc2\x80", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_store_name_check("a\xc2\xa0"
                                     "b",
                                     err, sizeof(err)),
                 0);
    char longname[SK_STORE_NAME_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    CHECK_EQ_INT(sk_store_name_check(longname, err, sizeof(err)), -1);
    longname[SK_STORE_NAME_MAX] = '\0';
    CHECK_EQ_INT(sk_store_name_check(longname, err, sizeof(err)), 0);
}

static void test_sizes(void)
{
    CHECK_EQ_INT(sk_store_parse_size("0"), 0);
    CHECK_EQ_INT(sk_store_parse_size("1048576"), 1048576);
    CHECK_EQ_INT(sk_store_parse_size("512K"), 512 * 1024);
    CHECK_EQ_INT(sk_store_parse_size("100M"), 100LL << 20);
    CHECK_EQ_INT(sk_store_parse_size("8G"), 8LL << 30);
    CHECK_EQ_INT(sk_store_parse_size("8g"), 8LL << 30);
    CHECK_EQ_INT(sk_store_parse_size("2GiB"), 2LL << 30);
    CHECK_EQ_INT(sk_store_parse_size("1T"), 1LL << 40);
    CHECK_EQ_INT(sk_store_parse_size(""), -1);
    CHECK_EQ_INT(sk_store_parse_size("-1"), -1);
    CHECK_EQ_INT(sk_store_parse_size("12Q"), -1);
    CHECK_EQ_INT(sk_store_parse_size("1.5G"), -1);
    CHECK_EQ_INT(sk_store_parse_size("99999999999999999999"), -1);
    CHECK_EQ_INT(sk_store_parse_size("9000000T"), -1);
}

static void test_put_and_list(void)
{
    struct sk_store *st = open_store(0);
    char err[256];
    struct sk_upload *up;
    CHECK_EQ_INT(sk_store_put_begin(st, "abc.img", 3, &up, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "ab", 2, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "c", 1, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_bytes(up), 3);
    CHECK_EQ_INT(entries(), 0); /* nothing named before the commit */
    char sha[65];
    CHECK_EQ_INT(sk_upload_commit(up, sha, err, sizeof(err)), 0);
    CHECK_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct sk_store_entry *e;
    CHECK_EQ_INT(sk_store_list(st, &e, err, sizeof(err)), 1);
    CHECK_STR(e[0].name, "abc.img");
    CHECK_EQ_INT(e[0].size, 3);
    CHECK_STR(e[0].sha256, sha);
    free(e);
    /* The sidecar is what list reads: a made-up digest there is believed while size and
     * time match... */
    char *side = xasprintf("%s/.abc.img.sha256", dir);
    char *text = NULL;
    size_t len;
    CHECK_EQ_INT(sk_read_file(side, 256, &text, &len, err, sizeof(err)), 0);
    CHECK(text != NULL && strncmp(text, sha, 64) == 0);
    if (text != NULL) {
        memset(text, 'f', 64);
        FILE *f = fopen(side, "w");
        fputs(text, f);
        fclose(f);
    }
    free(text);
    struct sk_store_entry one;
    CHECK_EQ_INT(sk_store_stat(st, "abc.img", &one, err, sizeof(err)), 0);
    CHECK(strspn(one.sha256, "f") == 64);
    /* ...and not once the image changed (written by the target with --rw). */
    char *path = sk_store_path(st, "abc.img");
    FILE *f = fopen(path, "a");
    fputs("d", f);
    fclose(f);
    CHECK_EQ_INT(sk_store_stat(st, "abc.img", &one, err, sizeof(err)), 0);
    CHECK_STR(one.sha256, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    CHECK_EQ_INT(one.size, 4);
    /* get: the bytes. */
    int64_t size;
    int fd = sk_store_open(st, "abc.img", &size, err, sizeof(err));
    CHECK(fd >= 0);
    char buf[8] = {0};
    CHECK_EQ_INT(read(fd, buf, sizeof(buf)), 4);
    CHECK_STR(buf, "abcd");
    close(fd);
    CHECK_EQ_INT(sk_store_open(st, "nope", &size, err, sizeof(err)), SK_STORE_E_NOENT);
    /* A second put replaces the first. */
    CHECK_EQ_INT(sk_store_put_begin(st, "abc.img", -1, &up, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "", 0, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_commit(up, sha, err, sizeof(err)), 0);
    CHECK_STR(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 0);
    /* rm takes the sidecar along. */
    CHECK_EQ_INT(sk_store_remove(st, "abc.img", err, sizeof(err)), 0);
    CHECK_EQ_INT(entries(), 0);
    CHECK_EQ_INT(sk_store_remove(st, "abc.img", err, sizeof(err)), SK_STORE_E_NOENT);
    CHECK_EQ_INT(sk_store_remove(st, "../x", err, sizeof(err)), -1);
    free(path);
    free(side);
    sk_store_free(st);
    clean();
}

static void test_abort_and_busy(void)
{
    struct sk_store *st = open_store(0);
    char err[256];
    struct sk_upload *up, *up2;
    CHECK_EQ_INT(sk_store_put_begin(st, "a.iso", -1, &up, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "partial", 7, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_put_begin(st, "a.iso", -1, &up2, err, sizeof(err)), SK_STORE_E_BUSY);
    CHECK(up2 == NULL);
    CHECK(strstr(err, "already in progress") != NULL);
    /* Another name is not held up. */
    CHECK_EQ_INT(sk_store_put_begin(st, "b.iso", -1, &up2, err, sizeof(err)), 0);
    sk_upload_abort(up2);
    sk_upload_abort(up);
    CHECK_EQ_INT(entries(), 0);
    /* Once aborted, the name is free again. */
    CHECK_EQ_INT(sk_store_put_begin(st, "a.iso", -1, &up, err, sizeof(err)), 0);
    sk_upload_abort(up);
    sk_upload_abort(NULL);
    CHECK_EQ_INT(sk_store_put_begin(st, ".a.iso", -1, &up, err, sizeof(err)), -1);
    CHECK_EQ_INT(entries(), 0);
    /* A temporary file a crash left behind (no O_TMPFILE) is removed when the store opens. */
    char *stale = xasprintf("%s/.x.iso.upload-AbC123", dir);
    FILE *f = fopen(stale, "w");
    fclose(f);
    sk_store_free(st);
    st = open_store(0);
    CHECK(access(stale, F_OK) != 0);
    free(stale);
    sk_store_free(st);
    clean();
}

static void test_limit(void)
{
    struct sk_store *st = open_store(10000);
    char err[256];
    struct sk_upload *up;
    CHECK_EQ_INT(sk_store_put_begin(st, "big", 20000, &up, err, sizeof(err)), SK_STORE_E_FULL);
    CHECK(strstr(err, "would fill") != NULL);
    CHECK_EQ_INT(sk_store_put_begin(st, "big", -1, &up, err, sizeof(err)), 0);
    char block[4096] = {0};
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        rc = sk_upload_write(up, block, sizeof(block), err, sizeof(err));
    }
    CHECK_EQ_INT(rc, SK_STORE_E_FULL);
    CHECK(sk_upload_bytes(up) <= 10000);
    sk_upload_abort(up);
    CHECK_EQ_INT(entries(), 0);
    CHECK(sk_store_room(st) <= 10000);
    /* A blank image beyond the limit is refused; within it, sparse and all zeros. */
    CHECK_EQ_INT(sk_store_create(st, "blank", 1 << 20, err, sizeof(err)), SK_STORE_E_FULL);
    sk_store_free(st);

    st = open_store(0);
    CHECK_EQ_INT(sk_store_create(st, "blank", 1 << 20, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_create(st, "blank", 1 << 20, err, sizeof(err)), SK_STORE_E_BUSY);
    CHECK(strstr(err, "already exists") != NULL);
    struct stat sb;
    char *path = sk_store_path(st, "blank");
    CHECK(stat(path, &sb) == 0 && sb.st_size == 1 << 20 && sb.st_blocks < 64);
    struct sk_store_entry e;
    CHECK_EQ_INT(sk_store_stat(st, "blank", &e, err, sizeof(err)), 0);
    /* sha256sum of 1 MiB of zeros */
    CHECK_STR(e.sha256, "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58");
    int images;
    int64_t bytes;
    sk_store_usage(st, &images, &bytes);
    CHECK_EQ_INT(images, 1);
    CHECK_EQ_INT(bytes, 1 << 20);
    free(path);
    sk_store_free(st);
    clean();
}

/* A directory others may write is refused (one error, no store); 0700 is taken. */
static void test_dir_mode(void)
{
    char err[256];
    CHECK(chmod(dir, 0770) == 0);
    struct sk_store *st = sk_store_new(
        &(struct sk_store_opts){.dir = dir, .reserve = 0, .max_bytes = 0}, err, sizeof(err));
    CHECK(st == NULL);
    CHECK(strstr(err, "writable by others") != NULL);
    CHECK(chmod(dir, 01777) == 0);
    st = sk_store_new(&(struct sk_store_opts){.dir = dir, .reserve = 0, .max_bytes = 0}, err,
                      sizeof(err));
    CHECK(st == NULL);
    CHECK(chmod(dir, 0700) == 0);
    st = open_store(0);
    sk_store_free(st);
    if (geteuid() == 0) {
        /* Owned by another user (only root can give it away). */
        CHECK(chown(dir, 65534, 65534) == 0);
        st = sk_store_new(&(struct sk_store_opts){.dir = dir, .reserve = 0, .max_bytes = 0}, err,
                          sizeof(err));
        CHECK(st == NULL);
        CHECK(strstr(err, "owned by uid 65534") != NULL);
        CHECK(chown(dir, 0, 0) == 0);
    }
}

/* Links planted in the store: not read, listed, counted, nor written through. */
static void test_links(void)
{
    char err[256];
    char secret[96];
    snprintf(secret, sizeof(secret), "%s.secret", dir);
    FILE *f = fopen(secret, "w");
    CHECK(f != NULL);
    fputs("secret\n", f);
    fclose(f);
    char *link = xasprintf("%s/link.img", dir);
    CHECK(symlink(secret, link) == 0);
    /* The sidecar's temporary file of an image about to be put, planted as a link. */
    char *side_tmp = xasprintf("%s/.x.img.sha256.tmp", dir);
    CHECK(symlink(secret, side_tmp) == 0);
    struct sk_store *st = open_store(0);
    int64_t size = -1;
    CHECK_EQ_INT(sk_store_open(st, "link.img", &size, err, sizeof(err)), SK_STORE_E_NOENT);
    struct sk_store_entry e;
    CHECK_EQ_INT(sk_store_stat(st, "link.img", &e, err, sizeof(err)), SK_STORE_E_NOENT);
    struct sk_store_entry *list;
    CHECK_EQ_INT(sk_store_list(st, &list, err, sizeof(err)), 0);
    free(list);
    int images;
    int64_t bytes;
    sk_store_usage(st, &images, &bytes);
    CHECK_EQ_INT(images, 0);
    struct sk_upload *up;
    CHECK_EQ_INT(sk_store_put_begin(st, "x.img", -1, &up, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "data", 4, err, sizeof(err)), 0);
    char sha[65];
    CHECK_EQ_INT(sk_upload_commit(up, sha, err, sizeof(err)), 0);
    char *text = NULL;
    size_t len = 0;
    CHECK(sk_read_file(secret, 64, &text, &len, err, sizeof(err)) == 0);
    CHECK(text != NULL && strcmp(text, "secret\n") == 0);
    free(text);
    char *side = xasprintf("%s/.x.img.sha256", dir);
    struct stat sb;
    CHECK(lstat(side, &sb) == 0 && S_ISREG(sb.st_mode));
    CHECK(lstat(side_tmp, &sb) != 0);
    /* A link in place of the sidecar is replaced (rename), not written through. */
    unlink(side);
    CHECK(symlink(secret, side) == 0);
    CHECK_EQ_INT(sk_store_put_begin(st, "x.img", -1, &up, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(up, "more", 4, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_commit(up, sha, err, sizeof(err)), 0);
    CHECK(lstat(side, &sb) == 0 && S_ISREG(sb.st_mode));
    CHECK(sk_read_file(secret, 64, &text, &len, err, sizeof(err)) == 0);
    CHECK(text != NULL && strcmp(text, "secret\n") == 0);
    free(text);
    sk_store_free(st);
    unlink(secret);
    free(side);
    free(side_tmp);
    free(link);
    clean();
}

/* Sparse images count at their size; uploads in progress count for each other. */
static void test_limit_together(void)
{
    char err[256];
    struct sk_store *st = open_store(3 << 20);
    CHECK_EQ_INT(sk_store_create(st, "a.img", 2 << 20, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_create(st, "b.img", 2 << 20, err, sizeof(err)), SK_STORE_E_FULL);
    CHECK(strstr(err, "would fill") != NULL);
    CHECK(sk_store_room(st) <= 1 << 20);
    sk_store_free(st);
    clean();

    st = open_store(10000);
    struct sk_upload *one, *two;
    char block[6000] = {0};
    CHECK_EQ_INT(sk_store_put_begin(st, "one", -1, &one, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_put_begin(st, "two", -1, &two, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(one, block, sizeof(block), err, sizeof(err)), 0);
    CHECK(sk_store_room(st) == 4000);
    CHECK_EQ_INT(sk_upload_write(two, block, sizeof(block), err, sizeof(err)), SK_STORE_E_FULL);
    CHECK_EQ_INT(sk_upload_write(two, block, 4000, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(one, block, 1, err, sizeof(err)), SK_STORE_E_FULL);
    /* An abort gives its bytes back. */
    sk_upload_abort(two);
    CHECK_EQ_INT(sk_upload_write(one, block, 4000, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_store_put_begin(st, "two", -1, &two, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(two, block, 1, err, sizeof(err)), SK_STORE_E_FULL);
    /* A commit turns them into an image, which counts for the upload still going. */
    char sha[65];
    CHECK_EQ_INT(sk_upload_commit(one, sha, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_upload_write(two, block, 1, err, sizeof(err)), SK_STORE_E_FULL);
    sk_upload_abort(two);
    CHECK_EQ_INT(sk_store_room(st), 0);
    sk_store_free(st);
    clean();
}

/* len bytes that do not repeat in 4 KiB blocks (xorshift). */
static unsigned char *noise(size_t len)
{
    unsigned char *p = xmalloc(len);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
    return p;
}

static void test_big_put(void)
{
    struct sk_store *st = open_store(0);
    char err[256], sha[65], want[65];
    struct sk_upload *up;
    /* Two and a half of the writer's 4 MiB buffers and a partial block, in 100003-byte pieces. */
    size_t len = (10u << 20) + 3 * 4096 + 123;
    unsigned char *data = noise(len);
    CHECK_EQ_INT(sk_store_put_begin(st, "big.img", (int64_t)len, &up, err, sizeof(err)), 0);
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0; off += 100003) {
        rc = sk_upload_write(up, data + off, SK_MIN((size_t)100003, len - off), err, sizeof(err));
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(sk_upload_bytes(up), (int64_t)len);
    CHECK_EQ_INT(sk_upload_commit(up, sha, err, sizeof(err)), 0);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    CHECK(EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) == 1 && n == 32);
    for (unsigned i = 0; i < 32; i++) {
        snprintf(want + 2 * i, 3, "%02x", d[i]);
    }
    CHECK_STR(sha, want);
    char *path = sk_store_path(st, "big.img");
    char *got = NULL;
    size_t got_len = 0;
    CHECK_EQ_INT(sk_read_file(path, len + 1, &got, &got_len, err, sizeof(err)), 0);
    CHECK_EQ_INT(got_len, len);
    CHECK(got != NULL && memcmp(got, data, len) == 0);
    free(got);
    free(path);
    free(data);
    sk_store_free(st);
    clean();
}

/* The same on tmpfs (before Linux 6.6 it took no direct writes: the page cache all along). */
static void test_big_put_tmpfs(void)
{
    char keep[sizeof(dir)];
    memcpy(keep, dir, sizeof(dir));
    snprintf(dir, sizeof(dir), "/dev/shm/sk-test-store.XXXXXX");
    if (mkdtemp(dir) != NULL) {
        test_big_put();
        rmdir(dir);
    } else {
        CHECK(access("/dev/shm", W_OK) != 0); /* no /dev/shm here: nothing to test */
    }
    memcpy(dir, keep, sizeof(dir));
}

/* A write that fails in the writer thread (EFBIG past RLIMIT_FSIZE): refused, nothing stored. */
static void test_write_fails(void)
{
    struct sk_store *st = open_store(0);
    char err[256] = "", sha[65];
    struct sk_upload *up;
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1 << 20;
    signal(SIGXFSZ, SIG_IGN);
    CHECK_EQ_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    size_t len = 12u << 20;
    unsigned char *data = noise(len);
    CHECK_EQ_INT(sk_store_put_begin(st, "cut.img", -1, &up, err, sizeof(err)), 0);
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0; off += 1 << 20) {
        rc = sk_upload_write(up, data + off, 1 << 20, err, sizeof(err));
    }
    /* The writer is a buffer behind: the failure is answered by a later write, or by commit. */
    if (rc == 0) {
        rc = sk_upload_commit(up, sha, err, sizeof(err));
    } else {
        sk_upload_abort(up);
    }
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(err, "writing to the media store failed: File too large") != NULL);
    CHECK_EQ_INT(entries(), 0);
    free(data);
    sk_store_free(st);
    clean();
}

/*
 * The disk fills between two looks at its free space (something else wrote
 * there): the writer thread's ENOSPC is answered by commit as a full disk,
 * and nothing of the upload stays. Needs an 8 MiB tmpfs (root); without one
 * there is nothing to test.
 */
static void test_full_in_writer(void)
{
    char keep[sizeof(dir)];
    memcpy(keep, dir, sizeof(dir));
    snprintf(dir, sizeof(dir), "/tmp/sk-test-store-small.XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    if (mount("sk-test-store", dir, "tmpfs", 0, "size=8m,mode=0700") != 0) {
        fprintf(stderr, "  no tmpfs (not root): a disk full under the writer is not tested\n");
        rmdir(dir);
        memcpy(dir, keep, sizeof(dir));
        return;
    }
    struct sk_store *st = open_store(0);
    char err[256] = "", sha[65];
    struct sk_upload *up;
    unsigned char *data = noise(7u << 20);
    CHECK_EQ_INT(sk_store_put_begin(st, "full.img", -1, &up, err, sizeof(err)), 0);
    /* 3 MiB in the caller's buffer: nothing written yet, the free space looked at once. */
    CHECK_EQ_INT(sk_upload_write(up, data, 3u << 20, err, sizeof(err)), 0);
    /* Someone else leaves 1 MiB free. */
    char *other = xasprintf("%s/other", dir);
    int fd = open(other, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    CHECK(fd >= 0 && write(fd, data, 7u << 20) == (ssize_t)(7u << 20));
    close(fd);
    /* The fourth MiB fills the buffer: the writer takes 4 MiB to a disk with 1 MiB free. */
    int rc = sk_upload_write(up, data, 1u << 20, err, sizeof(err));
    CHECK_EQ_INT(rc, 0);
    rc = sk_upload_commit(up, sha, err, sizeof(err));
    CHECK_EQ_INT(rc, SK_STORE_E_FULL);
    CHECK(strstr(err, "the media store would fill") != NULL);
    CHECK_EQ_INT(entries(), 1); /* the other file only */
    unlink(other);
    free(other);
    free(data);
    sk_store_free(st);
    clean();
    CHECK_EQ_INT(umount2(dir, MNT_DETACH), 0);
    rmdir(dir);
    memcpy(dir, keep, sizeof(dir));
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sk-test-store.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    SK_RUN(test_names);
    SK_RUN(test_sizes);
    SK_RUN(test_put_and_list);
    SK_RUN(test_abort_and_busy);
    SK_RUN(test_limit);
    SK_RUN(test_dir_mode);
    SK_RUN(test_links);
    SK_RUN(test_limit_together);
    SK_RUN(test_big_put);
    SK_RUN(test_big_put_tmpfs);
    SK_RUN(test_write_fails);
    SK_RUN(test_full_in_writer);
    clean();
    rmdir(dir);
    return SK_CHECK_EXIT();
}
