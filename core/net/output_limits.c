/*
 * output_limits.c - client-output-buffer-limit: the setting, and the check
 * that closes a client whose unsent replies grew past its class's limit.
 *
 * Without a bound, one client that stops reading (a subscriber, or a
 * pipeline whose replies nobody reads) makes the server hold every reply
 * it is owed until memory runs out.  Redis's answer, copied here: three
 * classes (normal, replica, pubsub), each with a hard limit (close at
 * once) and a soft limit that closes a client only after it stayed above
 * it for more than soft_seconds.  The client is closed asynchronously and
 * logged with its CLIENT LIST line.
 *
 * Redis does not count the first 16 KB of output (its static reply buffer)
 * against the limits: only what overflows into its reply list.  dblite's
 * output is one flat buffer per client; the same first 16 KB are left out
 * here, so the limits mean what they mean on Redis, and CLIENT LIST shows
 * the counted bytes as omem.  reply.c calls output_limit_reached only once
 * a client's pending output passes those 16 KB: a client whose replies are
 * written every turn never pays for the check.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "server.h"

static const char *const class_names[OUTPUT_CLASS_COUNT] = {"normal", "slave", "pubsub"};

/* getClientTypeByName: "replica" is the new name of "slave"; "master" is a
 * class elsewhere in Redis but has no limits (-2 here). */
static int class_by_name(const char *name)
{
    if (strcasecmp(name, "normal") == 0)
        return OUTPUT_CLASS_NORMAL;
    if (strcasecmp(name, "slave") == 0 || strcasecmp(name, "replica") == 0)
        return OUTPUT_CLASS_REPLICA;
    if (strcasecmp(name, "pubsub") == 0)
        return OUTPUT_CLASS_PUBSUB;
    if (strcasecmp(name, "master") == 0)
        return -2;
    return -1;
}

/* Redis's memtoull: digits then an optional unit (b k kb m mb g gb, any
 * case); no sign.  strtoull's saturation on overflow is kept, as in Redis
 * (a too long number is ULLONG_MAX, not an error), and so is its quirk
 * that a unit without digits ("kb") is 0. */
static int parse_limit_bytes(const char *text, unsigned long long *bytes)
{
    static const struct {
        const char *unit;
        unsigned long long multiplier;
    } units[] = {{"", 1},
                 {"b", 1},
                 {"k", 1000ULL},
                 {"kb", 1024ULL},
                 {"m", 1000000ULL},
                 {"mb", 1024ULL * 1024},
                 {"g", 1000000000ULL},
                 {"gb", 1024ULL * 1024 * 1024}};
    if (text[0] == '-')
        return -1;
    size_t digits = 0;
    while (text[digits] >= '0' && text[digits] <= '9')
        digits++;
    unsigned long long multiplier = 0;
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
        if (strcasecmp(text + digits, units[u].unit) == 0)
            multiplier = units[u].multiplier;
    if (multiplier == 0 || digits >= 128)
        return -1;
    char number[128];
    memcpy(number, text, digits);
    number[digits] = '\0';
    unsigned long long value = strtoull(number, NULL, 10);
    if (value > ULLONG_MAX / multiplier)
        return -1;
    *bytes = value * multiplier;
    return 0;
}

/* soft_seconds as Redis reads it: strtoll into an int (so 4294967296 wraps
 * to 0 and is accepted), the whole word used, not negative. */
static int parse_soft_seconds(const char *text, int *seconds)
{
    char *end;
    int value = (int)strtoll(text, &end, 10);
    if (value < 0 || *end != '\0')
        return -1;
    *seconds = value;
    return 0;
}

/* Splits on single spaces as sdssplitlen(" ") does: "a  b" has an empty
 * word between, and "" has no words at all (a valid, empty change).  The
 * words are written into words[] pointing into text, which is modified. */
static int split_words(char *text, char **words, int max_words)
{
    if (text[0] == '\0')
        return 0;
    int count = 0;
    for (char *word = text;;) {
        if (count == max_words)
            return -1;
        words[count++] = word;
        char *space = strchr(word, ' ');
        if (!space)
            break;
        *space = '\0';
        word = space + 1;
    }
    return count;
}

static int format_limits(char **text)
{
    char buffer[256];
    size_t used = 0;
    for (int i = 0; i < OUTPUT_CLASS_COUNT; i++) {
        const output_buffer_limit *limit = &server.settings.output_limits[i];
        used += (size_t)snprintf(buffer + used, sizeof(buffer) - used, "%s%s %llu %llu %d",
                                 i ? " " : "", class_names[i], limit->hard_bytes, limit->soft_bytes,
                                 limit->soft_seconds);
    }
    char *copy = server_strdup(buffer);
    if (!copy)
        return -1;
    server_free(*text);
    *text = copy;
    return 0;
}

int output_limits_apply(const setting *s, char *error, size_t size)
{
    char **text = s->storage;
    size_t length = strlen(*text);
    char *words_text = server_alloc(length + 1);
    /* Every word is at least empty and each but the last ends in a space. */
    char **words = server_alloc(sizeof(char *) * (length / 2 + 2));
    if (!words_text || !words) {
        server_free(words_text);
        server_free(words);
        snprintf(error, size, "out of memory");
        return -1;
    }
    memcpy(words_text, *text, length + 1);
    int count = split_words(words_text, words, (int)(length / 2 + 2));
    /* All or nothing, as Redis: check every group, then set the named
     * classes only; the others keep their limits. */
    output_buffer_limit limits[OUTPUT_CLASS_COUNT];
    memcpy(limits, server.settings.output_limits, sizeof(limits));
    const char *failure = NULL;
    if (count < 0 || count % 4 != 0)
        failure = "Wrong number of arguments in buffer limit configuration.";
    for (int i = 0; !failure && i < count; i += 4) {
        int class = class_by_name(words[i]);
        output_buffer_limit limit;
        if (class < 0)
            failure = "Invalid client class specified in buffer limit configuration.";
        else if (parse_limit_bytes(words[i + 1], &limit.hard_bytes) != 0 ||
                 parse_limit_bytes(words[i + 2], &limit.soft_bytes) != 0 ||
                 parse_soft_seconds(words[i + 3], &limit.soft_seconds) != 0)
            failure = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        else
            limits[class] = limit;
    }
    server_free(words_text);
    server_free(words);
    if (failure) {
        snprintf(error, size, "%s", failure);
        return -1;
    }
    output_buffer_limit previous[OUTPUT_CLASS_COUNT];
    memcpy(previous, server.settings.output_limits, sizeof(previous));
    memcpy(server.settings.output_limits, limits, sizeof(limits));
    /* What CONFIG GET shows: every class, in bytes, in Redis's order. */
    if (format_limits(text) != 0) {
        memcpy(server.settings.output_limits, previous, sizeof(previous));
        snprintf(error, size, "out of memory");
        return -1;
    }
    return 0;
}

static int output_class(const client *c)
{
    return (c->flags & CLIENT_PUBSUB) ? OUTPUT_CLASS_PUBSUB : OUTPUT_CLASS_NORMAL;
}

size_t client_output_counted_bytes(const client *c)
{
    size_t pending = c->output_length - c->output_sent;
    return pending > OUTPUT_UNCOUNTED_BYTES ? pending - OUTPUT_UNCOUNTED_BYTES : 0;
}

size_t output_limit_capacity(const client *c)
{
    unsigned long long hard = server.settings.output_limits[output_class(c)].hard_bytes;
    if (hard == 0 || hard > SIZE_MAX - OUTPUT_UNCOUNTED_BYTES)
        return SIZE_MAX;
    return (size_t)hard + OUTPUT_UNCOUNTED_BYTES;
}

/* Redis's checkClientOutputBufferLimits, for pending bytes of output. */
static int over_limits(client *c, size_t pending)
{
    const output_buffer_limit *limit = &server.settings.output_limits[output_class(c)];
    unsigned long long counted = pending - OUTPUT_UNCOUNTED_BYTES;
    if (limit->hard_bytes && counted >= limit->hard_bytes)
        return 1;
    if (!limit->soft_bytes || counted < limit->soft_bytes) {
        c->output_soft_limit_since = 0;
        return 0;
    }
    long long now = server.cached_time_ms / 1000;
    if (c->output_soft_limit_since == 0) {
        c->output_soft_limit_since = now; /* the first time: the clock starts */
        return 0;
    }
    return now - c->output_soft_limit_since > limit->soft_seconds;
}

int output_limit_reached(client *c, size_t pending)
{
    if (c->fd < 0 || !over_limits(c, pending))
        return 0;
    char line[1024];
    client_describe(c, line, sizeof(line));
    client_close_async(c);
    server_log(LOG_WARNING,
               "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
               line);
    return 1;
}
