/*
 * schema: checks a tool call's arguments against the tool's inputSchema, the small part
 * of JSON Schema the tools' schemas use: type (object, string, integer, number, boolean,
 * array), properties, required, additionalProperties false, enum, minimum, maximum,
 * minLength, maxLength, items, minItems, maxItems. Pure: no I/O, no globals.
 */
#ifndef SK_SCHEMA_H
#define SK_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/*
 * 0 when value fits schema; -1 with the first misfit said in err ("'timeout': must be at
 * most 86400"), naming the argument's path.
 */
int sk_schema_check(const json_t *schema, const json_t *value, char *err, size_t errlen);

#endif
