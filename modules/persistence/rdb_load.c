/*
 * rdb_load.c - see rdb_load.h.  The loop reads one opcode or value type at
 * a time; deadlines (EXPIRETIME_MS) apply to the key that follows.
 */
#include "rdb_load.h"

#include <stdio.h>
#include <string.h>

#include "rdb_format.h"
#include "rdb_reader.h"
#include "rdb_value_load.h"

#define PROGRESS_EVERY_KEYS 1024
#define NO_DEADLINE (-1)

typedef struct load_state {
    rdb_reader reader;
    value_loader values;
    scratch_buffer key_scratch;
    scratch_buffer aux_scratch;
    const rdb_load_options *options;
    rdb_load_result *result;
} load_state;

int rdb_looks_like_rdb(const unsigned char *data, size_t length)
{
    if (length < RDB_HEADER_LENGTH || memcmp(data, RDB_MAGIC, RDB_MAGIC_LENGTH) != 0)
        return 0;
    for (int i = RDB_MAGIC_LENGTH; i < RDB_HEADER_LENGTH; i++)
        if (data[i] < '0' || data[i] > '9')
            return 0;
    return 1;
}

static int reader_error(load_state *state)
{
    snprintf(state->result->error, sizeof(state->result->error), "%s", state->reader.error);
    state->result->truncated = state->reader.truncated;
    return -1;
}

static int load_error(load_state *state, const char *message)
{
    snprintf(state->result->error, sizeof(state->result->error), "%s (at byte %zu)", message,
             state->reader.position);
    state->result->truncated = state->reader.truncated;
    return -1;
}

/* Module auxiliary data is a run of module fields up to the module EOF
 * opcode; without the module it is skipped field by field. */
static int skip_module_fields(load_state *state)
{
    rdb_reader *reader = &state->reader;
    for (;;) {
        uint64_t opcode, number;
        const unsigned char *bytes;
        if (rdb_read_length(reader, &opcode) != 0)
            return reader_error(state);
        switch (opcode) {
            case RDB_MODULE_OPCODE_EOF:
                return 0;
            case RDB_MODULE_OPCODE_SINT:
            case RDB_MODULE_OPCODE_UINT:
                if (rdb_read_length(reader, &number) != 0)
                    return reader_error(state);
                break;
            case RDB_MODULE_OPCODE_FLOAT:
                if (rdb_read_view(reader, 4, &bytes) != 0)
                    return reader_error(state);
                break;
            case RDB_MODULE_OPCODE_DOUBLE:
                if (rdb_read_view(reader, 8, &bytes) != 0)
                    return reader_error(state);
                break;
            case RDB_MODULE_OPCODE_STRING:
                if (rdb_skip_string(reader) != 0)
                    return reader_error(state);
                break;
            default:
                return load_error(state, "unknown field in module auxiliary data");
        }
    }
}

static int read_header(load_state *state)
{
    const unsigned char *header;
    if (rdb_read_view(&state->reader, RDB_HEADER_LENGTH, &header) != 0)
        return reader_error(state);
    if (!rdb_looks_like_rdb(header, RDB_HEADER_LENGTH))
        return load_error(state, "not an RDB file (no REDIS signature)");
    int version = 0;
    for (int i = RDB_MAGIC_LENGTH; i < RDB_HEADER_LENGTH; i++)
        version = version * 10 + (header[i] - '0');
    state->result->version = version;
    if (version < 1 || version > RDB_VERSION) {
        snprintf(state->result->error, sizeof(state->result->error),
                 "RDB format version %d is not supported (this server reads versions 1 to %d)",
                 version, RDB_VERSION);
        return -1;
    }
    return 0;
}

static int check_footer(load_state *state, size_t eof_position)
{
    state->result->consumed = state->reader.position;
    if (state->result->version < RDB_FIRST_CHECKSUMMED_VERSION)
        return 0;
    uint64_t stored;
    if (rdb_read_u64_le(&state->reader, &stored) != 0)
        return reader_error(state);
    state->result->consumed = state->reader.position;
    if (!state->options->verify_checksum || stored == 0)
        return 0;
    uint64_t computed =
        crc64_update(state->options->crc_tables, 0, state->reader.data, eof_position + 1);
    if (computed != stored) {
        snprintf(
            state->result->error, sizeof(state->result->error),
            "checksum mismatch: the file says %016llx, its content gives %016llx (the file is damaged)",
            (unsigned long long)stored, (unsigned long long)computed);
        return -1;
    }
    return 0;
}

static int store_key(load_state *state, rdb_string key, const dblite_type *type, void *value,
                     long long deadline)
{
    const rdb_load_options *options = state->options;
    rdb_load_result *result = state->result;
    if (deadline != NO_DEADLINE && deadline < options->now_ms) {
        dblite_type_get_methods(type)->free(value);
        result->keys_expired++;
        return 0;
    }
    if (!options->store) {
        dblite_type_get_methods(type)->free(value);
        result->keys_loaded++;
        return 0;
    }
    dblite_bytes name = {(const char *)key.ptr, key.length};
    int overwritten_before = options->overwrite_seen ? *options->overwrite_seen : 0;
    if (dblite_key_set(options->ctx, name, type, value, DBLITE_SET_DEFAULT) != DBLITE_OK)
        return load_error(state, "out of memory storing a key");
    if (options->overwrite_seen && *options->overwrite_seen != overwritten_before) {
        char message[200];
        snprintf(message, sizeof(message), "duplicate key '%.*s' in database %d",
                 (int)(key.length < 64 ? key.length : 64), (const char *)key.ptr,
                 dblite_ctx_db(options->ctx));
        return load_error(state, message);
    }
    if (deadline != NO_DEADLINE && options->expiry != NULL &&
        options->expiry->set_deadline(options->ctx, name, deadline) != DBLITE_OK)
        return load_error(state, "out of memory storing a key's deadline");
    result->keys_loaded++;
    if (options->progress_module != NULL && result->keys_loaded % PROGRESS_EVERY_KEYS == 0)
        dblite_loading_progress(options->progress_module, state->reader.position);
    return 0;
}

static int load_key_value(load_state *state, unsigned char type_byte, long long deadline)
{
    rdb_string key;
    if (rdb_read_string(&state->reader, &state->key_scratch, &key) != 0)
        return reader_error(state);
    const dblite_type *type;
    void *value;
    if (value_loader_read(&state->values, type_byte, &type, &value, state->result->error,
                          sizeof(state->result->error)) != 0) {
        state->result->truncated = state->reader.truncated;
        return -1;
    }
    if (value == NULL) {
        state->result->keys_empty++;
        return 0;
    }
    return store_key(state, key, type, value, deadline);
}

static int load_body(load_state *state)
{
    rdb_reader *reader = &state->reader;
    const rdb_load_options *options = state->options;
    long long deadline = NO_DEADLINE;
    uint64_t first, second;
    rdb_string aux;
    for (;;) {
        size_t opcode_position = reader->position;
        unsigned char opcode;
        if (rdb_read_byte(reader, &opcode) != 0)
            return reader_error(state);
        switch (opcode) {
            case RDB_OPCODE_EOF:
                return check_footer(state, opcode_position);
            case RDB_OPCODE_EXPIRETIME_MS:
                if (rdb_read_u64_le(reader, &first) != 0)
                    return reader_error(state);
                deadline = (long long)first;
                continue;
            case RDB_OPCODE_EXPIRETIME: {
                uint32_t seconds;
                if (rdb_read_u32_le(reader, &seconds) != 0)
                    return reader_error(state);
                deadline = (long long)seconds * 1000;
                continue;
            }
            case RDB_OPCODE_SELECTDB:
                if (rdb_read_length(reader, &first) != 0)
                    return reader_error(state);
                if (first >= (uint64_t)dblite_database_count()) {
                    snprintf(
                        state->result->error, sizeof(state->result->error),
                        "the file has keys in database %llu but the server has %d databases (raise 'databases')",
                        (unsigned long long)first, dblite_database_count());
                    return -1;
                }
                dblite_ctx_select(options->ctx, (int)first);
                continue;
            case RDB_OPCODE_RESIZEDB:
                if (rdb_read_length(reader, &first) != 0 || rdb_read_length(reader, &second) != 0)
                    return reader_error(state);
                /* Size the table once; a hint beyond what the rest of the file
             * could hold (a damaged count) is not worth honouring. */
                if (options->store && options->ctx != NULL &&
                    first <= (reader->length - reader->position) / 3)
                    dblite_database_reserve(options->ctx, (size_t)first);
                continue;
            case RDB_OPCODE_AUX:
                if (rdb_read_string(reader, &state->aux_scratch, &aux) != 0 ||
                    rdb_skip_string(reader) != 0)
                    return reader_error(state);
                continue;
            case RDB_OPCODE_IDLE:
                if (rdb_read_length(reader, &first) != 0)
                    return reader_error(state);
                continue;
            case RDB_OPCODE_FREQ:
                if (rdb_read_byte(reader, &opcode) != 0)
                    return reader_error(state);
                continue;
            case RDB_OPCODE_MODULE_AUX:
                if (rdb_read_length(reader, &first) != 0 || rdb_read_length(reader, &second) != 0 ||
                    second != RDB_MODULE_OPCODE_UINT || rdb_read_length(reader, &second) != 0)
                    return state->reader.failed
                               ? reader_error(state)
                               : load_error(state, "malformed module auxiliary data");
                if (skip_module_fields(state) != 0)
                    return -1;
                state->result->skipped_module_aux++;
                continue;
            case RDB_OPCODE_FUNCTION2:
                if (rdb_skip_string(reader) != 0)
                    return reader_error(state);
                state->result->skipped_functions++;
                continue;
            case RDB_OPCODE_FUNCTION_PRE_GA:
                return load_error(state, "the file holds functions in a pre-release format");
            default:
                if (!rdb_is_value_type(opcode)) {
                    char message[80];
                    snprintf(message, sizeof(message), "unknown RDB opcode or value type %d",
                             opcode);
                    reader->position = opcode_position;
                    return load_error(state, message);
                }
                if (load_key_value(state, opcode, deadline) != 0)
                    return -1;
                deadline = NO_DEADLINE;
                continue;
        }
    }
}

int rdb_verify_file_checksum(const unsigned char *data, size_t length, const crc64_tables *tables,
                             rdb_load_result *result)
{
    memset(result, 0, sizeof(*result));
    if (length < RDB_HEADER_LENGTH + 9 || memcmp(data, "REDIS", RDB_MAGIC_LENGTH) != 0 ||
        data[length - 9] != 0xFF)
        return 0;
    int version = 0;
    for (int i = RDB_MAGIC_LENGTH; i < RDB_HEADER_LENGTH; i++) {
        if (data[i] < '0' || data[i] > '9')
            return 0;
        version = version * 10 + (data[i] - '0');
    }
    if (version < RDB_FIRST_CHECKSUMMED_VERSION)
        return 0;
    uint64_t stored = 0;
    for (int i = 7; i >= 0; i--)
        stored = (stored << 8) | data[length - 8 + (size_t)i];
    if (stored == 0)
        return 0;
    uint64_t computed = crc64_update(tables, 0, data, length - 8);
    if (computed == stored)
        return 0;
    snprintf(
        result->error, sizeof(result->error),
        "checksum mismatch: the file says %016llx, its content gives %016llx (the file is damaged)",
        (unsigned long long)stored, (unsigned long long)computed);
    return -1;
}

int rdb_load(const unsigned char *data, size_t length, const rdb_load_options *options,
             rdb_load_result *result)
{
    memset(result, 0, sizeof(*result));
    load_state state = {.options = options, .result = result};
    rdb_reader_init(&state.reader, data, length);
    if (value_loader_init(&state.values, &state.reader) != 0) {
        snprintf(result->error, sizeof(result->error), "out of memory");
        return -1;
    }
    if (options->ctx != NULL)
        dblite_ctx_select(options->ctx, 0);
    int status = read_header(&state);
    if (status == 0)
        status = load_body(&state);
    value_loader_release(&state.values);
    scratch_buffer_release(&state.key_scratch);
    scratch_buffer_release(&state.aux_scratch);
    return status;
}
