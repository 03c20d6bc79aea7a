/*
 * authkeys: parse authorized_keys lines and match a client's public key.
 *
 * Line format (sshd(8) AUTHORIZED_KEYS FILE FORMAT):
 *   [options] keytype base64-key [comment]
 * Options are comma-separated and may contain double-quoted strings with
 * spaces, so the parser walks quotes to find where they end. Key types are
 * recognised by name; whatever libssh cannot import is skipped.
 */
#include "ssh/authkeys.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"
#include "ssh/hostkey.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int is_key_type(const char *s, size_t len)
{
    static const char *prefixes[] = {"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"};
    for (size_t i = 0; i < SK_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (len > n && strncmp(s, prefixes[i], n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The end of the token starting at s: a space outside double quotes. */
static size_t token_len(const char *s, size_t len)
{
    size_t i = 0;
    int quoted = 0;
    for (; i < len; i++) {
        if (s[i] == '\\' && quoted && i + 1 < len) {
            i++;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && is_space(s[i])) {
            break;
        }
    }
    return i;
}

int sk_authkeys_parse_line(const char *line, size_t len, struct sk_authkey_line *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len && is_space(line[i])) {
        i++;
    }
    while (len > i && (line[len - 1] == '\r' || is_space(line[len - 1]))) {
        len--;
    }
    if (i == len || line[i] == '#') {
        return 0;
    }
    size_t t = token_len(line + i, len - i);
    if (!is_key_type(line + i, t)) {
        /* The first token is the options field; the key type follows it. */
        out->options = line + i;
        out->options_len = t;
        i += t;
        while (i < len && is_space(line[i])) {
            i++;
        }
        t = token_len(line + i, len - i);
        if (!is_key_type(line + i, t)) {
            return SK_PARSE_INVALID;
        }
    }
    out->type = line + i;
    out->type_len = t;
    i += t;
    while (i < len && is_space(line[i])) {
        i++;
    }
    size_t b = 0;
    while (i + b < len && !is_space(line[i + b])) {
        b++;
    }
    if (b == 0) {
        return SK_PARSE_INVALID;
    }
    out->blob = line + i;
    out->blob_len = b;
    i += b;
    while (i < len && is_space(line[i])) {
        i++;
    }
    if (i < len) {
        out->comment = line + i;
        out->comment_len = len - i;
    }
    return 1;
}

static size_t next_option(const char *s, char *name, size_t namelen, char *value, size_t valuelen);

/* Whether an options field (NUL-terminated) names the option. */
static int has_option(const char *options, const char *want)
{
    for (const char *p = options; *p != '\0';) {
        char name[64], value[8];
        p += next_option(p, name, sizeof(name), value, sizeof(value));
        if (strcasecmp(name, want) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Which key a file search looks for: a public key, or a fingerprint ("SHA256:..."). */
struct wanted {
    ssh_key key;
    const char *fingerprint;
};

static int is_wanted(ssh_key candidate, const struct wanted *w)
{
    if (w->key != NULL) {
        return ssh_key_cmp(candidate, w->key, SSH_KEY_CMP_PUBLIC) == 0;
    }
    char fp[128];
    return sk_ssh_key_fingerprint(candidate, fp, sizeof(fp)) == 0 &&
           strcmp(fp, w->fingerprint) == 0;
}

/*
 * The line of the authorized-keys file at path that authorizes w: 1 with
 * its options and comment copied (when not NULL), 0 when none does, -1
 * when the file cannot be read or may not be trusted (err set).
 */
static int find_key(const char *path, const struct wanted *w, char *options, size_t options_len,
                    char *comment, size_t comment_len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        snprintf(err, errlen, "cannot read authorized keys %s: %s", path, strerror(errno));
        return -1;
    }
    if (sk_check_trusted_fd(fileno(fp), path, err, errlen) != 0) {
        fclose(fp);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int found = 0;
    while (!found && (n = getline(&line, &cap, fp)) >= 0) {
        struct sk_authkey_line al;
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        if (sk_authkeys_parse_line(line, (size_t)n, &al) != 1) {
            continue;
        }
        char *type = xstrndup(al.type, al.type_len);
        char *blob = xstrndup(al.blob, al.blob_len);
        enum ssh_keytypes_e kt = ssh_key_type_from_name(type);
        ssh_key candidate = NULL;
        if (kt != SSH_KEYTYPE_UNKNOWN &&
            ssh_pki_import_pubkey_base64(blob, kt, &candidate) == SSH_OK &&
            is_wanted(candidate, w)) {
            /*
             * A cert-authority line trusts certificates the key signed, never
             * the key itself; sshkvm takes its CAs from --trusted-user-ca-keys
             * (docs/roles.md), so such a line authorizes nothing: read on.
             */
            char *opts = xstrndup(al.options ? al.options : "", al.options_len);
            found = !has_option(opts, "cert-authority");
            free(opts);
        }
        if (found) {
            if (options != NULL && options_len > 0) {
                snprintf(options, options_len, "%.*s", (int)al.options_len,
                         al.options ? al.options : "");
            }
            if (comment != NULL && comment_len > 0) {
                snprintf(comment, comment_len, "%.*s", (int)al.comment_len,
                         al.comment ? al.comment : "");
            }
        }
        ssh_key_free(candidate);
        free(type);
        free(blob);
    }
    free(line);
    fclose(fp);
    return found;
}

int sk_authkeys_match(const char *path, ssh_key key, char *options, size_t options_len,
                      char *comment, size_t comment_len, char *err, size_t errlen)
{
    const struct wanted w = {.key = key};
    return find_key(path, &w, options, options_len, comment, comment_len, err, errlen);
}

int sk_authkeys_role_now(const char *path, const char *fingerprint, time_t now, char *err,
                         size_t errlen)
{
    char options[1024];
    const struct wanted w = {.fingerprint = fingerprint};
    int found = find_key(path, &w, options, sizeof(options), NULL, 0, err, errlen);
    if (found != 1) {
        if (found == 0) {
            snprintf(err, errlen, "the key is no longer in %s", path);
        }
        return -1;
    }
    enum sk_role role;
    if (sk_authkeys_role(options, &role, err, errlen) != 0 ||
        sk_authkeys_allow(options, NULL, now, err, errlen) != 0) {
        return -1;
    }
    return (int)role;
}

/*
 * One option of a comma-separated list starting at s: its name (up to '='
 * or the comma) and its value (quotes removed, backslash escapes kept
 * simple). Returns the length consumed, comma included.
 */
static size_t next_option(const char *s, char *name, size_t namelen, char *value, size_t valuelen)
{
    size_t i = 0, n = 0, v = 0;
    int quoted = 0, in_value = 0;
    for (; s[i] != '\0' && (quoted || s[i] != ','); i++) {
        char c = s[i];
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (c == '\\' && quoted && s[i + 1] != '\0') {
            c = s[++i];
        } else if (c == '=' && !in_value && !quoted) {
            in_value = 1;
            continue;
        }
        if (!in_value && n + 1 < namelen) {
            name[n++] = c;
        } else if (in_value && v + 1 < valuelen) {
            value[v++] = c;
        }
    }
    name[n] = '\0';
    value[v] = '\0';
    return i + (s[i] == ',');
}

int sk_authkeys_role(const char *options, enum sk_role *role, char *err, size_t errlen)
{
    int restricted = 0, have_role = 0;
    enum sk_role r = SK_ROLE_CONTROL;
    for (const char *p = options; p != NULL && *p != '\0';) {
        char name[64], value[64];
        p += next_option(p, name, sizeof(name), value, sizeof(value));
        if (strcasecmp(name, "restrict") == 0) {
            restricted = 1;
        } else if (strcasecmp(name, "sshkvm-role") == 0) {
            if (sk_role_parse(value, &r) != 0) {
                sk_set_err(err, errlen, "sshkvm-role=\"%s\" is neither view nor control", value);
                return -1;
            }
            have_role = 1;
        }
    }
    *role = have_role ? r : restricted ? SK_ROLE_VIEW : SK_ROLE_CONTROL;
    return 0;
}

/*
 * OpenSSH's match_pattern for address text: * any run, ? any one character
 * (case-insensitive, so that IPv6 hex digits match either way). Iterative,
 * going back only to the last star, so time stays linear in the pattern
 * times the text however many stars a hostile line holds.
 */
static int wild_match(const char *s, const char *p)
{
    const char *star = NULL;
    const char *resume = NULL;
    while (*s != '\0') {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p != '\0' &&
                   (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*') {
        p++;
    }
    return *p == '\0';
}

struct net_addr {
    int family;
    uint8_t bytes[16];
};

/* Parse an address; an IPv4-mapped IPv6 one becomes IPv4. 0, or -1. */
static int parse_addr(const char *s, struct net_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->bytes) == 1) {
        out->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->bytes) != 1) {
        return -1;
    }
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(out->bytes, mapped, sizeof(mapped)) == 0) {
        memmove(out->bytes, out->bytes + 12, 4);
        memset(out->bytes + 4, 0, 12);
        out->family = AF_INET;
    } else {
        out->family = AF_INET6;
    }
    return 0;
}

/*
 * One entry as an address or CIDR block: 1 ip is in it, 0 it is not, -1
 * the entry is not an address (a wildcard pattern, say), -2 a bad masklen.
 */
static int cidr_match(const struct net_addr *ip, const char *entry)
{
    char addr[64];
    const char *slash = strchr(entry, '/');
    size_t alen = slash ? (size_t)(slash - entry) : strlen(entry);
    if (alen == 0 || alen >= sizeof(addr)) {
        return -1;
    }
    memcpy(addr, entry, alen);
    addr[alen] = '\0';
    struct net_addr net;
    if (parse_addr(addr, &net) != 0) {
        return -1;
    }
    int max = net.family == AF_INET ? 32 : 128;
    long bits = max;
    if (slash != NULL) {
        char *end;
        errno = 0;
        bits = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || errno != 0 || bits < 0 || bits > max) {
            return -2;
        }
    }
    if (ip->family != net.family) {
        return 0;
    }
    for (long i = 0; i < bits; i++) {
        int bit = 0x80 >> (i % 8);
        if ((ip->bytes[i / 8] & bit) != (net.bytes[i / 8] & bit)) {
            return 0;
        }
    }
    return 1;
}

int sk_authkeys_from_match(const char *ip, const char *list)
{
    struct net_addr a;
    int have_addr = parse_addr(ip, &a) == 0;
    /* Wildcards match the address as text, an IPv4-mapped one as plain IPv4. */
    char text[INET6_ADDRSTRLEN];
    if (have_addr && a.family == AF_INET) {
        inet_ntop(AF_INET, a.bytes, text, sizeof(text));
    } else {
        snprintf(text, sizeof(text), "%s", ip);
    }
    int result = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        char entry[256];
        if (len >= sizeof(entry)) {
            return -2;
        }
        memcpy(entry, p, len);
        entry[len] = '\0';
        const char *e = entry;
        int negate = *e == '!';
        e += negate;
        if (*e == '\0') {
            return -2;
        }
        int r = have_addr ? cidr_match(&a, e) : -1;
        if (r == -2) {
            return -2;
        }
        int hit = r == 1 || (r == -1 && wild_match(text, e));
        if (hit && negate) {
            return -1;
        }
        if (hit) {
            result = 1;
        }
        if (p[len] == '\0') {
            break;
        }
        p += len + 1;
    }
    return result;
}

/* "YYYYMMDD[HHMM[SS]][Z]" as OpenSSH's expiry-time (local time unless Z): 0 with *out, or -1. */
static int parse_expiry(const char *s, time_t *out)
{
    size_t n = strlen(s);
    int utc = n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z');
    n -= (size_t)utc;
    if (n != 8 && n != 12 && n != 14) {
        return -1;
    }
    int f[6] = {0, 0, 0, 0, 0, 0};
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    size_t at = 0;
    for (int i = 0; at < n; i++) {
        for (int k = 0; k < width[i]; k++, at++) {
            if (s[at] < '0' || s[at] > '9') {
                return -1;
            }
            f[i] = f[i] * 10 + (s[at] - '0');
        }
    }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60) {
        return -1;
    }
    struct tm tm = {.tm_year = f[0] - 1900,
                    .tm_mon = f[1] - 1,
                    .tm_mday = f[2],
                    .tm_hour = f[3],
                    .tm_min = f[4],
                    .tm_sec = f[5],
                    .tm_isdst = -1};
    *out = utc ? timegm(&tm) : mktime(&tm);
    return *out == (time_t)-1 ? -1 : 0;
}

int sk_authkeys_allow(const char *options, const char *ip, time_t now, char *err, size_t errlen)
{
    /*
     * Options that restrict nothing sshkvm offers, or lift such a restriction.
     * no-pty is among them: sshkvm runs no shell, and a terminal only shapes
     * its console, which can do no more than the script commands the key's
     * role already allows.
     */
    static const char *const harmless[] = {
        "restrict",
        "sshkvm-role",
        "no-agent-forwarding",
        "no-port-forwarding",
        "no-x11-forwarding",
        "no-user-rc",
        "no-pty",
        "agent-forwarding",
        "port-forwarding",
        "x11-forwarding",
        "user-rc",
        "pty",
        "no-touch-required",
    };
    for (const char *p = options; p != NULL && *p != '\0';) {
        char name[64], value[1024];
        p += next_option(p, name, sizeof(name), value, sizeof(value));
        if (strcasecmp(name, "from") == 0) {
            if (ip == NULL) {
                continue; /* no client address to judge (a web session's key, looked at again) */
            }
            int r = sk_authkeys_from_match(ip, value);
            if (r != 1) {
                sk_set_err(err, errlen, "from=\"%s\" %s %s", value,
                           r == -2 ? "is malformed; refusing" : "does not allow", ip);
                return -1;
            }
            continue;
        }
        if (strcasecmp(name, "expiry-time") == 0) {
            time_t until;
            if (parse_expiry(value, &until) != 0) {
                sk_set_err(err, errlen, "expiry-time=\"%s\" is not YYYYMMDD[HHMM[SS]][Z]", value);
                return -1;
            }
            if (now > until) {
                sk_set_err(err, errlen, "the key expired (expiry-time=\"%s\")", value);
                return -1;
            }
            continue;
        }
        int known = 0;
        for (size_t i = 0; i < SK_ARRAY_LEN(harmless) && !known; i++) {
            known = strcasecmp(name, harmless[i]) == 0;
        }
        if (!known) {
            sk_set_err(err, errlen, "option '%s' is a restriction sshkvm does not carry out", name);
            return -1;
        }
    }
    return 0;
}
