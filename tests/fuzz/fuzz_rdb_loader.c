/*
 * fuzz_rdb_loader.c - libFuzzer target for the persistence module's
 * loaders: RDB files (every opcode, value type and compact encoding, LZF,
 * module values), RDB-preamble and plain append-only files, and DUMP
 * payloads.  A crafted input must get an error, never a crash, a read out
 * of bounds, a leak or a hang.
 *
 * The loaders only talk to the server through include/dblite_module.h, so
 * the target links them against a small stand-in for the server written
 * here: memory through malloc with a live-allocation count (every value a
 * type builds must be freed again), five native types whose load methods
 * read the plain payloads (a count, then strings; for sorted sets a string
 * and a double each) the way the real types do, a module type reading
 * each kind of module field, and a keyspace that frees what it is given.
 *
 * The first input byte picks the mode; the rest is the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aof_load.h"
#include "crc64.h"
#include "dblite_module.h"
#include "rdb_load.h"
#include "rdb_reader.h"
#include "rdb_value_load.h"

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition)) {                                                             \
            fprintf(stderr, "invariant failed at line %d: %s\n", __LINE__, #condition); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* ---- the stand-in server ---- */

static long long live_allocations;
static int selected_db;
static int overwrite_counter;
static const crc64_tables *fuzz_crc_tables;

void *dblite_alloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);
    if (ptr != NULL)
        live_allocations++;
    return ptr;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    return realloc(ptr, size ? size : 1);
}

void dblite_free(void *ptr)
{
    if (ptr != NULL)
        live_allocations--;
    free(ptr);
}

void dblite_log(const dblite_module *module, const char *level, const char *format, ...)
{
    (void)module, (void)level, (void)format;
}

int dblite_bytes_equal_nocase(dblite_bytes arg, const char *word)
{
    size_t length = strlen(word);
    if (arg.len != length)
        return 0;
    for (size_t i = 0; i < length; i++) {
        char a = arg.ptr[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

int dblite_parse_long_long(dblite_bytes arg, long long *value)
{
    char text[32];
    if (arg.len == 0 || arg.len >= sizeof(text))
        return DBLITE_ERR_INVALID;
    memcpy(text, arg.ptr, arg.len);
    text[arg.len] = '\0';
    char *end;
    *value = strtoll(text, &end, 10);
    return *end == '\0' ? DBLITE_OK : DBLITE_ERR_INVALID;
}

size_t dblite_format_long_long(char *buf, size_t size, long long v)
{
    int length = snprintf(buf, size, "%lld", v);
    return length > 0 && (size_t)length < size ? (size_t)length : 0;
}

int dblite_database_count(void)
{
    return 16;
}
int dblite_ctx_select(dblite_ctx *ctx, int db)
{
    (void)ctx;
    if (db < 0 || db >= 16)
        return DBLITE_ERR_INVALID;
    selected_db = db;
    return DBLITE_OK;
}
int dblite_ctx_db(const dblite_ctx *ctx)
{
    (void)ctx;
    return selected_db;
}
int dblite_database_reserve(dblite_ctx *ctx, size_t count)
{
    (void)ctx, (void)count;
    return DBLITE_OK;
}
long long dblite_time_ms(void)
{
    return 1700000000000LL;
}
void dblite_loading_start(dblite_module *module, uint64_t total)
{
    (void)module, (void)total;
}
void dblite_loading_progress(dblite_module *module, uint64_t done)
{
    (void)module, (void)done;
}
void dblite_loading_end(dblite_module *module)
{
    (void)module;
}

/* Replayed commands: only their shape is checked. */
int dblite_call_replay(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)ctx;
    CHECK(argc >= 1);
    for (int i = 0; i < argc; i++)
        CHECK(argv[i].ptr != NULL || argv[i].len == 0);
    if (dblite_bytes_equal_nocase(argv[0], "nosuchcommand"))
        return DBLITE_ERR_NOTFOUND;
    return argv[0].len % 3 == 0 ? DBLITE_ERR : DBLITE_OK;
}

/* ---- streams ---- */

struct dblite_io {
    dblite_io_methods methods;
    void *stream;
    char error[128];
    int failed;
};

dblite_io *dblite_io_create(const dblite_io_methods *methods, void *stream)
{
    dblite_io *io = calloc(1, sizeof(*io));
    if (io == NULL)
        return NULL;
    io->methods = *methods;
    io->stream = stream;
    return io;
}
void dblite_io_destroy(dblite_io *io)
{
    free(io);
}
/* The fake types have no module behind them. */
void dblite_io_begin_value(dblite_io *io, const dblite_type *type)
{
    (void)io, (void)type;
}
const char *dblite_io_error(const dblite_io *io)
{
    return io->failed ? io->error : NULL;
}
void dblite_io_fail(dblite_io *io, const char *reason)
{
    if (!io->failed)
        snprintf(io->error, sizeof(io->error), "%s", reason);
    io->failed = 1;
}

#define FORWARD(method, ...)                                      \
    do {                                                          \
        if (io->failed || io->methods.method == NULL)             \
            return DBLITE_ERR_IO;                                 \
        int status = io->methods.method(io->stream, __VA_ARGS__); \
        if (status != DBLITE_OK)                                  \
            dblite_io_fail(io, #method " failed");                \
        return status;                                            \
    } while (0)

int dblite_io_read_unsigned(dblite_io *io, uint64_t *value)
{
    FORWARD(read_unsigned, value);
}
int dblite_io_read_signed(dblite_io *io, int64_t *value)
{
    FORWARD(read_signed, value);
}
int dblite_io_read_string(dblite_io *io, char **ptr, size_t *len)
{
    FORWARD(read_string, ptr, len);
}
int dblite_io_read_double(dblite_io *io, double *value)
{
    FORWARD(read_double, value);
}

/* ---- types ---- */

typedef struct fuzz_value {
    uint64_t items;
    size_t bytes;
} fuzz_value;

static void value_free(void *value)
{
    dblite_free(value);
}

/* A plain payload: a count, then that many strings (pairs for hashes). */
static void *collection_load(dblite_io *io, int strings_per_item)
{
    uint64_t count;
    if (dblite_io_read_unsigned(io, &count) != DBLITE_OK)
        return NULL;
    fuzz_value *value = dblite_alloc(sizeof(*value));
    if (value == NULL)
        return NULL;
    value->items = count;
    value->bytes = 0;
    for (uint64_t i = 0; i < count * (uint64_t)strings_per_item; i++) {
        char *ptr;
        size_t len;
        if (dblite_io_read_string(io, &ptr, &len) != DBLITE_OK) {
            dblite_free(value);
            return NULL;
        }
        CHECK(ptr != NULL);
        if (len) {
            /* Touch both ends: the sanitizer checks the buffer is that long. */
            volatile char ends = (char)(ptr[0] ^ ptr[len - 1]);
            (void)ends;
        }
        value->bytes += len;
        dblite_free(ptr);
    }
    return value;
}

static void *string_load(dblite_io *io, int version)
{
    (void)version;
    char *ptr;
    size_t len;
    if (dblite_io_read_string(io, &ptr, &len) != DBLITE_OK)
        return NULL;
    fuzz_value *value = dblite_alloc(sizeof(*value));
    if (value != NULL) {
        value->items = 1;
        value->bytes = len;
    }
    dblite_free(ptr);
    return value;
}

static void *list_load(dblite_io *io, int version)
{
    (void)version;
    return collection_load(io, 1);
}
static void *hash_load(dblite_io *io, int version)
{
    (void)version;
    return collection_load(io, 2);
}

/* Sorted sets (types 3, 5, 12, 17): a count, then member and score. */
static void *zset_load(dblite_io *io, int version)
{
    (void)version;
    uint64_t count;
    if (dblite_io_read_unsigned(io, &count) != DBLITE_OK)
        return NULL;
    fuzz_value *value = dblite_alloc(sizeof(*value));
    if (value == NULL)
        return NULL;
    value->items = count;
    value->bytes = 0;
    for (uint64_t i = 0; i < count; i++) {
        char *ptr;
        size_t len;
        double score;
        if (dblite_io_read_string(io, &ptr, &len) != DBLITE_OK) {
            dblite_free(value);
            return NULL;
        }
        value->bytes += len;
        dblite_free(ptr);
        if (dblite_io_read_double(io, &score) != DBLITE_OK) {
            dblite_free(value);
            return NULL;
        }
    }
    return value;
}

static void *module_load(dblite_io *io, int version)
{
    (void)version;
    uint64_t u;
    int64_t s;
    double d;
    char *ptr;
    size_t len;
    if (dblite_io_read_unsigned(io, &u) != DBLITE_OK ||
        dblite_io_read_signed(io, &s) != DBLITE_OK || dblite_io_read_double(io, &d) != DBLITE_OK ||
        dblite_io_read_string(io, &ptr, &len) != DBLITE_OK)
        return NULL;
    dblite_free(ptr);
    fuzz_value *value = dblite_alloc(sizeof(*value));
    if (value != NULL) {
        value->items = u;
        value->bytes = len;
    }
    return value;
}

struct dblite_type {
    const char *name;
    const char *snapshot_name;
    int encoding_version;
    int native_code;
    dblite_type_methods methods;
};

static struct dblite_type fuzz_types[] = {
    {"string",
     "dblstring",
     0,
     0,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = string_load}},
    {"list",
     "dbllist00",
     0,
     1,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = list_load}},
    {"set",
     "dblset---",
     0,
     2,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = list_load}},
    {"hash",
     "dblhash--",
     0,
     4,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = hash_load}},
    {"zset",
     "dblzset--",
     0,
     5,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = zset_load}},
    {"probe",
     "probetype",
     5,
     -1,
     {.api_version = DBLITE_API_VERSION, .free = value_free, .load = module_load}},
};

dblite_type *dblite_type_at(int index)
{
    return index >= 0 && index < (int)(sizeof(fuzz_types) / sizeof(fuzz_types[0]))
               ? &fuzz_types[index]
               : NULL;
}
const char *dblite_type_name(const dblite_type *type)
{
    return type->name;
}
const char *dblite_type_snapshot_name(const dblite_type *type)
{
    return type->snapshot_name;
}
int dblite_type_encoding_version(const dblite_type *type)
{
    return type->encoding_version;
}
int dblite_type_native_snapshot_code(const dblite_type *type)
{
    return type->native_code;
}
const dblite_type_methods *dblite_type_get_methods(const dblite_type *type)
{
    return &type->methods;
}

/* The keyspace keeps nothing; an odd key length counts as a duplicate so
 * the duplicate path runs too. */
int dblite_key_set(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, void *value,
                   int flags)
{
    (void)ctx, (void)flags;
    CHECK(value != NULL);
    CHECK(key.ptr != NULL || key.len == 0);
    type->methods.free(value);
    if (key.len % 7 == 3)
        overwrite_counter++;
    return DBLITE_OK;
}

static int fake_set_deadline(dblite_ctx *ctx, dblite_bytes key, long long deadline)
{
    (void)ctx, (void)key, (void)deadline;
    return DBLITE_OK;
}

static const dblite_expiry_service fuzz_expiry = {.version = 1, .set_deadline = fake_set_deadline};

/* ---- the target ---- */

static void fuzz_rdb(const uint8_t *data, size_t size, int verify, int store)
{
    rdb_load_options options = {
        .ctx = NULL,
        .crc_tables = fuzz_crc_tables,
        .expiry = &fuzz_expiry,
        .store = store,
        .verify_checksum = verify,
        .now_ms = dblite_time_ms(),
        .overwrite_seen = &overwrite_counter,
    };
    rdb_load_result result;
    int status = rdb_load(data, size, &options, &result);
    CHECK(status == 0 || result.error[0] != '\0');
    if (status == 0)
        CHECK(result.consumed <= size);
}

static void fuzz_aof(const uint8_t *data, size_t size)
{
    size_t start = 0;
    if (rdb_looks_like_rdb(data, size)) {
        rdb_load_options options = {.crc_tables = fuzz_crc_tables,
                                    .expiry = &fuzz_expiry,
                                    .store = 1,
                                    .now_ms = dblite_time_ms(),
                                    .overwrite_seen = &overwrite_counter};
        rdb_load_result result;
        if (rdb_load(data, size, &options, &result) != 0)
            return;
        start = result.consumed;
    }
    aof_load_result result = {0};
    char error[512];
    int status = aof_replay_buffer(NULL, NULL, data, size, start, &result, error, sizeof(error));
    CHECK(result.valid_length <= size);
    CHECK(status == 0 || error[0] != '\0');
    /* A MULTI without its EXEC is only ever a cut-off tail. */
    CHECK(!result.reverted_transaction || result.truncated);
}

/* A DUMP payload body: the type byte and the value, as RESTORE reads it. */
static void fuzz_payload(const uint8_t *data, size_t size)
{
    rdb_reader reader;
    rdb_reader_init(&reader, data, size);
    value_loader loader;
    CHECK(value_loader_init(&loader, &reader) == 0);
    unsigned char type_byte;
    if (rdb_read_byte(&reader, &type_byte) == 0 && rdb_is_value_type(type_byte)) {
        const dblite_type *type;
        void *value;
        char error[400];
        if (value_loader_read(&loader, type_byte, &type, &value, error, sizeof(error)) == 0 &&
            value != NULL)
            dblite_type_get_methods(type)->free(value);
        CHECK(reader.position <= size);
    }
    value_loader_release(&loader);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static crc64_tables tables;
    if (fuzz_crc_tables == NULL) {
        crc64_tables_init(&tables);
        fuzz_crc_tables = &tables;
    }
    if (size < 1)
        return 0;
    long long allocations_before = live_allocations;
    /* The file gets its own exact-size copy so reading past it is caught. */
    uint8_t *file = malloc(size - 1 ? size - 1 : 1);
    CHECK(file != NULL);
    memcpy(file, data + 1, size - 1);
    switch (data[0] % 5) {
        case 0:
            fuzz_rdb(file, size - 1, 0, 1);
            break;
        case 1:
            fuzz_rdb(file, size - 1, 1, 0);
            break;
        case 2:
        case 3:
            fuzz_aof(file, size - 1);
            break;
        default:
            fuzz_payload(file, size - 1);
            break;
    }
    free(file);
    CHECK(live_allocations == allocations_before);
    return 0;
}
