/*
 * test_serlog: a serial port's log on disk: each line stamped once with
 * the time its first byte came (a line split over writes too), bytes kept
 * as they came, nothing on disk before the sync time and all of it after,
 * rotation bounded to keep + 1 files, the history's --since and
 * --lines, a link or FIFO planted among the files neither followed nor
 * waited on, and the directory's checks (made 0700, refused when others
 * may write it or it is not a directory).
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "base/util.h"
#include "serial/serlog.h"

/* 2026-12-05T04:00:00.000Z and on. */
#define T0 1796443200000LL

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sk-serlog.XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            char *p = xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(dir);
}

static size_t file_size(const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    size_t n = stat(p, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
    free(p);
    return n;
}

static void test_stamp(void)
{
    char s[SK_SERLOG_STAMP_LEN];
    sk_serlog_stamp(T0 + 61234, s);
    CHECK_STR(s, "2026-12-05T04:01:01.234Z");
}

static void test_lines_and_sync(void)
{
    make_dir();
    struct sk_serlog *log =
        sk_serlog_new(&(struct sk_serlog_opts){.dir = dir, .name = "com1", .sync_ms = 200});
    char err[256];
    CHECK_EQ_INT(sk_serlog_open(log, err, sizeof(err)), 0);
    sk_serlog_write(log, "boot", 4, T0);
    sk_serlog_write(log, "ing\r\nlogin: \x00\xff", 14, T0 + 1500);
    sk_serlog_tick(log);
    CHECK_EQ_INT(file_size("com1.log"), 0); /* not yet: kept up to sync_ms */
    sk_sleep_ms(250);
    sk_serlog_tick(log);
    const char want[] = "2026-12-05T04:00:00.000Z booting\r\n"
                        "2026-12-05T04:00:01.500Z login: \x00\xff";
    CHECK_EQ_INT(file_size("com1.log"), sizeof(want) - 1);
    struct sk_buf out = {0};
    CHECK_EQ_INT(sk_serlog_history(log, NULL, 0, &out, err, sizeof(err)), 0);
    CHECK(out.len == sizeof(want) - 1 && memcmp(out.data, want, out.len) == 0);
    sk_buf_reset(&out);
    /* Pending bytes are written before the history is read. */
    sk_serlog_write(log, "\nx\n", 3, T0 + 120000); /* ends the open line, then one more */
    CHECK_EQ_INT(sk_serlog_history(log, "2026-12-05T04:01", 0, &out, err, sizeof(err)), 0);
    out.data[out.len] = '\0';
    CHECK_STR(out.data, "2026-12-05T04:02:00.000Z x\n");
    sk_buf_reset(&out);
    CHECK_EQ_INT(sk_serlog_history(log, NULL, 2, &out, err, sizeof(err)), 0);
    CHECK(out.len > 25 && memcmp(out.data, "2026-12-05T04:00:01.500Z login", 30) == 0);
    sk_buf_free(&out);
    sk_serlog_free(log);
    remove_dir();
}

static void test_rotation_bounded(void)
{
    make_dir();
    struct sk_serlog *log = sk_serlog_new(
        &(struct sk_serlog_opts){.dir = dir, .name = "con", .max_bytes = 1000, .keep = 2});
    char err[256];
    CHECK_EQ_INT(sk_serlog_open(log, err, sizeof(err)), 0);
    char line[100];
    for (int i = 0; i < 200; i++) {
        int n = snprintf(line, sizeof(line), "line %03d %s\n", i, "..................");
        sk_serlog_write(log, line, (size_t)n, T0 + i * 1000);
        /* Each write goes to disk as in a power-cut-safe run that syncs often. */
        struct sk_buf none = {0};
        if (i % 10 == 9) {
            CHECK_EQ_INT(sk_serlog_history(log, "9999", 0, &none, err, sizeof(err)), 0);
            CHECK_EQ_INT(none.len, 0);
        }
        sk_buf_free(&none);
    }
    struct sk_serlog_stats st;
    sk_serlog_stats(log, &st);
    CHECK(st.rotations >= 5);
    CHECK_EQ_INT(st.errors, 0);
    CHECK(file_size("con.log.1") != (size_t)-1 && file_size("con.log.2") != (size_t)-1);
    CHECK_EQ_INT(file_size("con.log.3"), (size_t)-1);
    CHECK(file_size("con.log") + file_size("con.log.1") + file_size("con.log.2") <= 3 * 2000);
    /* The newest line is there and lines come oldest first. */
    struct sk_buf out = {0};
    CHECK_EQ_INT(sk_serlog_history(log, NULL, 3, &out, err, sizeof(err)), 0);
    out.data[out.len] = '\0';
    CHECK(strstr(out.data, "line 197") != NULL && strstr(out.data, "line 199") != NULL);
    CHECK(strstr(out.data, "line 196") == NULL);
    CHECK(strstr(out.data, "line 197") < strstr(out.data, "line 199"));
    sk_buf_free(&out);
    sk_serlog_free(log);
    remove_dir();
}

static void test_open_fails(void)
{
    struct sk_serlog *log =
        sk_serlog_new(&(struct sk_serlog_opts){.dir = "/proc/no/such/dir", .name = "com1"});
    char err[256] = "";
    CHECK_EQ_INT(sk_serlog_open(log, err, sizeof(err)), -1);
    CHECK(strstr(err, "/proc/no/such/dir") != NULL);
    sk_serlog_write(log, "x", 1, T0); /* ignored, not kept */
    sk_serlog_free(log);
}

static void test_planted_files(void)
{
    make_dir();
    char *secret = xasprintf("%s/secret", dir), *link = xasprintf("%s/com1.log.3", dir);
    char *fifo = xasprintf("%s/com1.log.2", dir);
    FILE *f = fopen(secret, "w");
    CHECK(f != NULL);
    fputs("SECRET-KEY-MATERIAL\n", f);
    fclose(f);
    CHECK_EQ_INT(symlink(secret, link), 0);
    CHECK_EQ_INT(mkfifo(fifo, 0600), 0);
    struct sk_serlog *log = sk_serlog_new(&(struct sk_serlog_opts){.dir = dir, .name = "com1"});
    char err[256];
    CHECK_EQ_INT(sk_serlog_open(log, err, sizeof(err)), 0);
    sk_serlog_write(log, "mine\n", 5, T0);
    struct sk_buf out = {0};
    alarm(10); /* a read that waits on the FIFO fails the test instead of hanging it */
    CHECK_EQ_INT(sk_serlog_history(log, NULL, 0, &out, err, sizeof(err)), 0);
    alarm(0);
    out.data[out.len] = '\0';
    CHECK_STR(out.data, "2026-12-05T04:00:00.000Z mine\n");
    sk_buf_free(&out);
    sk_serlog_free(log);
    free(secret);
    free(link);
    free(fifo);
    remove_dir();
}

static void test_dir_ready(void)
{
    make_dir();
    char err[256] = "";
    char *sub = xasprintf("%s/logs", dir), *file = xasprintf("%s/file", dir);
    struct stat st;
    CHECK_EQ_INT(sk_private_dir(sub, err, sizeof(err)), 0);
    CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    CHECK_EQ_INT(sk_private_dir(sub, err, sizeof(err)), 0); /* there already: fine */
    CHECK_EQ_INT(chmod(sub, 0770), 0);
    CHECK_EQ_INT(sk_private_dir(sub, err, sizeof(err)), -1);
    CHECK(strstr(err, "writable by others") != NULL && strstr(err, sub) != NULL);
    CHECK_EQ_INT(chmod(sub, 0702), 0);
    CHECK_EQ_INT(sk_private_dir(sub, err, sizeof(err)), -1);
    CHECK_EQ_INT(chmod(sub, 0750), 0);
    CHECK_EQ_INT(sk_private_dir(sub, err, sizeof(err)), 0);
    /* Sticky or not, a directory anyone may write is no place for the logs. */
    CHECK_EQ_INT(sk_private_dir("/tmp", err, sizeof(err)), -1);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    fclose(f);
    CHECK_EQ_INT(sk_private_dir(file, err, sizeof(err)), -1);
    CHECK(strstr(err, "not a directory") != NULL);
    rmdir(sub);
    free(sub);
    free(file);
    remove_dir();
}

int main(void)
{
    SK_RUN(test_stamp);
    SK_RUN(test_lines_and_sync);
    SK_RUN(test_rotation_bounded);
    SK_RUN(test_open_fails);
    SK_RUN(test_planted_files);
    SK_RUN(test_dir_ready);
    return SK_CHECK_EXIT();
}
