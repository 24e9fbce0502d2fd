/*
 * dump_commands.c - DUMP and RESTORE.
 *
 * DUMP answers Redis's serialized form of one value: the RDB type byte and
 * payload, the RDB version as two bytes, and a CRC-64 of all that, so
 * payloads move between dblite and Redis either way.  RESTORE key ttl
 * payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f] is Redis's and the only
 * form served here: DBLite's RESTORE <file> names a file, so it lives on
 * the dialect's port only, confined to 'dir' (files_service.c).
 */
#include <stdio.h>
#include <string.h>

#include "output_buffer.h"
#include "persistence.h"
#include "rdb_encode.h"
#include "rdb_format.h"
#include "rdb_reader.h"
#include "rdb_value_load.h"
#include "rdb_value_save.h"

#define DUMP_FOOTER_LENGTH 10 /* version (2 bytes) and CRC-64 (8 bytes) */

void persistence_dump_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    persistence_state *state = persistence_state_of(ctx);
    const dblite_type *type;
    void *value = dblite_key_value(ctx, argv[1], DBLITE_LOOKUP_READ, &type);
    if (value == NULL) {
        /* A read of a missing key, as Redis's lookupKeyRead announces it. */
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", argv[1]);
        dblite_reply_null(ctx);
        return;
    }
    output_buffer out;
    value_saver saver;
    if (output_buffer_init(&out, -1, 256, &state->crc_tables) != 0) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    if (value_saver_init(&saver, &out) != 0) {
        output_buffer_release(&out);
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    char error[400];
    int status = value_saver_write(&saver, NULL, type, value, error, sizeof(error));
    value_saver_release(&saver);
    if (status == 0) {
        unsigned char version[2] = {RDB_VERSION & 0xff, RDB_VERSION >> 8};
        if (output_buffer_write(&out, version, 2) != 0 ||
            rdb_encode_u64_le(&out, output_buffer_crc(&out)) != 0) {
            snprintf(error, sizeof(error), "%s", output_buffer_error(&out));
            status = -1;
        }
    }
    if (status == 0)
        dblite_reply_bulk(ctx, (const char *)out.data, out.used);
    else
        dblite_reply_error_format(ctx, "ERR %s", error);
    output_buffer_release(&out);
}

static int payload_valid(const persistence_state *state, dblite_bytes payload)
{
    if (payload.len < DUMP_FOOTER_LENGTH)
        return 0;
    const unsigned char *bytes = (const unsigned char *)payload.ptr;
    const unsigned char *footer = bytes + payload.len - DUMP_FOOTER_LENGTH;
    int version = footer[0] | (footer[1] << 8);
    if (version > RDB_VERSION)
        return 0;
    uint64_t stored = 0;
    for (int i = 7; i >= 0; i--)
        stored = (stored << 8) | footer[2 + i];
    return crc64_update(&state->crc_tables, 0, bytes, payload.len - 8) == stored;
}

typedef struct restore_options {
    long long ttl;
    int replace;
    int absolute_ttl;
} restore_options;

/* Parses the options after the payload; replies and returns -1 on error.
 * The order of checks is Redis's: options, existing key, TTL, payload. */
static int parse_restore_options(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                 restore_options *options)
{
    memset(options, 0, sizeof(*options));
    int idle_given = 0, freq_given = 0;
    for (int i = 4; i < argc; i++) {
        long long number;
        if (dblite_bytes_equal_nocase(argv[i], "REPLACE")) {
            options->replace = 1;
        } else if (dblite_bytes_equal_nocase(argv[i], "ABSTTL")) {
            options->absolute_ttl = 1;
        } else if (dblite_bytes_equal_nocase(argv[i], "IDLETIME") && i + 1 < argc && !freq_given) {
            if (dblite_parse_long_long(argv[++i], &number) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return -1;
            }
            if (number < 0) {
                dblite_reply_error(ctx, "ERR Invalid IDLETIME value, must be >= 0");
                return -1;
            }
            idle_given = 1;
        } else if (dblite_bytes_equal_nocase(argv[i], "FREQ") && i + 1 < argc && !idle_given) {
            if (dblite_parse_long_long(argv[++i], &number) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return -1;
            }
            if (number < 0 || number > 255) {
                dblite_reply_error(ctx, "ERR Invalid FREQ value, must be >= 0 and <= 255");
                return -1;
            }
            freq_given = 1;
        } else {
            dblite_reply_syntax_error(ctx);
            return -1;
        }
    }
    return 0;
}

/* The TTL argument, checked after the key as Redis does; replies and
 * returns -1 on error. */
static int parse_restore_ttl(dblite_ctx *ctx, dblite_bytes argument, long long *ttl)
{
    if (dblite_parse_long_long(argument, ttl) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return -1;
    }
    if (*ttl < 0) {
        dblite_reply_error(ctx, "ERR Invalid TTL value, must be >= 0");
        return -1;
    }
    return 0;
}

/* Decodes the payload into a value; replies and returns -1 on error.  As
 * in Redis, the value is read from the whole payload (a value may run into
 * the footer bytes) and nothing checks that it ends where the footer
 * starts: the checksum already vouches for the bytes. */
static int decode_payload(dblite_ctx *ctx, dblite_bytes payload, const dblite_type **type,
                          void **value)
{
    rdb_reader reader;
    rdb_reader_init(&reader, payload.ptr, payload.len);
    value_loader loader;
    if (value_loader_init(&loader, &reader) != 0) {
        dblite_reply_error(ctx, "ERR out of memory");
        return -1;
    }
    unsigned char type_byte;
    char error[400];
    int status = rdb_read_byte(&reader, &type_byte);
    if (status == 0 && !rdb_is_value_type(type_byte))
        status = -1;
    if (status == 0)
        status = value_loader_read(&loader, type_byte, type, value, error, sizeof(error));
    value_loader_release(&loader);
    if (status == 0 && *value == NULL)
        status = -1;
    if (status != 0) {
        dblite_reply_error(ctx, "ERR Bad data format");
        return -1;
    }
    return 0;
}

void dump_restore_and_reply(persistence_state *state, dblite_ctx *ctx, int argc,
                            const dblite_bytes *argv)
{
    restore_options options;
    if (parse_restore_options(ctx, argc, argv, &options) != 0)
        return;
    dblite_bytes key = argv[1];
    if (!options.replace && dblite_key_type(ctx, key, DBLITE_LOOKUP_WRITE) != NULL) {
        dblite_reply_error(ctx, "BUSYKEY Target key name already exists.");
        return;
    }
    if (parse_restore_ttl(ctx, argv[2], &options.ttl) != 0)
        return;
    if (!payload_valid(state, argv[3])) {
        dblite_reply_error(ctx, "ERR DUMP payload version or checksum are wrong");
        return;
    }
    if (options.ttl > 0 && state->expiry == NULL) {
        dblite_reply_error(ctx, "ERR TTL needs the expiry module, which is not loaded");
        return;
    }
    const dblite_type *type;
    void *value;
    if (decode_payload(ctx, argv[3], &type, &value) != 0)
        return;
    long long deadline = 0;
    if (options.ttl > 0)
        deadline = options.absolute_ttl ? options.ttl : dblite_time_ms() + options.ttl;
    int replaced = options.replace && dblite_key_delete(ctx, key);
    if (deadline > 0 && deadline <= dblite_time_ms()) {
        /* Already dead: Redis answers OK and stores nothing (the key it
         * replaced is announced as deleted). */
        dblite_type_get_methods(type)->free(value);
        if (replaced)
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        dblite_reply_ok(ctx);
        return;
    }
    if (dblite_key_set(ctx, key, type, value, DBLITE_SET_DEFAULT) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    if (deadline > 0 && state->expiry->set_deadline(ctx, key, deadline) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "restore", key);
    /* Logs and replicas get the absolute deadline, so a replay later does
     * not stretch the key's life. */
    char number[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t length = dblite_format_long_long(number, sizeof(number), deadline);
    dblite_bytes propagated[6] = {{"RESTORE", 7}, key,          {number, length}, argv[3],
                                  {"REPLACE", 7}, {"ABSTTL", 6}};
    dblite_propagate_replace(ctx, 6, propagated);
    dblite_reply_ok(ctx);
}

void persistence_restore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    dump_restore_and_reply(persistence_state_of(ctx), ctx, argc, argv);
}
