/*
 * massstorage: the USB gadget's mass-storage function, in configfs.
 *
 * sshkvm-gadget makes the gadget at CONFIGFS/usb_gadget/NAME with one
 * configuration, configs/c.1. Inserting an image adds the function
 * functions/mass_storage.usb0 (lun.0: file, cdrom, ro, removable, nofua;
 * stall=0), links it into the configuration and binds the gadget to its
 * UDC again so that the target sees the new device; eject undoes all of it,
 * so that the function is there only while something is inserted. A plain
 * directory instead of configfs (tests) is handled the same way.
 */
#ifndef SK_MASSSTORAGE_H
#define SK_MASSSTORAGE_H

#include <stddef.h>
#include <stdint.h>

/* The stock kernel's CD-ROM limit (storage_common.c: 256*60*75 - 1 blocks of 2048 bytes). */
#define SK_MS_CDROM_MAX ((int64_t)(256 * 60 * 75 - 1) * 2048)
/* ... and its smallest CD (300 blocks of 2048 bytes, one track). */
#define SK_MS_CDROM_MIN ((int64_t)300 * 2048)

struct sk_massstorage;

struct sk_ms_medium {
    const char *path; /* the image file */
    int cdrom;        /* 1: a CD-ROM drive, 0: a disk */
    int rw;           /* 1: the target may write (a disk only) */
};

/* For the gadget directory gadget_dir (copied), e.g. /sys/kernel/config/usb_gadget/sshkvm. */
struct sk_massstorage *sk_ms_new(const char *gadget_dir);
void sk_ms_free(struct sk_massstorage *ms);

/*
 * Present the medium: 0, or -1 with err set (nothing left half-done: the
 * function is removed again and the gadget bound as before).
 */
int sk_ms_insert(struct sk_massstorage *ms, const struct sk_ms_medium *m, char *err, size_t errlen);
/* Remove the medium and the function: 0 (also when nothing was inserted) or -1 with err. */
int sk_ms_eject(struct sk_massstorage *ms, char *err, size_t errlen);
/*
 * What is inserted now, read from the gadget: 1 with the image's path in path
 * and the mode in *cdrom and *ro; 0 when nothing is.
 */
int sk_ms_current(struct sk_massstorage *ms, char *path, size_t pathlen, int *cdrom, int *ro);

#endif
