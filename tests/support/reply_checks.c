/*
 * reply_checks.c - see reply_checks.h.
 *
 * Each check formats its command once (redisvFormatCommand, as
 * redisvCommand does inside) and keeps that wire text, so a failure can
 * show the command with its arguments rather than only its format.
 */
#include "reply_checks.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* How much of a command or reply a failure message shows. */
#define SHOWN_TEXT_SIZE 512
#define SHOWN_ARGUMENT_BYTES 80
#define SHOWN_STRING_BYTES 200

/* How long a raw exchange waits for more of its answer. */
#define RAW_WAIT_MS 5000

/* One command as sent (RESP, from redisvFormatCommand) and its reply. */
typedef struct exchange {
    char *command;
    int command_length;
    redisReply *reply;
} exchange;

/* ---- Rendering for failure messages --------------------------------------- */

/* Appends to text (NUL-terminated, size bytes) what fits of source. */
static void append_text(char *text, size_t size, const char *source)
{
    size_t used = strlen(text);
    if (used + 1 < size)
        snprintf(text + used, size - used, "%s", source);
}

/* Appends bytes quoted and escaped ("a\x00b"), at most limit of them. */
static void append_quoted(char *text, size_t size, const char *bytes, size_t length, size_t limit)
{
    append_text(text, size, "\"");
    for (size_t i = 0; i < length && i < limit; i++) {
        unsigned char byte = (unsigned char)bytes[i];
        char piece[8];
        if (byte == '"' || byte == '\\')
            snprintf(piece, sizeof piece, "\\%c", byte);
        else if (byte >= 0x20 && byte < 0x7f)
            snprintf(piece, sizeof piece, "%c", byte);
        else
            snprintf(piece, sizeof piece, "\\x%02x", byte);
        append_text(text, size, piece);
    }
    append_text(text, size, "\"");
    if (length > limit) {
        char more[48];
        snprintf(more, sizeof more, "...(%zu bytes)", length);
        append_text(text, size, more);
    }
}

/* Whether an argument reads unambiguously without quotes. */
static int plain_word(const char *bytes, size_t length)
{
    if (length == 0)
        return 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)bytes[i];
        if (byte <= 0x20 || byte >= 0x7f || byte == '"' || byte == '\\')
            return 0;
    }
    return 1;
}

/* The command of an exchange as words: GET "bin\x00key".  The wire text
 * is "*N\r\n" then "$LEN\r\nBYTES\r\n" per argument, as hiredis made it. */
static void describe_command(const exchange *sent, char *text, size_t size)
{
    text[0] = '\0';
    const char *at = sent->command;
    const char *end = sent->command + sent->command_length;
    if (at >= end || *at != '*')
        return;
    long arguments = strtol(at + 1, NULL, 10);
    at = memchr(at, '\n', (size_t)(end - at));
    for (long i = 0; i < arguments && at != NULL && at + 1 < end && at[1] == '$'; i++) {
        size_t length = strtoul(at + 2, NULL, 10);
        const char *bytes = memchr(at + 1, '\n', (size_t)(end - at - 1));
        if (bytes == NULL || (size_t)(end - bytes - 1) < length)
            break;
        bytes++;
        if (i > 0)
            append_text(text, size, " ");
        if (plain_word(bytes, length) && length <= SHOWN_ARGUMENT_BYTES) {
            char word[SHOWN_ARGUMENT_BYTES + 1];
            memcpy(word, bytes, length);
            word[length] = '\0';
            append_text(text, size, word);
        } else {
            append_quoted(text, size, bytes, length, SHOWN_ARGUMENT_BYTES);
        }
        at = bytes + length + 1; /* the '\n' after the argument's "\r" */
    }
}

static const char *type_name(int type)
{
    switch (type) {
        case REDIS_REPLY_STRING:
            return "bulk";
        case REDIS_REPLY_ARRAY:
            return "array";
        case REDIS_REPLY_INTEGER:
            return "integer";
        case REDIS_REPLY_NIL:
            return "nil";
        case REDIS_REPLY_STATUS:
            return "status";
        case REDIS_REPLY_ERROR:
            return "error";
        default:
            return "unknown type";
    }
}

/* What came back: nil, integer 5, status "OK", array of 3 elements... */
static void describe_reply(const redisReply *reply, char *text, size_t size)
{
    switch (reply->type) {
        case REDIS_REPLY_INTEGER:
            snprintf(text, size, "integer %lld", reply->integer);
            break;
        case REDIS_REPLY_ARRAY:
            snprintf(text, size, "array of %zu elements", reply->elements);
            break;
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_ERROR:
            snprintf(text, size, "%s ", type_name(reply->type));
            append_quoted(text, size, reply->str, reply->len, SHOWN_STRING_BYTES);
            break;
        default:
            snprintf(text, size, "%s", type_name(reply->type));
            break;
    }
}

/* Fails the test: "'COMMAND' answered REPLY, expected EXPECTATION". */
static void fail_exchange(const exchange *sent, const char *expectation)
{
    char command[SHOWN_TEXT_SIZE];
    char reply[SHOWN_TEXT_SIZE];
    describe_command(sent, command, sizeof command);
    describe_reply(sent->reply, reply, sizeof reply);
    fail_msg("'%s' answered %s, expected %s", command, reply, expectation);
}

/* ---- Running a command --------------------------------------------------- */

/* Formats and sends the command and reads its reply; fails the test when
 * it cannot be sent or no reply comes. */
static exchange exchange_run(redisContext *context, const char *format, va_list arguments)
{
    exchange sent = {NULL, 0, NULL};
    sent.command_length = redisvFormatCommand(&sent.command, format, arguments);
    if (sent.command_length < 0)
        fail_msg("'%s': the command could not be formatted (bad format or out of memory)", format);
    void *reply = NULL;
    if (redisAppendFormattedCommand(context, sent.command, (size_t)sent.command_length) !=
            REDIS_OK ||
        redisGetReply(context, &reply) != REDIS_OK || reply == NULL) {
        char command[SHOWN_TEXT_SIZE];
        describe_command(&sent, command, sizeof command);
        fail_msg("'%s': no reply: %s", command, context->errstr);
    }
    sent.reply = reply;
    return sent;
}

static void exchange_free(exchange *sent)
{
    freeReplyObject(sent->reply);
    redisFreeCommand(sent->command);
}

/* Runs a check's command from its variadic arguments. */
#define RUN_EXCHANGE(sent, context, format)               \
    exchange sent;                                        \
    do {                                                  \
        va_list arguments_;                               \
        va_start(arguments_, format);                     \
        sent = exchange_run(context, format, arguments_); \
        va_end(arguments_);                               \
    } while (0)

/* Whether the reply is a string of exactly these bytes. */
static int reply_has_bytes(const redisReply *reply, const char *bytes, size_t length)
{
    return reply->str != NULL && reply->len == length && memcmp(reply->str, bytes, length) == 0;
}

/* The expectation text for a kind of reply with these bytes: bulk "v". */
static void describe_expected(char *text, size_t size, const char *kind, const char *bytes,
                              size_t length)
{
    snprintf(text, size, "%s ", kind);
    append_quoted(text, size, bytes, length, SHOWN_STRING_BYTES);
}

/* Fails the test unless the reply is of type (status, bulk or error) with
 * exactly these bytes; frees the exchange when it passes. */
static void check_text(exchange *sent, int type, const char *expected, size_t length)
{
    if (sent->reply->type != type || !reply_has_bytes(sent->reply, expected, length)) {
        char expectation[SHOWN_TEXT_SIZE];
        describe_expected(expectation, sizeof expectation, type_name(type), expected, length);
        fail_exchange(sent, expectation);
    }
    exchange_free(sent);
}

/* ---- Commands whose reply the caller inspects ---------------------------- */

redisReply *reply_command(redisContext *context, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    redisFreeCommand(sent.command);
    return sent.reply;
}

redisReply *reply_vcommand(redisContext *context, const char *format, va_list arguments)
{
    exchange sent = exchange_run(context, format, arguments);
    redisFreeCommand(sent.command);
    return sent.reply;
}

void reply_send(redisContext *context, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    reply_vsend(context, format, arguments);
    va_end(arguments);
}

void reply_vsend(redisContext *context, const char *format, va_list arguments)
{
    if (redisvAppendCommand(context, format, arguments) != REDIS_OK)
        fail_msg("'%s' could not be queued: %s", format, context->errstr);
    int done = 0;
    while (!done)
        if (redisBufferWrite(context, &done) != REDIS_OK)
            fail_msg("'%s' could not be sent: %s", format, context->errstr);
}

redisReply *reply_read(redisContext *context)
{
    void *reply = NULL;
    if (redisGetReply(context, &reply) != REDIS_OK || reply == NULL)
        fail_msg("no reply: %s", context->errstr);
    return reply;
}

int reply_arrives_within(redisContext *context, int wait_ms)
{
    struct pollfd descriptor = {.fd = context->fd, .events = POLLIN};
    return poll(&descriptor, 1, wait_ms) > 0;
}

/* ---- Commands checked in one call ---------------------------------------- */

void reply_expect_success(redisContext *context, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    if (sent.reply->type == REDIS_REPLY_ERROR)
        fail_exchange(&sent, "success");
    exchange_free(&sent);
}

void reply_expect_status(redisContext *context, const char *expected, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    check_text(&sent, REDIS_REPLY_STATUS, expected, strlen(expected));
}

void reply_expect_integer(redisContext *context, long long expected, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    if (sent.reply->type != REDIS_REPLY_INTEGER || sent.reply->integer != expected) {
        char expectation[64];
        snprintf(expectation, sizeof expectation, "integer %lld", expected);
        fail_exchange(&sent, expectation);
    }
    exchange_free(&sent);
}

long long reply_integer(redisContext *context, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    if (sent.reply->type != REDIS_REPLY_INTEGER)
        fail_exchange(&sent, "an integer");
    long long value = sent.reply->integer;
    exchange_free(&sent);
    return value;
}

void reply_expect_bulk(redisContext *context, const char *expected, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    check_text(&sent, REDIS_REPLY_STRING, expected, strlen(expected));
}

void reply_expect_bulk_bytes(redisContext *context, const char *expected, size_t length,
                             const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    check_text(&sent, REDIS_REPLY_STRING, expected, length);
}

void reply_expect_nil(redisContext *context, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    if (sent.reply->type != REDIS_REPLY_NIL)
        fail_exchange(&sent, "nil");
    exchange_free(&sent);
}

void reply_expect_error(redisContext *context, const char *expected, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    check_text(&sent, REDIS_REPLY_ERROR, expected, strlen(expected));
}

void reply_expect_error_prefix(redisContext *context, const char *prefix, const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    size_t length = strlen(prefix);
    if (sent.reply->type != REDIS_REPLY_ERROR || sent.reply->len < length ||
        memcmp(sent.reply->str, prefix, length) != 0) {
        char expectation[SHOWN_TEXT_SIZE];
        describe_expected(expectation, sizeof expectation, "an error starting", prefix, length);
        fail_exchange(&sent, expectation);
    }
    exchange_free(&sent);
}

/* Whether array element i is the string expected. */
static int element_is(const redisReply *element, const char *expected)
{
    return (element->type == REDIS_REPLY_STRING || element->type == REDIS_REPLY_STATUS) &&
           reply_has_bytes(element, expected, strlen(expected));
}

void reply_expect_strings(redisContext *context, const char *const *expected, size_t count,
                          const char *format, ...)
{
    RUN_EXCHANGE(sent, context, format);
    const redisReply *reply = sent.reply;
    if (reply->type != REDIS_REPLY_ARRAY) {
        char expectation[64];
        snprintf(expectation, sizeof expectation, "an array of %zu strings", count);
        fail_exchange(&sent, expectation);
    }
    size_t first_difference = 0;
    while (first_difference < count && first_difference < reply->elements &&
           element_is(reply->element[first_difference], expected[first_difference]))
        first_difference++;
    if (first_difference < count || reply->elements != count) {
        char command[SHOWN_TEXT_SIZE];
        char got[SHOWN_TEXT_SIZE] = "(nothing)";
        char want[SHOWN_TEXT_SIZE] = "(nothing)";
        char answered[4096] = "";
        char wanted[4096] = "";
        describe_command(&sent, command, sizeof command);
        if (first_difference < reply->elements)
            describe_reply(reply->element[first_difference], got, sizeof got);
        if (first_difference < count)
            describe_expected(want, sizeof want, "bulk", expected[first_difference],
                              strlen(expected[first_difference]));
        for (size_t i = 0; i < reply->elements; i++) {
            char element[SHOWN_TEXT_SIZE];
            describe_reply(reply->element[i], element, sizeof element);
            append_text(answered, sizeof answered, i > 0 ? ", " : "");
            append_text(answered, sizeof answered, element);
        }
        for (size_t i = 0; i < count; i++) {
            append_text(wanted, sizeof wanted, i > 0 ? ", " : "");
            append_quoted(wanted, sizeof wanted, expected[i], strlen(expected[i]),
                          SHOWN_STRING_BYTES);
        }
        fail_msg("'%s' element #%zu is %s, expected %s\n  answered: [%s]\n  expected: [%s]",
                 command, first_difference, got, want, answered, wanted);
    }
    exchange_free(&sent);
}

/* ---- INFO ----------------------------------------------------------------- */

char *reply_info_text(redisContext *context, const char *section)
{
    redisReply *reply = reply_command(context, "INFO %s", section);
    if (reply->type != REDIS_REPLY_STRING) {
        char received[SHOWN_TEXT_SIZE];
        describe_reply(reply, received, sizeof received);
        fail_msg("'INFO %s' answered %s, expected bulk text", section, received);
    }
    char *text = malloc(reply->len + 1);
    if (text == NULL)
        fail_msg("'INFO %s': out of memory copying %zu bytes", section, reply->len);
    memcpy(text, reply->str, reply->len);
    text[reply->len] = '\0';
    freeReplyObject(reply);
    return text;
}

/* Where the value of "field:" starts on a line of INFO text, or NULL. */
static const char *find_field(const char *text, const char *field)
{
    size_t length = strlen(field);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, field, length) == 0 && line[length] == ':')
            return line + length + 1;
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return NULL;
}

long long reply_info_number(redisContext *context, const char *section, const char *field)
{
    char *text = reply_info_text(context, section);
    const char *value = find_field(text, field);
    if (value == NULL)
        fail_msg("INFO %s has no field %s:\n%s", section, field, text);
    long long number = strtoll(value, NULL, 10);
    free(text);
    return number;
}

/* ---- Raw RESP3 ------------------------------------------------------------ */

/* Whether text holds needle followed, somewhere after it, by a line end. */
static int holds_line_with(const char *text, const char *needle)
{
    const char *found = strstr(text, needle);
    return found != NULL && strstr(found + strlen(needle), "\r\n") != NULL;
}

void reply_raw_exchange(redisContext *context, const char *request, char *buffer, size_t size,
                        const char *needle)
{
    size_t length = strlen(request);
    ssize_t written = write(context->fd, request, length);
    if (written != (ssize_t)length)
        fail_msg("raw request: wrote %zd of %zu bytes", written, length);
    size_t used = 0;
    buffer[0] = '\0';
    while (!holds_line_with(buffer, needle)) {
        struct pollfd wait = {.fd = context->fd, .events = POLLIN};
        ssize_t got = -1;
        if (used + 1 < size && poll(&wait, 1, RAW_WAIT_MS) == 1)
            got = read(context->fd, buffer + used, size - used - 1);
        if (got <= 0) {
            char wanted[SHOWN_TEXT_SIZE] = "";
            char received[SHOWN_TEXT_SIZE] = "";
            append_quoted(wanted, sizeof wanted, needle, strlen(needle), SHOWN_STRING_BYTES);
            append_quoted(received, sizeof received, buffer, used, SHOWN_STRING_BYTES);
            fail_msg("raw reply never showed %s then a line end (%s); received %s", wanted,
                     used + 1 < size ? "connection closed or silent for 5 s" : "buffer full",
                     received);
        }
        used += (size_t)got;
        buffer[used] = '\0';
    }
}
