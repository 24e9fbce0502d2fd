/*
 * dblite_module.h - the public module API of dblite: the plugin author's
 * header.
 *
 * Everything a module (a data-type family or a user's plugin) needs is
 * declared here: commands, replies, keys, types, settings, timers, events,
 * services and utilities.  What only infrastructure modules use (snapshot
 * streams, replay, loading, dialect listeners, write gates...) is in
 * dblite_provider.h, which includes this one; services other modules export
 * have their own headers (dblite_expiry_service.h for TTLs).  Nothing else
 * of the server is visible to a module: it exports only these functions.
 * A module is a shared object with two symbols:
 *
 *     DBLITE_MODULE_DECLARE();                       (exports the API version)
 *     int dblite_module_init(dblite_module *module)  (registers everything)
 *
 * The server calls dblite_module_init once at startup, after checking that
 * the module was compiled against an API version it provides.  The API only
 * grows: functions are added, never changed or removed, and every struct a
 * module fills in starts with the API version it was written against, so an
 * older module keeps loading into a newer server.  A module compiled against
 * a newer API than the server offers is refused at startup with a clear error.
 *
 * All functions run on the server's single command thread.  None of them is
 * safe to call from another thread.
 *
 * Conventions: functions returning int answer DBLITE_OK (0) on success and a
 * negative DBLITE_ERR_* value on failure; pointers returned by the server are
 * owned by the server unless the comment says otherwise.
 */
#ifndef DBLITE_MODULE_H
#define DBLITE_MODULE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header.  Bumped each time functions are added; the server
 * loads modules built against any version from 1 up to its own.
 *   1  the first release.
 *   2  dblite_calloc; key handles (dblite_key_find_handle,
 *      dblite_key_handle_name, dblite_event.handle/target_handle); dead-key
 *      counters (dblite_keyspace_dead_counter_register).
 *   3  write gates (dblite_write_gate_register); the module behind a
 *      stream (dblite_io_module, dblite_io_begin_value); the encoding type
 *      method (OBJECT ENCODING).
 *   4  shutdown preparation (DBLITE_EVENT_SHUTDOWN_PREPARE,
 *      dblite_shutdown_refuse, DBLITE_SHUTDOWN_NOW/FORCE); setting checks
 *      (dblite_config_check) and the DBLITE_CONFIG_PROTECTED/FILE_NAME
 *      setting flags.
 *   5  key lookup that replies WRONGTYPE itself (dblite_key_lookup_or_reply,
 *      dblite_key_lookup_slot_or_reply); command privdata
 *      (dblite_command_spec.privdata, dblite_ctx_command_privdata) and
 *      whole command tables (dblite_command_register_table,
 *      DBLITE_COMMAND); services reaching their exporter's data
 *      (dblite_service_data); module data with a destructor
 *      (dblite_module_set_data_free); typed server settings
 *      (dblite_config_server_integer/_memory/_boolean);
 *      dblite_module_loaded; the server's own algorithms (dblite_glob_match,
 *      dblite_format_long_long, dblite_format_double, dblite_hash_keyed,
 *      dblite_parse_scan_cursor, dblite_parse_memory_size); a
 *      dblite_module_fail from a STARTED handler stops startup.  The
 *      declarations only infrastructure modules use moved to
 *      dblite_provider.h (the functions are unchanged).
 *   6  (pubsub) client handles (dblite_client, dblite_ctx_client,
 *      dblite_client_id); per-client module state (dblite_client_set_state,
 *      dblite_client_get_state); delivery to another client
 *      (dblite_client_deliver, dblite_reply_push); client modes
 *      (dblite_client_mode, dblite_client_set_mode,
 *      dblite_client_set_subscription_counts); transactions
 *      (dblite_ctx_in_transaction).
 *      (ops) CLIENT PAUSE: dblite_server_paused_writes,
 *      dblite_key_lookup_hide; the may-replicate command flag; a push
 *      (dblite_reply_push) passes CLIENT REPLY OFF/SKIP;
 *      (notify) keyspace notifications (dblite_notify_keyspace_event, the
 *      DBLITE_NOTIFY_* classes, DBLITE_EVENT_KEYSPACE_NOTIFICATION and
 *      dblite_event.notification).
 *   7  the no-multi command flag (refused inside MULTI, as SAVE).
 *   8  setting aliases (dblite_config_alias); nested command calls
 *      (dblite_call and its reply tree, see "Calling commands"); the
 *      movablekeys command flag and dblite_command_spec.get_keys. */
#define DBLITE_API_VERSION 8

/* Put once in a module's source: exports the API version the module was
 * compiled against, which the loader checks before calling the entry point. */
#define DBLITE_MODULE_DECLARE() \
    __attribute__((visibility("default"))) const int dblite_module_api_version = DBLITE_API_VERSION

/* ---- Status codes ------------------------------------------------------ */

#define DBLITE_OK 0
#define DBLITE_ERR -1           /* generic failure, reason logged or replied */
#define DBLITE_ERR_NOMEM -2     /* an allocation failed */
#define DBLITE_ERR_EXISTS -3    /* the name is already taken */
#define DBLITE_ERR_INVALID -4   /* an argument is out of range or malformed */
#define DBLITE_ERR_WRONGTYPE -5 /* the key holds a value of another type */
#define DBLITE_ERR_NOTFOUND -6  /* no such key, service, type or timer */
#define DBLITE_ERR_IO -7        /* a snapshot stream failed */

/* ---- Opaque handles ---------------------------------------------------- */

typedef struct dblite_module dblite_module;     /* a loaded module, during init and after */
typedef struct dblite_ctx dblite_ctx;           /* one command call, hook or timer run */
typedef struct dblite_type dblite_type;         /* a registered value type */
typedef struct dblite_io dblite_io;             /* a snapshot stream (save/load) */
typedef struct dblite_rewriter dblite_rewriter; /* receives commands that rebuild a key */
typedef struct dblite_info dblite_info;         /* an INFO section being written */
typedef uint64_t dblite_timer_id;               /* a timer; 0 is never a valid one */

/* The entry point every module defines.  Return DBLITE_OK, or an error after
 * dblite_module_fail() explained why; the server then refuses to start. */
__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module);

/* A binary-safe byte string that the caller owns; not NUL-terminated
 * (command arguments point straight into the request buffer). */
typedef struct dblite_bytes {
    const char *ptr;
    size_t len;
} dblite_bytes;

/* ---- Module identity and failure --------------------------------------- */

/* The name the module was loaded under ("strings" for strings.so). */
const char *dblite_module_name(const dblite_module *module);

/* Record why initialisation failed; the loader prints it beside the module
 * name and stops startup.  printf-style.  (API 5) Called from a
 * DBLITE_EVENT_STARTED handler (a port that cannot be bound, a file that
 * cannot be loaded) it stops startup too, once every STARTED handler has
 * run: the server exits with status 1 before serving any client, and the
 * SHUTDOWN event carries DBLITE_SHUTDOWN_NOSAVE, so modules that did
 * start close cleanly (rather than exit() from a hook). */
void dblite_module_fail(dblite_module *module, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Private data of a module, for handlers that get no pointer of their own
 * (commands, services): set it in init, read it back from any context
 * (dblite_ctx_module), or in a type's save or load method from its stream
 * (dblite_io_module).  get_data answers NULL for a NULL module. */
void dblite_module_set_data(dblite_module *module, void *data);
void *dblite_module_get_data(const dblite_module *module);
/* The module whose command, hook, timer or block callback is running. */
dblite_module *dblite_ctx_module(const dblite_ctx *ctx);
/* (API 5) As dblite_module_set_data, and free_fn(data) runs once when the
 * server exits cleanly, after the keyspace was freed (so the module's types
 * may still use the data while their values are freed) and after every
 * hook, in reverse load order (a module's data is freed before the data of
 * modules it was loaded after).  The module needs no SHUTDOWN hook for it.
 * Timers have stopped by then (dblite_timer_cancel answers
 * DBLITE_ERR_NOTFOUND) and no client is connected.  A later call replaces
 * both (the previous data is not freed); free_fn may be NULL. */
typedef void (*dblite_data_free_fn)(void *data);
void dblite_module_set_data_free(dblite_module *module, void *data, dblite_data_free_fn free_fn);
/* (API 5) 1 when a module of that name ("persistence") is loaded, else 0.
 * Modules load in config order: from init only those before the caller are
 * known, from a DBLITE_EVENT_STARTED handler (or any command) all are. */
int dblite_module_loaded(const char *name);

/* Write a line to the server log at a level: "debug", "verbose", "notice"
 * or "warning" (Redis's names; anything else logs at "notice").  The module
 * name is prefixed. */
void dblite_log(const dblite_module *module, const char *level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Memory ------------------------------------------------------------ */

/* The server's allocator: memory taken here counts in INFO's used_memory.
 * dblite_alloc returns NULL when the system is out of memory, and callers
 * must handle that; a size of 0 still gives a valid block. */
void *dblite_alloc(size_t size);
/* As dblite_alloc, zero-filled.  Prefer it to alloc + memset for big
 * arrays: fresh pages from the system are already zero and are not touched
 * until used, so a large table costs no up-front pass over its memory.
 * Since API version 2. */
void *dblite_calloc(size_t size);
/* As realloc: a NULL ptr allocates; on failure it returns NULL and ptr is
 * left as it was. */
void *dblite_realloc(void *ptr, size_t size);
/* Frees what dblite_alloc/realloc returned (and server-allocated buffers
 * handed to the module); NULL is accepted. */
void dblite_free(void *ptr);
/* Bytes actually reserved for ptr (at least what was asked); 0 for NULL. */
size_t dblite_alloc_size(const void *ptr);

/* ---- Commands ---------------------------------------------------------- */

/* A command handler: argv[0] is the command name as the client sent it.
 * The argument bytes stay valid until the handler returns; copy what you keep.
 * Every call must produce exactly one reply (which may be an aggregate). */
typedef void (*dblite_command_fn)(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* A command, as a module describes it to dblite_command_register() (which
 * copies what it keeps, so a static table will do). */
typedef struct dblite_command_spec {
    int api_version;  /* set to DBLITE_API_VERSION */
    const char *name; /* lowercase, unique across all modules */
    int arity;        /* Redis convention: N exact, -N at least N (name included) */
    /* Space-separated flags: write readonly fast admin deny-oom blocking
     * no-auth loading stale noscript may-replicate (API 6: not a write, but
     * propagated, as PUBLISH; CLIENT PAUSE WRITE holds it) no-multi (API 7:
     * refused inside MULTI with Redis's error, as SAVE and SHUTDOWN) movablekeys
     * (API 8: some keys are found by parsing the arguments, as SORT's STORE
     * destination; COMMAND INFO shows the flag, key positions stay the
     * declared range).  An unknown flag refuses registration. */
    const char *flags;
    int first_key, last_key, key_step; /* Redis convention; 0,0,0 for no keys */
    dblite_command_fn handler;
    const char *summary;   /* one line for COMMAND DOCS and help, may be NULL */
    const char *since;     /* version string for COMMAND DOCS, may be NULL */
    const char *group;     /* "string", "list", "generic"... may be NULL */
    const char *arguments; /* usage text after the name, e.g. "key value [EX seconds]" */
    /* (API 5) Handed back to the handler by dblite_ctx_command_privdata;
     * the server never touches what it points to.  Only read from specs of
     * api_version 5 or later (older structs end before it). */
    void *privdata;
    /* (API 8) For a movablekeys command: the keys of one call, as argument
     * indexes of argv (argv[0] is the name) written to positions in order,
     * at most max of them (the server passes max >= argc); returns how
     * many.  COMMAND GETKEYS and client-side caching then use it instead of
     * first_key/last_key/key_step.  NULL: the declared range.  Only read
     * from specs of api_version 8 or later. */
    int (*get_keys)(int argc, const dblite_bytes *argv, int *positions, int max);
} dblite_command_spec;

/* (API 5) A row of a command table with designated initializers; fields
 * not named are 0/NULL (no keys, no privdata):
 *     static const dblite_command_spec commands[] = {
 *         DBLITE_COMMAND(.name = "hset", .arity = -4, .flags = "write deny-oom fast",
 *                        .first_key = 1, .last_key = 1, .key_step = 1,
 *                        .handler = hset_command, .summary = "Set hash fields"),
 *     };
 */
#define DBLITE_COMMAND(...)                            \
    {                                                  \
        .api_version = DBLITE_API_VERSION, __VA_ARGS__ \
    }
/* The number of elements of a static array (a command table). */
#define DBLITE_ARRAY_LENGTH(array) (sizeof(array) / sizeof((array)[0]))

/* Register a command.  Fails with DBLITE_ERR_EXISTS if another module (or the
 * core) owns the name; the loader reports both owners. */
int dblite_command_register(dblite_module *module, const dblite_command_spec *spec);
/* (API 5) Register count commands of table in order, as
 * dblite_command_register does each.  Stops at the first failure and
 * returns its code; dblite_module_fail() has then recorded the reason,
 * naming the command.  Commands registered before it stay registered (the
 * server refuses to start anyway). */
int dblite_command_register_table(dblite_module *module, const dblite_command_spec *table,
                                  size_t count);

/* The running command's name as registered (lowercase); NULL in timers and
 * in hooks that no command triggered. */
const char *dblite_ctx_command_name(const dblite_ctx *ctx);
/* (API 5) The privdata of the running command's spec (its dialect version's
 * for a dialect client); NULL outside commands, for specs older than API 5
 * and for commands registered without one. */
void *dblite_ctx_command_privdata(const dblite_ctx *ctx);

/* ---- Replies (protocol-neutral) ------------------------------------------
 *
 * Modules state what they reply; the server encodes it as RESP2 or RESP3 for
 * the client's protocol (a map is '%' in RESP3, a flat array in RESP2).
 * Where there is no client (a command replayed from a log) replies are
 * dropped; errors are still counted, which is how the replay sees them.
 */

void dblite_reply_ok(dblite_ctx *ctx);                       /* +OK */
void dblite_reply_simple(dblite_ctx *ctx, const char *text); /* +text, no CR/LF in text */
/* An error: text is the full message including its code, e.g.
 * "ERR value is not an integer or out of range"; CR and LF in it are
 * replaced by spaces, as Redis does. */
void dblite_reply_error(dblite_ctx *ctx, const char *text);
/* The same, printf-style (the message is cut at 1023 bytes). */
void dblite_reply_error_format(dblite_ctx *ctx, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* (API 8) An error that a nested call (dblite_call) answered, and so was
 * counted already, replied as the caller's own (a script returning
 * redis.pcall's error): the caller's command counts as failed, but
 * total_error_replies does not count it twice (Redis's
 * ERR_REPLY_FLAG_NO_STATS_UPDATE).  text as dblite_reply_error's. */
void dblite_reply_nested_error(dblite_ctx *ctx, const char *text);
/* The standard errors, exactly as Redis 7.0 words them. */
void dblite_reply_wrongtype(dblite_ctx *ctx);
void dblite_reply_syntax_error(dblite_ctx *ctx);
void dblite_reply_not_integer(dblite_ctx *ctx);
void dblite_reply_wrong_arity(dblite_ctx *ctx);              /* names the running command */
void dblite_reply_integer(dblite_ctx *ctx, long long value); /* :value */
void dblite_reply_bulk(dblite_ctx *ctx, const char *ptr, size_t len); /* binary-safe */
void dblite_reply_bulk_cstring(dblite_ctx *ctx, const char *text);    /* NUL-terminated */
void dblite_reply_bulk_long_long(dblite_ctx *ctx, long long value);   /* as text */
/* Null bulk: $-1 in RESP2, _ in RESP3. */
void dblite_reply_null(dblite_ctx *ctx);
/* Null array: *-1 in RESP2, _ in RESP3. */
void dblite_reply_null_array(dblite_ctx *ctx);
/* A double: ',' in RESP3, a bulk string formatted like Redis in RESP2. */
void dblite_reply_double(dblite_ctx *ctx, double value);
/* (API 8) A long double as Redis's addReplyHumanLongDouble (GEOPOS,
 * WITHCOORD): the text of dblite_format_long_double ("%.17Lf" without
 * trailing zeros), as a ',' double in RESP3 and a bulk string in RESP2. */
void dblite_reply_human_long_double(dblite_ctx *ctx, long double value);
/* A boolean: '#t'/'#f' in RESP3, :1/:0 in RESP2. */
void dblite_reply_bool(dblite_ctx *ctx, int value);
/* Verbatim text: '=' with a 3-letter format ("txt") in RESP3, bulk in RESP2. */
void dblite_reply_verbatim(dblite_ctx *ctx, const char *format3, const char *ptr, size_t len);
/* Aggregates: the caller then replies exactly count elements (pairs for maps). */
void dblite_reply_array(dblite_ctx *ctx, long long count);
void dblite_reply_map(dblite_ctx *ctx, long long pairs);
void dblite_reply_set(dblite_ctx *ctx, long long count);

/* (API 8) A big number: '(' and the digits in RESP3, a bulk string in
 * RESP2 (Redis's addReplyBigNum); no CR/LF in ptr. */
void dblite_reply_big_number(dblite_ctx *ctx, const char *ptr, size_t len);

/* An aggregate whose length is only known afterwards.  Returns a handle that
 * dblite_reply_set_length() completes; kind is one of the constants below. */
#define DBLITE_AGGREGATE_ARRAY 0
#define DBLITE_AGGREGATE_MAP 1
#define DBLITE_AGGREGATE_SET 2
void *dblite_reply_deferred(dblite_ctx *ctx, int kind);
void dblite_reply_set_length(dblite_ctx *ctx, void *deferred, long long count);

/* 2 or 3: the protocol the client speaks (some replies differ in shape). */
int dblite_ctx_protocol(const dblite_ctx *ctx);

/* ---- Argument parsing helpers ----------------------------------------- */

/* The parsers return DBLITE_OK, or DBLITE_ERR_INVALID leaving *value as it
 * was.  Strict base-10 parse of a whole argument, as Redis's string2ll. */
int dblite_parse_long_long(dblite_bytes arg, long long *value);
/* As Redis's strtold-based parse: rejects spaces, empty, NaN. */
int dblite_parse_long_double(dblite_bytes arg, long double *value);
/* The same with strtod, as Redis's getDoubleFromObject: also rejects values
 * out of range; "inf" is accepted. */
int dblite_parse_double(dblite_bytes arg, double *value);
/* 1 when an argument equals a NUL-terminated word, ignoring case; else 0. */
int dblite_bytes_equal_nocase(dblite_bytes arg, const char *word);
/* Format value the way Redis prints long doubles (INCRBYFLOAT), with a
 * terminating NUL; returns the length, 0 when buffer is too small. */
size_t dblite_format_long_double(char *buffer, size_t size, long double value);

/* ---- Utilities (since API version 5) ------------------------------------
 *
 * The server's own copy of algorithms that several families need, so that a
 * module does not carry one that could drift from Redis's rules or from the
 * server's.  They need no context: callable from dblite_module_init on.
 */

/* 1 when string matches the glob pattern, else 0, with Redis 7.0's rules
 * (stringmatchlen) as KEYS, SCAN MATCH and CONFIG GET apply them: '*' any
 * run of bytes, '?' one byte, '[abc]' '[^abc]' '[a-z]' sets, '\x' the byte x.
 * Binary-safe; nocase folds ASCII letters.  Redis's quirks are kept: an empty
 * string matches only the empty pattern (so callers treat a lone "*" as
 * "everything" themselves, as Redis's SCAN does), an unterminated '[' set
 * runs to the end of the pattern, range ends compare as signed chars.  The
 * time is bounded by pattern_len * string_len whatever the pattern. */
int dblite_glob_match(const char *pattern, size_t pattern_len, const char *string,
                      size_t string_len, int nocase);

/* Room for the text of any long long and its NUL ("-9223372036854775808"). */
#define DBLITE_LONG_LONG_TEXT_SIZE 21
/* Writes v in base 10 (as Redis's ll2string) with a terminating NUL; returns
 * the length, or 0 when size cannot hold text and NUL (buf is then left
 * empty if size > 0).  DBLITE_LONG_LONG_TEXT_SIZE bytes always suffice. */
size_t dblite_format_long_long(char *buf, size_t size, long long v);

/* Room for any double as dblite_format_double writes it, with its NUL. */
#define DBLITE_DOUBLE_TEXT_SIZE 32
/* Writes v the way Redis 7.0 replies a double (ZSCORE, ZINCRBY, scores of
 * WITHSCORES): "inf" or "-inf", else printf's "%.17g" (so 1.5, 3, 1e+300,
 * nan), with a terminating NUL: exactly the text dblite_reply_double sends.
 * Returns the length, or 0 when size is too small (buf is then left empty
 * if size > 0).  DBLITE_DOUBLE_TEXT_SIZE bytes always suffice. */
size_t dblite_format_double(char *buf, size_t size, double v);

/* SipHash-1-2 of ptr[0..len) under the 128-bit secret key (the bytes are
 * read as two little-endian 64-bit halves, as the SipHash paper does), the
 * keyed hash the keyspace and Redis's dicts use.  Give each table a key
 * drawn from a good random source so clients cannot craft colliding
 * members (hash flooding).  The same inputs give the same hash on every
 * host and in every release. */
uint64_t dblite_hash_keyed(const void *ptr, size_t len, const uint8_t key[16]);

/* Reads a SCAN-family cursor as Redis 7.0 does (strtoul): an optional sign
 * and digits, read up to the end or a first NUL byte; "-1" wraps to the
 * largest cursor, an empty argument is 0.  DBLITE_OK, or DBLITE_ERR_INVALID
 * leaving *cursor as it was (Redis then replies "ERR invalid cursor"). */
int dblite_parse_scan_cursor(dblite_bytes arg, unsigned long long *cursor);

/* Reads a memory size as Redis's configs write it (memtoull): digits and an
 * optional unit, case-insensitive: b, k (1000), kb (1024), m, mb, g, gb
 * ("64mb" is 67108864).  A plain negative number such as "-1" is accepted
 * as it is, for settings where it means "none".  DBLITE_OK, or
 * DBLITE_ERR_INVALID (malformed, or more than a long long holds) leaving
 * *bytes as it was. */
int dblite_parse_memory_size(const char *text, long long *bytes);

/* ---- Types ------------------------------------------------------------- */

/* The methods of a value type.  The server owns values once they are in the
 * keyspace and gives them back to these methods only. */
typedef struct dblite_type_methods {
    int api_version;           /* set to DBLITE_API_VERSION */
    void (*free)(void *value); /* required */
    /* Bytes the value holds (dblite_alloc_size of its blocks), for the
     * module's own reports; no core command calls it yet. */
    size_t (*memory_usage)(const void *value);
    /* A deep copy for COPY, NULL when out of memory; without the method
     * COPY answers an error. */
    void *(*copy)(const void *value);
    /* Snapshots and DUMP/RESTORE: save writes the value's fields with
     * dblite_io_write_* and returns DBLITE_OK or the error; load reads them
     * back in the same order with dblite_io_read_*, getting the encoding
     * version the type had when the value was saved (older versions must
     * keep loading), and returns the value or NULL after dblite_io_fail().
     * save may run in a forked child (BGSAVE).  Without them, snapshots
     * holding the type fail. */
    int (*save)(dblite_io *io, const void *value);
    void *(*load)(dblite_io *io, int encoding_version);
    /* Append-only log compaction: emit commands that rebuild the value under
     * key with dblite_rewriter_emit(); DBLITE_OK or the error.  Runs in a
     * forked child (BGREWRITEAOF). */
    int (*rewrite)(dblite_rewriter *rewriter, dblite_bytes key, const void *value);
    /* What OBJECT ENCODING answers for the value, in Redis's words where
     * they fit ("int", "embstr", "raw", "quicklist", "listpack",
     * "hashtable", "intset"): a static string.  Without it OBJECT ENCODING
     * answers "raw", as Redis does for module types.  Since API version 3
     * (the server ignores the field in methods of an older api_version). */
    const char *(*encoding)(const void *value);
} dblite_type_methods;

/* Register a type.  public_name is what TYPE answers ("string", "bloom").
 * snapshot_name is 9 characters from [A-Za-z0-9_-] naming the type inside
 * snapshot files (as Redis module types); encoding_version 0..1023.
 * native_snapshot_code is the Redis RDB value type this type writes
 * natively (0 string, 1 list, 2 set, 4 hash) when its save method writes
 * exactly that payload, or -1 for a module type stored as Redis module
 * types are.  Returns NULL after dblite_module_fail() recorded the reason
 * (a name already taken, an argument out of range, no free method). */
dblite_type *dblite_type_register(dblite_module *module, const char *public_name,
                                  const char *snapshot_name, int encoding_version,
                                  int native_snapshot_code, const dblite_type_methods *methods);

/* Find a type by public name (for modules that work across types). */
dblite_type *dblite_type_find(const char *public_name);
/* What a type was registered with. */
const char *dblite_type_name(const dblite_type *type);

/* ---- Snapshot streams --------------------------------------------------- */

/* Write one field of a value.  DBLITE_OK, or an error (DBLITE_ERR_IO once
 * the stream has failed; dblite_io_error() keeps the first reason). */
int dblite_io_write_unsigned(dblite_io *io, uint64_t value);
int dblite_io_write_signed(dblite_io *io, int64_t value);
int dblite_io_write_string(dblite_io *io, const char *ptr, size_t len);
int dblite_io_write_double(dblite_io *io, double value);
/* Read the next field, of the kind written there (module values store the
 * kind of each field and check it).  DBLITE_OK, or an error when it is
 * missing, of another kind, or the stream has failed. */
int dblite_io_read_unsigned(dblite_io *io, uint64_t *value);
int dblite_io_read_signed(dblite_io *io, int64_t *value);
/* The string is allocated with dblite_alloc and owned by the caller. */
int dblite_io_read_string(dblite_io *io, char **ptr, size_t *len);
int dblite_io_read_double(dblite_io *io, double *value);
/* Mark the stream failed with a reason; later reads and writes fail. */
void dblite_io_fail(dblite_io *io, const char *reason);
/* NULL while the stream is healthy, else the first failure's reason. */
const char *dblite_io_error(const dblite_io *io);
/* The module that registered the type whose save or load method is running
 * on io, so a load method can build values the way the module's settings
 * say (dblite_module_get_data); NULL when the stream's owner did not name
 * the type (dblite_io_begin_value).  Since API version 3. */
dblite_module *dblite_io_module(const dblite_io *io);

/* Used by rewrite methods: one command, as arguments (copied out before it
 * returns).  DBLITE_OK, or the error of the log being written. */
int dblite_rewriter_emit(dblite_rewriter *rewriter, int argc, const dblite_bytes *argv);

/* ---- Keys --------------------------------------------------------------
 *
 * Every key function works in the database the context has selected.
 * Looking a key up fires the key-lookup hook first (expiry deletes a key past
 * its deadline there), so a module never sees a logically dead key.
 */

#define DBLITE_LOOKUP_READ 0
#define DBLITE_LOOKUP_WRITE 1
/* Do not fire the lookup hook (used by the hook's own module). */
#define DBLITE_LOOKUP_NO_HOOK 2

/* Look key up expecting type.  Returns DBLITE_OK with *value set to the
 * value, or to NULL when the key does not exist; DBLITE_ERR_WRONGTYPE when
 * the key holds another type (no reply is sent: call dblite_reply_wrongtype). */
int dblite_key_lookup(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, int flags,
                      void **value);
/* As dblite_key_lookup, but gives the slot holding the value, so a command
 * that replaces the value of an existing key (INCR on an inline integer)
 * needs one hash lookup.  Writing *slot is an update of the same key: the
 * module frees the old value itself and calls dblite_key_modified().  The
 * slot is valid until the next key call. */
int dblite_key_lookup_slot(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, int flags,
                           void ***slot);
/* (API 5) The two lookups for commands: as above, but a key of another type
 * gets the WRONGTYPE reply here, and DBLITE_ERR_WRONGTYPE is returned for
 * the command to stop without replying again.  DBLITE_OK (with *value or
 * *slot NULL for a missing key) and DBLITE_ERR_WRONGTYPE are the only
 * answers:
 *     if (dblite_key_lookup_or_reply(ctx, argv[1], type, DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
 *         return;
 */
int dblite_key_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                               int flags, void **value);
int dblite_key_lookup_slot_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                                    int flags, void ***slot);
/* The type of key, or NULL when it does not exist (any type). */
const dblite_type *dblite_key_type(dblite_ctx *ctx, dblite_bytes key, int flags);
/* Value of any type; *type set to its type.  NULL when missing. */
void *dblite_key_value(dblite_ctx *ctx, dblite_bytes key, int flags, const dblite_type **type);

/* Store value under key, taking ownership of value (also on failure).
 * A key holding another value loses it (its type's free runs) and the
 * key-overwritten hook fires, which drops key metadata such as a TTL.
 * With DBLITE_SET_KEEP the call replaces the value of an existing key as an
 * update of the same logical value: metadata stays, no overwrite hook.
 * Returns DBLITE_OK or DBLITE_ERR_NOMEM.  Wakes clients blocked on key. */
#define DBLITE_SET_DEFAULT 0
#define DBLITE_SET_KEEP 1
int dblite_key_set(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, void *value,
                   int flags);
/* Delete key; returns 1 when it existed, 0 otherwise.  Fires key-deleted. */
int dblite_key_delete(dblite_ctx *ctx, dblite_bytes key);
/* ---- Key handles (since API version 2) ---------------------------------
 *
 * A handle names one stored key without its bytes: an opaque pointer that
 * stays the same from the key's creation until it is deleted, renamed or
 * moved (overwriting the value keeps it), unique among the live keys of a
 * database.  A module keeping per-key data (TTLs) indexes it by handle and
 * so needs no copy of the key, and the key hooks pass the handles involved
 * (dblite_event.handle, .target_handle).  A handle of a deleted key may be
 * reused for a new key: keep such an index exact through the key hooks.
 */
typedef struct dblite_key_handle dblite_key_handle;
/* The handle of key in the context's database, or NULL when it does not
 * exist.  flags as for dblite_key_type: unless DBLITE_LOOKUP_NO_HOOK the
 * lookup hook runs first, so a dead key is already gone. */
const dblite_key_handle *dblite_key_find_handle(dblite_ctx *ctx, dblite_bytes key, int flags);
/* The key a live handle names; the bytes are valid until that key changes. */
dblite_bytes dblite_key_handle_name(const dblite_key_handle *handle);

/* Tell the server a command changed key in place (value pointer unchanged):
 * counts one change for persistence and propagation and wakes clients
 * blocked on the key. */
void dblite_key_modified(dblite_ctx *ctx, dblite_bytes key);
/* Wake clients blocked on key (e.g. a push to a list). */
void dblite_key_signal_ready(dblite_ctx *ctx, dblite_bytes key);

/* Select a database for the following key calls (contexts of hooks and
 * timers start in database 0).  Returns DBLITE_ERR_INVALID when out of range. */
int dblite_ctx_select(dblite_ctx *ctx, int db);
/* The context's database index, and the number of databases. */
int dblite_ctx_db(const dblite_ctx *ctx);
int dblite_database_count(void);
/* Keys stored in the context's database, logically dead ones included
 * (dblite_server_statistic "keys" counts as DBSIZE does). */
long long dblite_database_size(dblite_ctx *ctx);

/* Iterate every key of the selected database.  fn returns 0 to continue,
 * non-zero to stop; it must not add or delete keys.  Returns fn's last value. */
typedef int (*dblite_key_visit_fn)(dblite_bytes key, const dblite_type *type, void *value,
                                   void *privdata);
int dblite_keyspace_foreach(dblite_ctx *ctx, dblite_key_visit_fn fn, void *privdata);

/* Milliseconds since the Unix epoch (wall clock), cached per command so one
 * command sees one time; and monotonic microseconds, read at each call, for
 * measuring durations. */
long long dblite_time_ms(void);
long long dblite_monotonic_us(void);

/* ---- Hooks: keyspace events --------------------------------------------- */

/* What a hook is called for. */
typedef enum dblite_event_kind {
    DBLITE_EVENT_KEY_LOOKUP = 0,  /* a key is being looked up (key, db, handle: NULL when
                                     missing); the lookup sees what the hooks leave */
    DBLITE_EVENT_KEY_DELETED,     /* after a key was deleted (by any command) */
    DBLITE_EVENT_KEY_OVERWRITTEN, /* after a key's value was replaced (not KEEP) */
    DBLITE_EVENT_KEY_RENAMED,     /* after key -> target_key in db */
    DBLITE_EVENT_KEY_MOVED,       /* after key moved from db to target_db */
    DBLITE_EVENT_KEY_COPIED,      /* after key copied to target_key in target_db */
    DBLITE_EVENT_DB_FLUSHED,      /* after db emptied; db is -1 for FLUSHALL */
    DBLITE_EVENT_DB_SWAPPED,      /* after db and target_db swapped contents */
    DBLITE_EVENT_BEFORE_SLEEP,    /* once per event-loop turn, before replies go out */
    DBLITE_EVENT_SHUTDOWN,        /* clean exit: clients are gone, keys not freed yet */
    DBLITE_EVENT_STARTED,         /* every module loaded, before clients are served */
    DBLITE_EVENT_BEFORE_COUNT,    /* before db's keys are counted (DBSIZE, INFO keyspace):
                                     a module may reclaim logically dead keys here (to
                                     only count them, see dblite_keyspace_dead_counter_register
                                     in dblite_provider.h) */
    DBLITE_EVENT_SHUTDOWN_PREPARE, /* (API 4) a shutdown is asked for (SHUTDOWN, SIGTERM, SIGINT) while
                                      everything still runs: take the final save, flush logs; a
                                      handler that cannot calls dblite_shutdown_refuse and the
                                      server keeps running (flags: DBLITE_SHUTDOWN_*) */
    DBLITE_EVENT_KEYSPACE_NOTIFICATION, /* (API 6) a keyspace notification of a class that
                                           notify-keyspace-events enables: .db, .key, .flags
                                           (the class, with DBLITE_NOTIFY_KEYSPACE and/or
                                           DBLITE_NOTIFY_KEYEVENT as enabled) and
                                           .notification (the event's name) */
    DBLITE_EVENT_KIND_COUNT
} dblite_event_kind;

/* One event; its key bytes are valid during the handler only.
 * handle: the key's handle for LOOKUP (NULL when the key is missing),
 * DELETED and OVERWRITTEN (still live during the handler) and for the source
 * of RENAMED, MOVED and COPIED, where only COPIED's is still live (the others
 * serve to find the module's own records: compare, never pass to the API).
 * target_handle: the new key of RENAMED, MOVED and COPIED (may equal
 * handle).  Both fields exist since API version 2. */
typedef struct dblite_event {
    dblite_event_kind kind;
    int db;
    dblite_bytes key;        /* empty for database-wide events */
    int target_db;           /* RENAMED, MOVED, COPIED, SWAPPED */
    dblite_bytes target_key; /* RENAMED, COPIED */
    int flags;               /* SHUTDOWN: DBLITE_SHUTDOWN_* below */
    const dblite_key_handle *handle;
    const dblite_key_handle *target_handle;
    /* (API 6) KEYSPACE_NOTIFICATION: the event's name ("set", "lpush",
     * "expired"); NULL for the other kinds.  Only read it in handlers of
     * that kind (servers before API 6 have no such field). */
    const char *notification;
} dblite_event;

/* SHUTDOWN's flags: the client asked SHUTDOWN NOSAVE or SHUTDOWN SAVE; with
 * neither, a module saves only if it is configured to.  FORCE: exit even if
 * the final save fails (a PREPARE handler logs it and does not refuse);
 * NOW: do not wait for anything (nothing to wait for without replicas). */
#define DBLITE_SHUTDOWN_NOSAVE 1
#define DBLITE_SHUTDOWN_SAVE 2
#define DBLITE_SHUTDOWN_NOW 4
#define DBLITE_SHUTDOWN_FORCE 8

/* (API 4) From a DBLITE_EVENT_SHUTDOWN_PREPARE handler: the module could not get
 * ready to exit (its final save failed, say, and FORCE was not given).  The
 * server logs Redis's error, answers SHUTDOWN with it and keeps running.
 * DBLITE_OK, or DBLITE_ERR_INVALID outside such a handler. */
int dblite_shutdown_refuse(dblite_ctx *ctx);

/* ctx is a context whose database is event->db where there is one; key calls
 * may be made from handlers (expiry deletes expired keys from the lookup
 * hook), but a handler must not reply. */
typedef void (*dblite_event_fn)(dblite_ctx *ctx, const dblite_event *event, void *privdata);
/* Handlers of one kind run in the order they subscribed.  DBLITE_OK,
 * DBLITE_ERR_INVALID or DBLITE_ERR_NOMEM. */
int dblite_event_subscribe(dblite_module *module, dblite_event_kind kind, dblite_event_fn fn,
                           void *privdata);

/* ---- Hooks: write propagation ----------------------------------------- */

/* Every command that changed the dataset is propagated (to the append-only
 * log and replication, see dblite_provider.h) as it should be replayed; a
 * command may say how. */
/* From a command: replicate this instead of the command as received (for
 * example SET k v EX 10 -> SET k v PXAT <deadline>). */
int dblite_propagate_replace(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
/* From a command or hook: propagate an extra command before the running
 * command's own (for example DEL of a lazily expired key). */
int dblite_propagate_extra(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* ---- Timers ------------------------------------------------------------ */

/* fn returns the delay in milliseconds until its next run, or -1 to stop.
 * Its ctx starts in database 0. */
typedef long long (*dblite_timer_fn)(dblite_ctx *ctx, void *privdata);
/* Run fn after delay_ms.  Returns the timer's id, or 0 when it could not be
 * created. */
dblite_timer_id dblite_timer_create(dblite_module *module, long long delay_ms, dblite_timer_fn fn,
                                    void *privdata);
/* DBLITE_OK, or DBLITE_ERR_NOTFOUND for a timer that is not running. */
int dblite_timer_cancel(dblite_timer_id id);

/* ---- Services ---------------------------------------------------------- */

/* Offer a named, versioned interface ("expiry.ttl/1") to other modules.
 * The pointer stays owned by the exporting module and must stay valid.
 * DBLITE_ERR_EXISTS, after dblite_module_fail(), when the name is taken. */
int dblite_service_export(dblite_module *module, const char *name, void *service);
/* NULL when no loaded module exports name.  Look up lazily or from a
 * DBLITE_EVENT_STARTED handler: modules load in config order. */
void *dblite_service_lookup(const char *name);
/* (API 5) For a service's own functions, which the calling module invokes
 * directly (their ctx is the caller's, dblite_ctx_module names the caller):
 * the data (dblite_module_set_data) of the module that exported name,
 * NULL when no module exports it.  So an exporter keeps its state as module
 * data instead of in a static variable. */
void *dblite_service_data(const char *name);

/* ---- Configuration ----------------------------------------------------- */

/* A module's settings live in its own ini section ([strings]), and are
 * reachable as --strings.name on the command line and "strings.name" in
 * CONFIG GET/SET.  The storage belongs to the module; the server writes the
 * parsed value into it.  Register during init: the section is applied right
 * after init returns and an unknown key there stops startup. */
#define DBLITE_CONFIG_IMMUTABLE 0
#define DBLITE_CONFIG_MUTABLE 1 /* CONFIG SET may change it at runtime */
/* Flags that may be or-ed in (API 4; servers before it ignore them):
 * PROTECTED: CONFIG SET changes it only as enable-protected-configs allows
 * (Redis's protected configs: a name or place of a file the server writes).
 * FILE_NAME: a string that must be a plain file name, no '/' or '\\'
 * ("NAME can't be a path, just a filename"), wherever it is set. */
#define DBLITE_CONFIG_PROTECTED 2
#define DBLITE_CONFIG_FILE_NAME 4
/* Each registration writes the default into storage and returns DBLITE_OK,
 * or an error after dblite_module_fail() (a bad or duplicate name).
 * Integers outside min..max are refused; booleans are yes/no. */
int dblite_config_integer(dblite_module *module, const char *name, long long *storage,
                          long long default_value, long long min, long long max, int flags);
int dblite_config_boolean(dblite_module *module, const char *name, int *storage, int default_value,
                          int flags);
/* storage gets a dblite_alloc'd copy; when the value changes the server frees
 * the previous one.  The last value belongs to the module at shutdown: free
 * it with dblite_free (from the destructor given to
 * dblite_module_set_data_free, or a DBLITE_EVENT_SHUTDOWN handler). */
int dblite_config_string(dblite_module *module, const char *name, char **storage,
                         const char *default_value, int flags);
/* choices is a NULL-terminated list; storage gets the index of the choice. */
int dblite_config_enum(dblite_module *module, const char *name, int *storage,
                       const char *const *choices, int default_index, int flags);
/* (API 4) A check of a new value of the module's setting `name` (its short name, as
 * registered), run each time a value is set (ini, command line, CONFIG SET)
 * once it is stored: DBLITE_OK keeps it; any other code refuses it, the
 * previous value is restored and CONFIG SET answers "ERR CONFIG SET failed
 * (possibly related to argument '...') - " followed by what fn wrote into
 * error.  One check per setting.  DBLITE_OK, DBLITE_ERR_NOTFOUND or
 * DBLITE_ERR_INVALID. */
typedef int (*dblite_config_check_fn)(const char *name, char *error, size_t error_size,
                                      void *privdata);
int dblite_config_check(dblite_module *module, const char *name, dblite_config_check_fn fn,
                        void *privdata);
/* (API 8) A second name for the module's setting `name` (its short name, as
 * registered), as Redis keeps its old names: "zset-max-ziplist-entries" for
 * "zset-max-listpack-entries".  The alias works wherever the name does (ini
 * section, --module.alias, CONFIG GET/SET with the bare or the module's
 * full name) and always shows the same value; CONFIG GET with a pattern
 * lists both names, as Redis 7.0 does.  DBLITE_OK, DBLITE_ERR_NOTFOUND (no
 * such setting of this module) or DBLITE_ERR_EXISTS (the alias is taken). */
int dblite_config_alias(dblite_module *module, const char *name, const char *alias);
/* Server settings a module may need (dir, port...), as text; NULL if unknown.
 * Valid until the setting changes. */
const char *dblite_config_server_value(const char *name);
/* (API 5) The same settings as numbers, so no module parses their text:
 * integers ("port", "databases", "hz"), memory sizes in bytes
 * ("proto-max-bulk-len", "client-query-buffer-limit": "512mb" gives
 * 536870912) and booleans yes/no as 1/0 ("protected-mode").  Module
 * settings are found by their full name ("strings.max-size").  DBLITE_OK;
 * DBLITE_ERR_NOTFOUND for an unknown name and DBLITE_ERR_INVALID for a
 * setting of another kind, both leaving *value as it was. */
int dblite_config_server_integer(const char *name, long long *value);
int dblite_config_server_memory(const char *name, long long *bytes);
int dblite_config_server_boolean(const char *name, int *value);

/* ---- Blocking clients on keys ----------------------------------------- */

/* Called when a key the client waits on may be ready.  Reply and return 1 to
 * unblock the client, or return 0 to keep waiting. ctx has the client's db. */
typedef int (*dblite_unblock_fn)(dblite_ctx *ctx, dblite_bytes ready_key, void *privdata);
/* Called when the timeout expires: reply (usually a null array) from here. */
typedef void (*dblite_timeout_fn)(dblite_ctx *ctx, void *privdata);
/* Called exactly once when the block ends for any reason (served, timed
 * out, client gone), to release privdata. */
typedef void (*dblite_block_free_fn)(void *privdata);

/* Block the calling client until one of keys is signalled ready or
 * timeout_ms passes (0 = forever).  The command must not reply itself.
 * Clients blocked on the same key are served in the order they blocked.
 * On failure (DBLITE_ERR_INVALID: the context cannot block or a callback is
 * missing; DBLITE_ERR_NOMEM) nothing is registered: the caller still owns
 * privdata and must reply. */
int dblite_block_on_keys(dblite_ctx *ctx, int nkeys, const dblite_bytes *keys, long long timeout_ms,
                         dblite_unblock_fn on_ready, dblite_timeout_fn on_timeout,
                         dblite_block_free_fn free_privdata, void *privdata);
/* 1 when the command was called from a context that cannot block (for
 * example replayed from a log): then answer as if the timeout passed. */
int dblite_ctx_cannot_block(const dblite_ctx *ctx);

/* ---- transactions (API 6) ---------------------------------------------- */

/* 1 when the command runs queued by MULTI, from EXEC (it cannot block
 * either: dblite_ctx_cannot_block is 1 too). */
int dblite_ctx_in_transaction(const dblite_ctx *ctx);

/* ---- Keyspace notifications (API 6) ------------------------------------
 *
 * Redis's keyspace notifications: each command that changes a key (and a
 * few that read one) emits named events of a class; notify-keyspace-events
 * (Redis's letters K E g $ l s h z x e t m d n A) chooses the classes, and
 * the pubsub module publishes each on __keyspace@<db>__:<key> (message: the
 * event) and/or __keyevent@<db>__:<event> (message: the key).  The bits are
 * Redis 7.0's, with the letter of each.
 */
#define DBLITE_NOTIFY_KEYSPACE (1 << 0)  /* K: publish on __keyspace@<db>__:<key> */
#define DBLITE_NOTIFY_KEYEVENT (1 << 1)  /* E: publish on __keyevent@<db>__:<event> */
#define DBLITE_NOTIFY_GENERIC (1 << 2)   /* g: del, expire, rename_from, ... */
#define DBLITE_NOTIFY_STRING (1 << 3)    /* $ */
#define DBLITE_NOTIFY_LIST (1 << 4)      /* l */
#define DBLITE_NOTIFY_SET (1 << 5)       /* s */
#define DBLITE_NOTIFY_HASH (1 << 6)      /* h */
#define DBLITE_NOTIFY_ZSET (1 << 7)      /* z */
#define DBLITE_NOTIFY_EXPIRED (1 << 8)   /* x: a key deleted because its TTL passed */
#define DBLITE_NOTIFY_EVICTED (1 << 9)   /* e: a key evicted for maxmemory */
#define DBLITE_NOTIFY_STREAM (1 << 10)   /* t */
#define DBLITE_NOTIFY_KEY_MISS (1 << 11) /* m: a read of a missing key ("keymiss") */
#define DBLITE_NOTIFY_LOADED (1 << 12)   /* no letter: Redis's module-only "loaded" */
#define DBLITE_NOTIFY_MODULE (1 << 13)   /* d: events of module types */
#define DBLITE_NOTIFY_NEW (1 << 14)      /* n: a key was created ("new"); not part of A */
/* A: every class but K, E, m and n. */
#define DBLITE_NOTIFY_ALL                                                                      \
    (DBLITE_NOTIFY_GENERIC | DBLITE_NOTIFY_STRING | DBLITE_NOTIFY_LIST | DBLITE_NOTIFY_SET |   \
     DBLITE_NOTIFY_HASH | DBLITE_NOTIFY_ZSET | DBLITE_NOTIFY_EXPIRED | DBLITE_NOTIFY_EVICTED | \
     DBLITE_NOTIFY_STREAM | DBLITE_NOTIFY_MODULE)

/* (API 6) Emits event (a static name, "set") of class type (one
 * DBLITE_NOTIFY_* class bit) for key in the context's database, as Redis's
 * notifyKeyspaceEvent: call it after the change, in the order Redis emits
 * its events.  Does nothing unless notify-keyspace-events enables type;
 * otherwise the DBLITE_EVENT_KEYSPACE_NOTIFICATION handlers run at once
 * (with a context that cannot reply), so a plugin may subscribe to that
 * kind to see every enabled event, as the pubsub module does to publish
 * them.  Commands of a module's own types use DBLITE_NOTIFY_MODULE, as Redis
 * modules do. */
void dblite_notify_keyspace_event(dblite_ctx *ctx, int type, const char *event, dblite_bytes key);

/* ---- INFO ------------------------------------------------------------- */

/* fn is called whenever section is written: add lines with
 * dblite_info_field().  A new section name creates a section of the module
 * shown by INFO and INFO <section>; an existing one ("stats") is extended. */
typedef void (*dblite_info_fn)(dblite_info *info, void *privdata);
int dblite_info_register(dblite_module *module, const char *section, dblite_info_fn fn,
                         void *privdata);
/* Adds the line "name:value", value formatted printf-style. */
void dblite_info_field(dblite_info *info, const char *name, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* A server-wide figure by its INFO name, for modules reporting statistics
 * their own way: "connected_clients", "total_connections_received",
 * "total_commands_processed", "total_error_replies", or "keys" - the keys
 * of ctx's database as DBSIZE counts them (logically dead keys are not
 * counted).  DBLITE_OK, or DBLITE_ERR_NOTFOUND for any other name. */
int dblite_server_statistic(dblite_ctx *ctx, const char *name, long long *value);

/* ---- Clients (API 6) ---------------------------------------------------
 *
 * A dblite_client is a connected client, opaque to modules.  Lifetime rule:
 * a handle stays valid while the module holds per-client state for that
 * client (dblite_client_set_state).  When the client disconnects, or is
 * RESET, the core runs the state's free callback first, so a module that
 * drops every reference to the handle there never holds a dangling one.
 * Outside that rule a handle is only valid during the command it came from. */
typedef struct dblite_client dblite_client;

/* (API 6) The client running ctx's command; NULL in hooks, timers, replay. */
dblite_client *dblite_ctx_client(const dblite_ctx *ctx);
/* (API 6) The client's id (CLIENT ID). */
unsigned long long dblite_client_id(const dblite_client *client);
/* (API 6) The client's protocol: 2 or 3 (HELLO). */
int dblite_client_protocol(const dblite_client *client);

/* (API 6) Sets the calling module's pointer for client, replacing (without
 * freeing) any earlier one; state NULL removes it.  free_fn (may be NULL)
 * runs once when the client disconnects or is RESET, after which the state
 * is gone.  DBLITE_OK or DBLITE_ERR_NOMEM. */
int dblite_client_set_state(dblite_module *module, dblite_client *client, void *state,
                            dblite_data_free_fn free_fn);
/* (API 6) The module's pointer for client, or NULL. */
void *dblite_client_get_state(const dblite_module *module, const dblite_client *client);

/* (API 6) Builds a message on another client's output: fn runs with a
 * context whose dblite_reply_* calls go to target (in target's protocol),
 * through the core's reply path, which schedules the write.  The context
 * only replies: no keys, no propagation. */
typedef void (*dblite_deliver_fn)(dblite_ctx *ctx, void *privdata);
void dblite_client_deliver(dblite_client *target, dblite_deliver_fn fn, void *privdata);
/* (API 6) Starts an out-of-band message of count elements: a RESP3 push
 * frame ('>'), an array in RESP2. */
void dblite_reply_push(dblite_ctx *ctx, long long count);

/* (API 6) A mode restricting what a client may run (subscribed mode).
 * allows answers 1 when the client may run the command named (lowercase);
 * error is the reply's format for the others, with one %s for the command
 * name (without the leading '-').  The restriction applies to RESP2 clients
 * only unless DBLITE_MODE_ALL_PROTOCOLS is in flags; DBLITE_MODE_PUBSUB marks
 * the client as a subscriber (output-buffer class pubsub, PING's subscribed
 * reply).  The struct must outlive its use (a static). */
#define DBLITE_MODE_PUBSUB (1 << 0)
#define DBLITE_MODE_ALL_PROTOCOLS (1 << 1)
typedef struct dblite_client_mode {
    int api_version; /* DBLITE_API_VERSION */
    int flags;       /* DBLITE_MODE_* */
    int (*allows)(const char *command_name);
    const char *error;
} dblite_client_mode;
/* (API 6) Puts client in mode (NULL: leaves any mode). */
void dblite_client_set_mode(dblite_client *client, const dblite_client_mode *mode);
/* (API 6) What CLIENT LIST shows as the client's sub=, psub= and ssub=
 * (channels, patterns, shard channels); reset to 0 when it leaves a mode
 * through RESET or disconnects. */
void dblite_client_set_subscription_counts(dblite_client *client, long long channels,
                                           long long patterns, long long shard_channels);

/* ---- CLIENT PAUSE (API 6) ---------------------------------------------
 *
 * While CLIENT PAUSE (WRITE or ALL) holds the clients, the dataset must not
 * change behind them: a module that deletes keys on its own (expiry, as
 * Redis's) asks first, and while paused hides a dead key from a lookup
 * instead of deleting it. */

/* (API 6) 1 while a CLIENT PAUSE is in effect (WRITE or ALL), else 0. */
int dblite_server_paused_writes(void);
/* (API 6) From a DBLITE_EVENT_KEY_LOOKUP handler: this lookup answers as
 * if the key did not exist, which stays stored (an expired key while
 * paused).  Anywhere else it does nothing. */
void dblite_key_lookup_hide(dblite_ctx *ctx);

/* ---- Calling commands (API 8) -------------------------------------------
 *
 * dblite_call runs a command from inside a module's command, hook or timer,
 * as the calling client would run it, and hands back its reply as a tree
 * the module reads (and frees) instead of bytes sent to a socket.  It is the
 * one way a module runs another command: SORT reads lists and hashes with
 * it, and scripting builds redis.call on it.
 *
 * The call goes through the core's dispatch rules: the command is looked
 * up (case-insensitively), its arity is checked, and commands flagged
 * noscript (MULTI, EXEC, WATCH, SUBSCRIBE, CLIENT, CONFIG...) and write
 * commands while a write gate refuses writes (MISCONF) are refused, each
 * answering an error reply (below) without running.  Otherwise it runs
 * nested in ctx: in ctx's database, at ctx's instant (one clock for the
 * whole command), and it cannot block, so a blocking command answers as if
 * its timeout passed (BLPOP: a null array).  It signals WATCHed keys,
 * invalidates client-side caches, wakes clients blocked on keys it fills
 * (served once the outermost command ends) and emits its keyspace
 * notifications, as when a client sends it.  Its reply is written for a
 * private client of the protocol the flags ask (by default the caller's
 * client's, 2 without a client), never to the caller's client: the module
 * replies what it wants itself.  SELECT in a call changes the database of
 * that call only.
 *
 * Propagation (the append-only log, replicas), one rule: a write command
 * propagates itself, so what it runs through dblite_call is not propagated
 * again (SORT ... STORE goes to the log as SORT, not as the DEL and RPUSH
 * it ran); a command that is not a write (a script, a plugin's read-only
 * command) propagates the effects of what it called, in order, wrapped in
 * MULTI ... EXEC when they are more than one command (as Redis 7.0
 * propagates a script's effects; inside a transaction, EXEC's own
 * MULTI ... EXEC holds them).  A timer or a hook outside any command sends
 * each call's effects at once, unwrapped.  Either way a key deleted
 * because its TTL passed during a call is propagated as its DEL, before
 * the caller's own command.
 *
 * MONITOR shows each call as "[db ?:0]" (Redis's address of a module's
 * private client; "[db lua]" for DBLITE_CALL_SCRIPT) before the caller's
 * own line, and the calls count in INFO commandstats, unless the call is
 * DBLITE_CALL_INTERNAL.
 */

/* Flags of dblite_call, or-ed. */
#define DBLITE_CALL_RESP2 (1 << 0) /* capture the reply in RESP2 shapes (maps as arrays...) */
#define DBLITE_CALL_RESP3 (1 << 1) /* capture it in RESP3 shapes (maps, sets, doubles...) */
/* No keyspace notification is emitted by the call (nor by anything nested
 * in it, an "expired" from a lookup included): for a command that emits
 * its own events for what it did, as SORT ... STORE emits "sortstore" for
 * the DEL and RPUSH it ran. */
#define DBLITE_CALL_NO_NOTIFY (1 << 2)
/* The call is a detail of how the caller works, as a Redis command reads
 * keys itself: not shown to MONITOR, not counted in INFO commandstats nor
 * total_commands_processed, and an error it answers is not counted in
 * total_error_replies (the caller answers its own). */
#define DBLITE_CALL_INTERNAL (1 << 3)
/* The call is a script's (redis.call): MONITOR shows it as "[db lua]", as
 * Redis shows a script's commands, and the command sees
 * dblite_ctx_from_script answer 1 (SORT then sorts a set even with BY
 * nosort, so a script's result does not depend on the set's order). */
#define DBLITE_CALL_SCRIPT (1 << 4)

/* What a reply (or an element of one) is.  RESP2 has no map, set, double,
 * bool, bignum or verbatim: a call in RESP2 only gets the other kinds. */
typedef enum dblite_call_kind {
    DBLITE_CALL_REPLY_STATUS = 0, /* +OK: string() is "OK" */
    DBLITE_CALL_REPLY_ERROR,      /* string() is the whole message, "ERR syntax error" */
    DBLITE_CALL_REPLY_INTEGER,    /* integer() */
    DBLITE_CALL_REPLY_BULK,       /* string(), binary-safe */
    DBLITE_CALL_REPLY_NULL,       /* a null bulk, a null array (RESP2 $-1, *-1) or RESP3 _ */
    DBLITE_CALL_REPLY_ARRAY,      /* length() elements */
    DBLITE_CALL_REPLY_MAP,        /* length() pairs: map_key(i), map_value(i) */
    DBLITE_CALL_REPLY_SET,        /* length() elements */
    DBLITE_CALL_REPLY_DOUBLE,     /* double(); string() is its text, "3.5", "inf" */
    DBLITE_CALL_REPLY_BOOL,       /* integer() is 1 or 0 */
    DBLITE_CALL_REPLY_BIGNUM,     /* string() is the digits, "-12345678901234567890" */
    DBLITE_CALL_REPLY_VERBATIM,   /* string() is the text, verbatim_format() "txt" or "mkd" */
    DBLITE_CALL_REPLY_PUSH        /* an out-of-band push frame, length() elements */
} dblite_call_kind;

/* A captured reply: a tree owned by the caller of dblite_call, read with
 * the accessors below (which accept NULL) and released with
 * dblite_call_reply_free.  Elements belong to their root. */
typedef struct dblite_call_reply dblite_call_reply;

/* (API 8) Runs argv[0] with the arguments argv[1..argc) (the bytes are
 * copied where they must outlive the call) as described above.  Returns
 * the reply, which is an ERROR reply when the command answered an error or
 * could not run:
 *     "ERR unknown command '<name>', with args beginning with: ..."
 *     "ERR wrong number of arguments for '<name>' command"
 *     "ERR This Redis command is not allowed from script" (noscript)
 *     a write gate's error ("MISCONF ...")
 * NULL only when argc < 1, ctx is NULL or memory ran out (the command may
 * have run then, its reply lost).  flags: DBLITE_CALL_*. */
dblite_call_reply *dblite_call(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int flags);
/* (API 8) 1 when ctx's command was called with DBLITE_CALL_SCRIPT, else 0. */
int dblite_ctx_from_script(const dblite_ctx *ctx);
/* (API 8) Frees reply and every element of it; NULL is accepted.  Free
 * only roots (what dblite_call returned). */
void dblite_call_reply_free(dblite_call_reply *reply);
/* (API 8) The kind; DBLITE_CALL_REPLY_NULL for a NULL reply. */
dblite_call_kind dblite_call_reply_kind(const dblite_call_reply *reply);
/* (API 8) The protocol (2 or 3) the reply was captured in. */
int dblite_call_reply_protocol(const dblite_call_reply *reply);
/* (API 8) An INTEGER's value, a BOOL's 1 or 0; 0 for other kinds. */
long long dblite_call_reply_integer(const dblite_call_reply *reply);
/* (API 8) A DOUBLE's value; 0.0 for other kinds. */
double dblite_call_reply_double(const dblite_call_reply *reply);
/* (API 8) The bytes of a STATUS, ERROR (without the '-'), BULK, DOUBLE,
 * BIGNUM or VERBATIM (without its "txt:" prefix) reply, not NUL-terminated,
 * valid until the root is freed; *len (if len is not NULL) gets their
 * length.  NULL and 0 for other kinds. */
const char *dblite_call_reply_string(const dblite_call_reply *reply, size_t *len);
/* (API 8) A VERBATIM reply's 3-letter format ("txt"), NUL-terminated;
 * NULL for other kinds. */
const char *dblite_call_reply_verbatim_format(const dblite_call_reply *reply);
/* (API 8) Elements of an ARRAY, SET or PUSH, pairs of a MAP, bytes of a
 * string kind (as string()); 0 otherwise. */
size_t dblite_call_reply_length(const dblite_call_reply *reply);
/* (API 8) Element index of an ARRAY, SET or PUSH; NULL past the end or for
 * other kinds. */
const dblite_call_reply *dblite_call_reply_element(const dblite_call_reply *reply, size_t index);
/* (API 8) Key and value of a MAP's pair index; NULL past the end or for
 * other kinds. */
const dblite_call_reply *dblite_call_reply_map_key(const dblite_call_reply *reply, size_t index);
const dblite_call_reply *dblite_call_reply_map_value(const dblite_call_reply *reply, size_t index);
/* (API 8) Replies reply (or an element of one) to ctx's client as it is,
 * in the client's protocol: a captured RESP3 map reaches a RESP2 client as
 * a flat array, a RESP2 reply reaches a RESP3 client in RESP2 shapes, as
 * redis.call's results.  A NULL reply is relayed as a null. */
void dblite_call_reply_relay(dblite_ctx *ctx, const dblite_call_reply *reply);

#ifdef __cplusplus
}
#endif

#endif /* DBLITE_MODULE_H */
