/*
 * reply.c - reply tree allocation and lookups (see reply.h).
 */
#include "protocol/reply.h"

#include <stdlib.h>
#include <string.h>

reply *reply_create(reply_type type)
{
    reply *created = calloc(1, sizeof(*created));
    if (created)
        created->type = type;
    return created;
}

void reply_free(reply *reply)
{
    if (!reply)
        return;
    for (size_t index = 0; index < reply->element_count; index++)
        reply_free(reply->elements[index]);
    free(reply->elements);
    free(reply->text);
    reply_free(reply->attribute);
    free(reply);
}

int reply_is_aggregate(reply_type type)
{
    return type == REPLY_ARRAY || type == REPLY_MAP || type == REPLY_SET || type == REPLY_PUSH ||
           type == REPLY_ATTRIBUTE;
}

int reply_text_equals(const reply *reply, const char *text)
{
    if (!reply || !reply->text)
        return 0;
    if (reply->type != REPLY_STRING && reply->type != REPLY_STATUS && reply->type != REPLY_VERBATIM)
        return 0;
    size_t length = strlen(text);
    return reply->length == length && memcmp(reply->text, text, length) == 0;
}

const reply *reply_map_get(const reply *map, const char *key)
{
    if (!map || (map->type != REPLY_MAP && map->type != REPLY_ARRAY))
        return NULL;
    for (size_t index = 0; index + 1 < map->element_count; index += 2) {
        if (reply_text_equals(map->elements[index], key))
            return map->elements[index + 1];
    }
    return NULL;
}
