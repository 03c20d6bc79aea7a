/*
 * schema: a JSON Schema checker for the tools' own schemas (schema.h lists
 * the keywords it knows). It walks the schema and the value together and
 * stops at the first misfit, which it names by its path in the arguments,
 * so that a client gets one clear error. A keyword it does not know is
 * ignored, as JSON Schema says; the tools' schemas use no other.
 */
#include "mcp/schema.h"

#include <stdio.h>
#include <string.h>

static int type_fits(const char *type, const json_t *v)
{
    if (strcmp(type, "object") == 0) {
        return json_is_object(v);
    }
    if (strcmp(type, "string") == 0) {
        return json_is_string(v);
    }
    if (strcmp(type, "integer") == 0) {
        /* JSON Schema: a number with no fraction is an integer, 5.0 too. */
        return json_is_integer(v) ||
               (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v));
    }
    if (strcmp(type, "number") == 0) {
        return json_is_number(v);
    }
    if (strcmp(type, "boolean") == 0) {
        return json_is_boolean(v);
    }
    if (strcmp(type, "array") == 0) {
        return json_is_array(v);
    }
    return 1;
}

static int misfit(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s%s%s", path[0] ? path : "", path[0] ? ": " : "", what);
    return -1;
}

static int check(const json_t *s, const json_t *v, const char *path, char *err, size_t errlen)
{
    char what[160];
    const char *type = json_string_value(json_object_get(s, "type"));
    if (type != NULL && !type_fits(type, v)) {
        snprintf(what, sizeof(what), "must be %s %s", strchr("aeiou", type[0]) ? "an" : "a", type);
        return misfit(err, errlen, path, what);
    }
    json_t *en = json_object_get(s, "enum");
    if (json_is_array(en)) {
        size_t i;
        json_t *e;
        int found = 0;
        json_array_foreach(en, i, e)
        {
            found |= json_equal(e, (json_t *)v);
        }
        if (!found) {
            return misfit(err, errlen, path, "is not one of the allowed values");
        }
    }
    if (json_is_number(v)) {
        double x = json_number_value(v);
        json_t *lo = json_object_get(s, "minimum"), *hi = json_object_get(s, "maximum");
        if (json_is_number(lo) && x < json_number_value(lo)) {
            snprintf(what, sizeof(what), "must be at least %g", json_number_value(lo));
            return misfit(err, errlen, path, what);
        }
        if (json_is_number(hi) && x > json_number_value(hi)) {
            snprintf(what, sizeof(what), "must be at most %g", json_number_value(hi));
            return misfit(err, errlen, path, what);
        }
    }
    if (json_is_string(v)) {
        /* Lengths in characters, as JSON Schema counts them (jansson holds UTF-8). */
        size_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++) {
            chars += (*p & 0xc0) != 0x80;
        }
        json_t *lo = json_object_get(s, "minLength"), *hi = json_object_get(s, "maxLength");
        if (json_is_integer(lo) && chars < (size_t)json_integer_value(lo)) {
            snprintf(what, sizeof(what), "must be at least %lld characters",
                     (long long)json_integer_value(lo));
            return misfit(err, errlen, path, what);
        }
        if (json_is_integer(hi) && chars > (size_t)json_integer_value(hi)) {
            snprintf(what, sizeof(what), "must be at most %lld characters",
                     (long long)json_integer_value(hi));
            return misfit(err, errlen, path, what);
        }
        if (strlen(json_string_value(v)) != json_string_length(v)) {
            return misfit(err, errlen, path, "must not hold a NUL character");
        }
    }
    if (json_is_array(v)) {
        json_t *lo = json_object_get(s, "minItems"), *hi = json_object_get(s, "maxItems");
        size_t n = json_array_size(v);
        if (json_is_integer(lo) && n < (size_t)json_integer_value(lo)) {
            snprintf(what, sizeof(what), "must have at least %lld items",
                     (long long)json_integer_value(lo));
            return misfit(err, errlen, path, what);
        }
        if (json_is_integer(hi) && n > (size_t)json_integer_value(hi)) {
            snprintf(what, sizeof(what), "must have at most %lld items",
                     (long long)json_integer_value(hi));
            return misfit(err, errlen, path, what);
        }
        json_t *items = json_object_get(s, "items");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            if (json_is_object(items) && check(items, e, sub, err, errlen) != 0) {
                return -1;
            }
        }
    }
    if (json_is_object(v)) {
        json_t *props = json_object_get(s, "properties");
        json_t *req = json_object_get(s, "required");
        size_t i;
        json_t *e;
        json_array_foreach(req, i, e)
        {
            if (json_is_string(e) && json_object_get(v, json_string_value(e)) == NULL) {
                snprintf(what, sizeof(what), "'%.100s' is required", json_string_value(e));
                return misfit(err, errlen, path, what);
            }
        }
        const char *k;
        json_t *pv;
        json_object_foreach((json_t *)v, k, pv)
        {
            json_t *ps = json_object_get(props, k);
            char sub[256];
            snprintf(sub, sizeof(sub), "%s%s'%.100s'", path, path[0] ? "." : "", k);
            if (ps == NULL) {
                if (json_is_false(json_object_get(s, "additionalProperties"))) {
                    return misfit(err, errlen, sub, "is not an argument of this tool");
                }
                continue;
            }
            if (check(ps, pv, sub, err, errlen) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

int sk_schema_check(const json_t *schema, const json_t *value, char *err, size_t errlen)
{
    return check(schema, value, "", err, errlen);
}
