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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"

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

static size_t next_option(const char *s, char *name, size_t namelen, char *value,
                          size_t valuelen);

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

int sk_authkeys_match(const char *path, ssh_key key, char *options, size_t options_len,
                      char *comment, size_t comment_len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        snprintf(err, errlen, "cannot read authorized keys %s: %s", path, strerror(errno));
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
            ssh_key_cmp(candidate, key, SSH_KEY_CMP_PUBLIC) == 0) {
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
