/*
 * massstorage: the gadget's mass-storage function in configfs (see
 * massstorage.h).
 *
 * Every change is made with the gadget unbound from its UDC (the kernel
 * refuses to link a function into a bound gadget), then the gadget is bound
 * again, so the target sees a device unplugged and plugged back with the
 * new set of functions. The owner (the media command) serialises calls.
 *
 * Without root (sshkvm-gadget up --user), the function already exists,
 * unlinked, and sshkvm owns only its attributes, the UDC and the
 * configuration's directory: it cannot remove the function, so eject
 * unlinks it and empties lun.0/file (the kernel closes the image) instead.
 */
#include "media/massstorage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/util.h"

#define FUNC "mass_storage.usb0"
#define CONFIG "configs/c.1"
#define CONFIGFS_MAGIC 0x62656570

struct sk_massstorage {
    char *dir;
};

struct sk_massstorage *sk_ms_new(const char *gadget_dir)
{
    struct sk_massstorage *ms = xcalloc(1, sizeof(*ms));
    ms->dir = xstrdup(gadget_dir);
    return ms;
}

void sk_ms_free(struct sk_massstorage *ms)
{
    if (ms != NULL) {
        free(ms->dir);
        free(ms);
    }
}

/* Write value and a newline to the attribute DIR/rel: 0 or -1 with err. */
static int put(const struct sk_massstorage *ms, const char *rel, const char *value, char *err,
               size_t errlen)
{
    char *path = xasprintf("%s/%s", ms->dir, rel);
    char *line = xasprintf("%s\n", value);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ssize_t n = fd >= 0 ? write(fd, line, strlen(line)) : -1;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && n >= 0) {
        n = -1;
        e = errno;
    }
    int rc = n == (ssize_t)strlen(line) ? 0 : -1;
    if (rc != 0) {
        sk_set_err(err, errlen, "cannot write '%s' to %s: %s", value, path, strerror(e));
    }
    free(line);
    free(path);
    return rc;
}

/* Read the attribute DIR/rel into out, trailing newline dropped ("" when absent). */
static void get(const struct sk_massstorage *ms, const char *rel, char *out, size_t outlen)
{
    char *path = xasprintf("%s/%s", ms->dir, rel);
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, out, outlen - 1);
        out[n > 0 ? n : 0] = '\0';
        out[strcspn(out, "\n")] = '\0';
        close(fd);
    }
    free(path);
}

static int is_configfs(const char *dir)
{
    struct statfs sf;
    return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == CONFIGFS_MAGIC;
}

/* rmdir a function's directory; a plain directory (tests) has its files removed first. */
static void remove_tree(const char *dir, int sim)
{
    if (sim) {
        const char *files[] = {"lun.0/file",  "lun.0/cdrom", "lun.0/ro", "lun.0/removable",
                               "lun.0/nofua", "stall",       NULL};
        for (int i = 0; files[i] != NULL; i++) {
            char *p = xasprintf("%s/%s", dir, files[i]);
            unlink(p);
            free(p);
        }
        char *lun = xasprintf("%s/lun.0", dir);
        rmdir(lun);
        free(lun);
    }
    rmdir(dir);
}

/* Take the function out: unlink it from the configuration and remove it
 * (gadget unbound). A function sshkvm may not remove (prepared for it by
 * sshkvm-gadget up --user) is left unlinked with no medium. */
static void take_out(struct sk_massstorage *ms)
{
    char *link = xasprintf("%s/" CONFIG "/" FUNC, ms->dir);
    char *func = xasprintf("%s/functions/" FUNC, ms->dir);
    unlink(link);
    struct stat sb;
    if (lstat(link, &sb) != 0 && errno == ENOENT) {
        remove_tree(func, !is_configfs(ms->dir));
        if (stat(func, &sb) == 0) {
            char why[256];
            put(ms, "functions/" FUNC "/lun.0/file", "", why, sizeof(why));
        }
    }
    free(func);
    free(link);
}

/* 1 when nothing is in the gadget: the function is gone, or unlinked with no medium. */
static int is_out(const struct sk_massstorage *ms)
{
    struct stat sb;
    char *link = xasprintf("%s/" CONFIG "/" FUNC, ms->dir);
    char *func = xasprintf("%s/functions/" FUNC, ms->dir);
    char file[8];
    get(ms, "functions/" FUNC "/lun.0/file", file, sizeof(file));
    int out = lstat(link, &sb) != 0 && (stat(func, &sb) != 0 || file[0] == '\0');
    free(func);
    free(link);
    return out;
}

/* Bind the gadget to udc again (when it was bound): 0 or -1 with err. */
static int rebind(struct sk_massstorage *ms, const char *udc, char *err, size_t errlen)
{
    return udc[0] != '\0' ? put(ms, "UDC", udc, err, errlen) : 0;
}

int sk_ms_insert(struct sk_massstorage *ms, const struct sk_ms_medium *m, char *err, size_t errlen)
{
    struct stat sb;
    char *cfg = xasprintf("%s/" CONFIG, ms->dir);
    int have = stat(cfg, &sb) == 0 && S_ISDIR(sb.st_mode);
    free(cfg);
    if (!have) {
        sk_set_err(err, errlen,
                   "no USB gadget at %s (run sshkvm-gadget up, or point --media-gadget at it)",
                   ms->dir);
        return -1;
    }
    char udc[128];
    get(ms, "UDC", udc, sizeof(udc));
    if (udc[0] != '\0' && put(ms, "UDC", "", err, errlen) != 0) {
        return -1;
    }
    int sim = !is_configfs(ms->dir);
    char *func = xasprintf("%s/functions/" FUNC, ms->dir);
    char *lun = xasprintf("%s/lun.0", func);
    char *link = xasprintf("%s/" CONFIG "/" FUNC, ms->dir);
    int rc = -1;
    if (mkdir(func, 0755) != 0 && errno != EEXIST) {
        sk_set_err(err, errlen, "cannot create %s: %s (is usb_f_mass_storage available?)", func,
                   strerror(errno));
    } else if (sim && mkdir(lun, 0755) != 0 && errno != EEXIST) {
        sk_set_err(err, errlen, "cannot create %s: %s", lun, strerror(errno));
    } else if (put(ms, "functions/" FUNC "/stall", "0", err, errlen) == 0 &&
               put(ms, "functions/" FUNC "/lun.0/removable", "1", err, errlen) == 0 &&
               put(ms, "functions/" FUNC "/lun.0/cdrom", m->cdrom ? "1" : "0", err, errlen) == 0 &&
               put(ms, "functions/" FUNC "/lun.0/ro", m->rw && !m->cdrom ? "0" : "1", err,
                   errlen) == 0 &&
               put(ms, "functions/" FUNC "/lun.0/nofua", "1", err, errlen) == 0 &&
               put(ms, "functions/" FUNC "/lun.0/file", m->path, err, errlen) == 0) {
        if (symlink(func, link) != 0 && errno != EEXIST) {
            sk_set_err(err, errlen, "cannot link %s into the configuration: %s", FUNC,
                       strerror(errno));
        } else {
            rc = 0;
        }
    }
    if (rc != 0) {
        take_out(ms);
    }
    char why[256] = "";
    if (rebind(ms, udc, rc == 0 ? err : why, rc == 0 ? errlen : sizeof(why)) != 0 && rc == 0) {
        /* Bound again without the function, rather than left unplugged. */
        take_out(ms);
        rebind(ms, udc, why, sizeof(why));
        rc = -1;
    }
    free(link);
    free(lun);
    free(func);
    return rc;
}

int sk_ms_eject(struct sk_massstorage *ms, char *err, size_t errlen)
{
    if (is_out(ms)) {
        return 0;
    }
    char udc[128];
    get(ms, "UDC", udc, sizeof(udc));
    if (udc[0] != '\0' && put(ms, "UDC", "", err, errlen) != 0) {
        return -1;
    }
    take_out(ms);
    int gone = is_out(ms);
    int rc = rebind(ms, udc, err, errlen);
    if (!gone && rc == 0) {
        sk_set_err(err, errlen, "could not remove %s/functions/" FUNC, ms->dir);
        rc = -1;
    }
    return rc;
}

int sk_ms_current(struct sk_massstorage *ms, char *path, size_t pathlen, int *cdrom, int *ro)
{
    char v[8];
    get(ms, "functions/" FUNC "/lun.0/file", path, pathlen);
    get(ms, "functions/" FUNC "/lun.0/cdrom", v, sizeof(v));
    *cdrom = v[0] == '1';
    get(ms, "functions/" FUNC "/lun.0/ro", v, sizeof(v));
    *ro = v[0] != '0';
    return path[0] != '\0';
}
