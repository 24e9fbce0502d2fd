/*
 * server.h - the one server struct and the internal types the core shares.
 *
 * Everything the process holds lives under `server` (the only global).  The
 * core knows no data type by name: types are rows of server.types filled in
 * by modules; commands are rows of the command table, core or module alike.
 */
#ifndef DBLITE_SERVER_H
#define DBLITE_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dblite_provider.h"
#include "event/event_loop.h"
#include "keyspace/keytable.h"
#include "protocol/request_parser.h"

#define DBLITE_SERVER_NAME "dblite"
#ifndef DBLITE_VERSION
#define DBLITE_VERSION "0.0.0"
#endif
/* What we report as redis_version: clients gate features on it. */
#define DBLITE_REDIS_COMPAT_VERSION "7.0.15"

/* ---- log ---- */
enum { LOG_DEBUG = 0, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING };
void server_log(int level, const char *format, ...) __attribute__((format(printf, 2, 3)));
int log_level_from_name(const char *name);
/* Writes the pending "last message repeated N times" line once the quiet
 * window has passed (from the cron: see log.c). */
void log_flush_repeats(void);

/* The log's memory of its last line, for collapsing repeats (log.c). */
#define LOG_LINE_MAX 2048
typedef struct log_repeat_state {
    char last[LOG_LINE_MAX]; /* prefix + message of the last line written */
    int last_level;
    long long suppressed;    /* identical lines dropped since */
    int64_t last_written_us; /* monotonic time of the last line written */
} log_repeat_state;

/* ---- commands ---- */
#define COMMAND_WRITE (1u << 0)
#define COMMAND_READONLY (1u << 1)
#define COMMAND_FAST (1u << 2)
#define COMMAND_ADMIN (1u << 3)
#define COMMAND_DENY_OOM (1u << 4)
#define COMMAND_BLOCKING (1u << 5)
#define COMMAND_NO_AUTH (1u << 6)
#define COMMAND_LOADING (1u << 7)
#define COMMAND_STALE (1u << 8)
#define COMMAND_NOSCRIPT (1u << 9)
/* Not a write but reaches replicas (PUBLISH): CLIENT PAUSE WRITE holds it.
 * COMMAND INFO leaves it out, as Redis hides may_replicate. */
#define COMMAND_MAY_REPLICATE (1u << 10)
/* Refused inside MULTI (SAVE, SHUTDOWN, SYNC): Redis's no_multi. */
#define COMMAND_NO_MULTI (1u << 11)
/* Some keys are found by parsing the arguments (SORT's STORE): Redis's
 * movablekeys, shown by COMMAND INFO (API 8). */
#define COMMAND_MOVABLE_KEYS (1u << 12)

typedef struct dblite_module module;
typedef struct command {
    char *name;
    int arity;
    unsigned flags;
    int first_key, last_key, key_step;
    dblite_command_fn handler;
    char *summary, *since, *group, *arguments;
    module *owner;  /* NULL for the core */
    void *privdata; /* dblite_command_spec.privdata (API 5), for the handler */
    /* dblite_command_spec.get_keys (API 8): a movablekeys command's keys */
    int (*get_keys)(int argc, const dblite_bytes *argv, int *positions, int max);
    long long calls;
    long long microseconds;
    long long rejected_calls, failed_calls;
} command;

typedef struct command_table {
    command **slots; /* open addressing, power-of-two size */
    size_t slot_count;
    command **ordered; /* registration order, for COMMAND and INFO */
    size_t count, capacity;
} command_table;

int command_table_init(void);
void command_table_free(void);
/* Registers a copy of spec; returns DBLITE_OK or DBLITE_ERR_* and on a name
 * clash sets *existing_owner to the owning module's name ("core"). */
int command_register(const dblite_command_spec *spec, module *owner, const char **existing_owner);
command *command_lookup(const char *name, size_t length);
/* For a client of a dialect module's listener: its own version first. */
command *command_lookup_for(const module *dialect, const char *name, size_t length);
int command_register_dialect(const dblite_command_spec *spec, module *owner);
size_t command_count(void);
command *command_at(size_t index);
int command_flags_parse(const char *text, unsigned *flags, char *bad_flag, size_t bad_flag_size);
void core_commands_register(void);

/* ---- types ---- */
struct dblite_type {
    char *name; /* public name for TYPE */
    char snapshot_name[10];
    int encoding_version;
    int native_snapshot_code;
    dblite_type_methods methods;
    module *owner;
    uint16_t index;
};
typedef struct dblite_type value_type;
#define MAX_TYPES 1024

/* ---- databases ---- */
typedef struct database {
    keytable *keys;
    keytable *watched_keys; /* key -> its watchers (keyspace/watch.c); NULL: none */
    int id;
} database;

/* ---- clients ---- */
#define CLIENT_CLOSE_AFTER_REPLY (1u << 0)
#define CLIENT_CLOSE_ASAP (1u << 1)
#define CLIENT_PENDING_WRITE (1u << 2)
#define CLIENT_BLOCKED (1u << 3)
#define CLIENT_WRITE_INSTALLED (1u << 4)
#define CLIENT_IN_CALL (1u << 5)
#define CLIENT_UNBLOCKED_QUEUED (1u << 6) /* on server.unblocked_clients */
#define CLIENT_PUBSUB (1u << 7)           /* in a subscribed mode (pubsub class) */
#define CLIENT_MULTI (1u << 8)            /* in MULTI: requests are queued */
#define CLIENT_DIRTY_CAS (1u << 9)        /* a watched key changed: EXEC fails */
#define CLIENT_DIRTY_EXEC (1u << 10)      /* a request was rejected in MULTI: EXECABORT */
#define CLIENT_MONITOR (1u << 12)         /* in server.monitors (monitor.c) */
/* CLIENT REPLY OFF / SKIP (client_modes_command.c): no reply is written
 * while OFF or SKIP is set; SKIP_NEXT becomes SKIP for the next request. */
#define CLIENT_REPLY_OFF (1u << 13)
#define CLIENT_REPLY_SKIP (1u << 14)
#define CLIENT_REPLY_SKIP_NEXT (1u << 15)
#define CLIENT_NO_EVICT (1u << 16) /* CLIENT NO-EVICT ON: flag 'e' in CLIENT LIST */
/* Its next request waits for CLIENT PAUSE to end (client_pause.c); the
 * request stays unconsumed in the query buffer until then. */
#define CLIENT_PAUSED (1u << 17)
/* A push frame is being written (dblite_reply_push): CLIENT REPLY OFF and
 * SKIP let it through, as Redis's CLIENT_PUSHING (client_api.c). */
#define CLIENT_PUSHING (1u << 28)
/* The private client of a dblite_call (commands/call.c): client-side
 * caching counts what it changes as changed by the calling client, and
 * for a script's call (CLIENT_SCRIPT_CALL) what it reads as read by it,
 * as Redis does with server.current_client and script_caller. */
#define CLIENT_NESTED_CALL (1u << 29)
#define CLIENT_SCRIPT_CALL (1u << 30)
/* Client-side caching (net/tracking.c), Redis's CLIENT_TRACKING_* flags. */
#define CLIENT_TRACKING (1u << 18)              /* CLIENT TRACKING ON: flag 't' */
#define CLIENT_TRACKING_BROKEN_REDIR (1u << 19) /* the redirect client is gone: 'R' */
#define CLIENT_TRACKING_BCAST (1u << 20)        /* broadcast mode: 'B' */
#define CLIENT_TRACKING_OPTIN (1u << 21)        /* only reads after CLIENT CACHING yes */
#define CLIENT_TRACKING_OPTOUT (1u << 22)       /* all reads but those after CACHING no */
#define CLIENT_TRACKING_CACHING (1u << 23)      /* CLIENT CACHING yes/no given for the next */
#define CLIENT_TRACKING_NOLOOP (1u << 24)       /* not told of its own changes */

struct blocked_state;
typedef struct transaction_state transaction_state;
typedef struct client {
    uint64_t id;
    int fd;
    unsigned flags;
    int protocol;
    int authenticated;
    int db_index;
    database *db;
    char *name;
    char address[64];
    char local_address[64];
    long long created_ms;
    long long last_interaction_ms;
    /* Query buffer: bytes [query_start, query_length) are unparsed. */
    char *query;
    size_t query_start, query_length, query_capacity;
    request_parser parser;
    /* Reply buffer: bytes [output_sent, output_length) wait for the socket. */
    char *output;
    size_t output_sent, output_length, output_capacity;
    const command *last_command;
    struct client *prev, *next;    /* all clients */
    struct client *pending_next;   /* clients with output to write */
    struct client *unblocked_next; /* clients whose block ended, input to run */
    struct blocked_state *blocked;
    module *dialect;                          /* the module whose listener accepted it */
    struct client_module_state *module_state; /* dblite_client_set_state, NULL until used */
    const dblite_client_mode *mode;           /* dblite_client_set_mode, NULL: none */
    long long subscription_counts[3];         /* CLIENT LIST's sub psub ssub (module-reported) */
    transaction_state *transaction;           /* MULTI queue and WATCHes; NULL until used */
    long long output_soft_limit_since; /* unix seconds it went over its soft limit; 0: not over */
    struct tracking_client_state *tracking; /* redirect and prefixes; NULL until tracking */
} client;

/* ---- modules ---- */
typedef struct module_event_handler {
    dblite_event_fn fn;
    void *privdata;
    module *module;
} module_event_handler;

struct dblite_module {
    char *name;
    char *path;
    void *handle;
    int api_version;
    char *failure;
    void *data;                    /* dblite_module_set_data */
    dblite_data_free_fn data_free; /* dblite_module_set_data_free: run at exit */
};

typedef struct service_entry {
    char *name;
    void *service;
    module *owner;
} service_entry;

typedef struct info_extension {
    char *section;
    dblite_info_fn fn;
    void *privdata;
    module *owner;
} info_extension;

typedef struct propagation_subscriber {
    dblite_propagate_fn fn;
    void *privdata;
} propagation_subscriber;

typedef struct write_gate {
    dblite_write_gate_fn fn;
    void *privdata;
} write_gate;

/* Something dynamically sized, with its length (small arrays of the server). */
#define ARRAY_OF(type)           \
    struct {                     \
        type *items;             \
        size_t length, capacity; \
    }
int array_grow(void **items, size_t *capacity, size_t item_size, size_t wanted);
#define ARRAY_PUSH(array, value)                                                    \
    (array_grow((void **)&(array).items, &(array).capacity, sizeof(*(array).items), \
                (array).length + 1) == 0                                            \
         ? ((array).items[(array).length++] = (value), 0)                           \
         : -1)

/* ---- the server ---- */
/* client-output-buffer-limit's classes, in Redis's order (net/output_limits.c). */
enum { OUTPUT_CLASS_NORMAL = 0, OUTPUT_CLASS_REPLICA, OUTPUT_CLASS_PUBSUB, OUTPUT_CLASS_COUNT };
typedef struct output_buffer_limit {
    unsigned long long hard_bytes, soft_bytes; /* 0: no such limit */
    int soft_seconds;
} output_buffer_limit;

typedef struct server_settings {
    char *bind;
    long long port;
    long long tcp_backlog;
    long long databases;
    long long maxclients;
    long long timeout;
    char *dir;
    char *module_path;
    char *logfile;
    int log_level;
    char *requirepass;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    long long multibulk_max_count;
    char *client_output_buffer_limit; /* the setting's text; parsed into output_limits */
    output_buffer_limit output_limits[OUTPUT_CLASS_COUNT];
    long long tracking_table_max_keys; /* 0: unlimited */
    char *pidfile;
    long long hz;
    int enable_protected_configs; /* PROTECTED_CONFIGS_* */
    int protected_mode;
    int shutdown_on_sigterm; /* SHUTDOWN_SETTING_* bits */
    int shutdown_on_sigint;
    char *notify_keyspace_events_text; /* as set; config.c keeps it canonical */
    int notify_keyspace_events;        /* DBLITE_NOTIFY_* bits of it */
} server_settings;
/* enable-protected-configs, in Redis's order of choices. */
enum { PROTECTED_CONFIGS_NO = 0, PROTECTED_CONFIGS_YES, PROTECTED_CONFIGS_LOCAL };

/* Bits of shutdown-on-sigterm/sigint, in Redis's word order. */
#define SHUTDOWN_SETTING_SAVE 1
#define SHUTDOWN_SETTING_NOSAVE 2
#define SHUTDOWN_SETTING_NOW 4
#define SHUTDOWN_SETTING_FORCE 8

typedef struct server_stats {
    long long connections_received;
    long long commands_processed;
    long long rejected_connections;
    long long keyspace_hits, keyspace_misses;
    long long net_input_bytes, net_output_bytes;
    long long command_errors;
    long long lazyfreed_objects; /* keys freed after FLUSHDB/FLUSHALL ASYNC */
    long long unexpected_error_replies;
} server_stats;

typedef struct server_state {
    server_settings settings;
    server_stats stats;
    event_loop *loop;
    int listen_fds[16];
    module *listen_dialects[16]; /* NULL for the server's own port */
    int listen_count;
    int reserve_fd;    /* spent to refuse a client on EMFILE; -1: none held */
    int accept_paused; /* listeners off for a moment: out of descriptors */
    database *databases;
    int database_count;
    client *clients;
    long long client_count;
    uint64_t next_client_id;
    client *pending_writes;
    client *unblocked_clients; /* see client_unblocked */
    command_table commands;
    command_table dialect_commands;
    ARRAY_OF(value_type *) types;
    ARRAY_OF(module *) modules;
    ARRAY_OF(service_entry) services;
    ARRAY_OF(info_extension) info_extensions;
    ARRAY_OF(propagation_subscriber) propagation_subscribers;
    ARRAY_OF(write_gate) write_gates;
    dblite_keyspace_info_fn keyspace_info;
    void *keyspace_info_privdata;
    dblite_dead_keys_fn dead_keys;
    void *dead_keys_privdata;
    ARRAY_OF(module_event_handler) event_handlers[DBLITE_EVENT_KIND_COUNT];
    long long dirty; /* changes since start */
    long long start_time_ms;
    int64_t start_monotonic_us;
    long long cached_time_ms;              /* wall clock for the running command */
    int shutdown_requested;                /* prepared: the loop stops, the server exits */
    volatile sig_atomic_t shutdown_signal; /* SIGTERM/SIGINT received, not yet handled */
    int shutdown_flags;                    /* DBLITE_SHUTDOWN_* of the shutdown under way */
    int shutdown_refused;                  /* a PREPARE handler could not get ready */
    int shutdown_preparing;                /* PREPARE handlers are running */
    int exit_code;
    size_t used_memory;
    size_t trim_high_water;                /* used_memory peak since the last malloc_trim */
    size_t trim_last_used;                 /* used_memory at the previous trim step */
    ARRAY_OF(keytable *) lazy_free_tables; /* flushed contents, freed a slice at a time */
    uint64_t lazy_free_timer;              /* 0 while nothing waits to be freed */
    uint64_t hash_seed[2];
    char run_id[41];
    char *config_file;
    void *config; /* config_state, private to config.c */
    char *executable;
    /* loading */
    int loading;
    uint64_t loading_total, loading_done;
    long long loading_start_ms;
    int64_t loading_last_events_us;
    /* blocking */
    struct blocking_state *blocking;
    ARRAY_OF(client *) monitors; /* MONITOR clients, in the order they asked */
    /* CLIENT PAUSE (client_pause.c): PAUSE_* of the pause in effect, its
     * end (wall clock, ms) and the timer that ends it (0: none). */
    int pause_type;
    long long pause_end_ms;
    uint64_t pause_timer;
    int lookup_hidden; /* a KEY_LOOKUP handler called dblite_key_lookup_hide */
    log_repeat_state log_repeat;
    struct tracking_state *tracking; /* net/tracking.c; NULL until a client tracks */
} server_state;

extern server_state server;

/* Put c on the pending list that before-sleep writes (and frees closing
 * clients from); the only way output is sent.  Inline: every reply calls it. */
static inline void client_queue_write(client *c)
{
    if (c->flags & CLIENT_PENDING_WRITE)
        return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pending_next = server.pending_writes;
    server.pending_writes = c;
}

/* Closing happens in the before-sleep pass, which walks the pending list
 * and frees closing clients: nothing running loses the client under it. */
static inline void client_close_async(client *c)
{
    if (c->flags & CLIENT_CLOSE_ASAP)
        return;
    c->flags |= CLIENT_CLOSE_ASAP;
    client_queue_write(c);
}

/* A block ended (served, timed out): the client's next pipelined requests
 * run from before-sleep (clients_process_unblocked in client.c), not from
 * inside the command or timer that ended it.  Inline like the two above,
 * so blocking.c and reply.c only put clients on lists the client layer
 * drains, and call nothing in it. */
static inline void client_unblocked(client *c)
{
    if (c->flags & CLIENT_UNBLOCKED_QUEUED)
        return;
    c->flags |= CLIENT_UNBLOCKED_QUEUED;
    c->unblocked_next = server.unblocked_clients;
    server.unblocked_clients = c;
}

/* net/tracking.c: CLIENT CACHING's yes/no ends with the next command. */
void tracking_request_done(client *c);

/* A request's command is over (answered, or its block ended): as Redis's
 * resetClient, CLIENT REPLY SKIP's skipping ends, and a SKIP just asked
 * for applies to the next request. */
static inline void client_request_done(client *c)
{
    c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_PUSHING);
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags |= CLIENT_REPLY_SKIP;
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
    }

    if (c->flags & CLIENT_TRACKING_CACHING)
        tracking_request_done(c); /* CLIENT CACHING covers one command */
}

/* ---- contexts (commands/context.c; begun and ended through context.h) ---- */
typedef struct propagated_command {
    int argc;
    dblite_bytes *argv; /* owned copies */
    int db;             /* the database selected when it was added */
} propagated_command;

struct dblite_ctx {
    client *client; /* NULL in hooks, timers and replay: replies are dropped */
    database *db;
    const command *command; /* NULL in timers and in hooks fired outside a command */
    module *module;
    int flags; /* CTX_* */
    int argc;
    const dblite_bytes *argv;
    struct dblite_ctx *parent; /* the context this one runs inside; NULL for one of its own */
    long long dirty_at_begin;  /* server.dirty when it began: its command changed the dataset? */
    int db_at_begin;           /* where its own command is propagated */
    /* server.stats.command_errors when its command began, moved on past the
     * errors of the commands nested in it (EXEC's): only its own error
     * reply makes its command a failed call, as Redis counts. */
    long long errors_before;
    propagated_command *replacement;
    /* What went out while it ran, in order: extras, and what contexts
     * nested in it propagated.  Sent before its own command. */
    ARRAY_OF(propagated_command) propagated;
};
#define CTX_NO_REPLY (1 << 0)
#define CTX_CANNOT_BLOCK (1 << 1)
#define CTX_NO_PROPAGATE (1 << 2)   /* what it propagates is dropped: it comes from a log */
#define CTX_UNCOUNTED (1 << 3)      /* left out of the commands' statistics */
#define CTX_KEEPS_CLOCK (1 << 4)    /* runs at the instant of whatever fired it (hooks) */
#define CTX_IN_TRANSACTION (1 << 5) /* a command queued by MULTI, run by EXEC */
/* A command run by dblite_call (commands/call.c) for a write command, which
 * propagates itself: this one's own command is not propagated (its extras
 * are: a lazily expired key's DEL). */
#define CTX_PROPAGATED_BY_PARENT (1 << 6)
/* dblite_call's DBLITE_CALL_NO_NOTIFY: no keyspace notification is emitted
 * in this context (keyspace/notify.c); inherited by contexts nested in it. */
#define CTX_NO_NOTIFY (1 << 7)
/* dblite_call's DBLITE_CALL_SCRIPT: run by a script (dblite_ctx_from_script). */
#define CTX_FROM_SCRIPT (1 << 8)
/* EXEC's own context: what its commands propagated goes out between MULTI
 * and EXEC when it is more than one command (context.c). */
#define CTX_WRAPS_MULTI (1 << 14)
/* A logged command run again (dblite_call_replay). */
#define CTX_REPLAY (CTX_NO_REPLY | CTX_CANNOT_BLOCK | CTX_NO_PROPAGATE | CTX_UNCOUNTED)

/* ---- time ---- */
long long wall_clock_ms(void);
void update_cached_time(void);

/* ---- memory accounting (dblite_alloc & co. in memory/alloc.c) ---- */
void *server_alloc(size_t size);
void *server_calloc(size_t size);
void *server_realloc(void *ptr, size_t size);
void server_free(void *ptr);
char *server_strdup(const char *text);
char *server_strndup(const char *text, size_t length);

/* ---- keyspace access (keyspace/database.c) ---- */
void types_free(void);
int databases_create(int count);
void databases_free(void);
keytable_entry *db_find(dblite_ctx *ctx, database *db, const char *key, size_t length, int flags);
int db_store(dblite_ctx *ctx, database *db, const char *key, size_t length, value_type *type,
             void *value, int flags);
int db_delete(dblite_ctx *ctx, database *db, const char *key, size_t length);
void db_empty(dblite_ctx *ctx, database *db);
/* keyspace/lazy_free.c: FLUSHDB/FLUSHALL ASYNC.  db gets an empty table at
 * once and its old contents are freed in slices from a timer, so no client
 * waits for millions of frees; falls back to db_empty when no empty table
 * can be made.  lazy_free_finish frees what is left at shutdown. */
void db_empty_lazily(dblite_ctx *ctx, database *db);
long long lazy_free_pending_keys(void);
void lazy_free_finish(void);
void db_free_entry_value(keytable_entry *entry);
value_type *entry_type(const keytable_entry *entry);
/* memory/trim.c: set the allocator up (first thing in main), and from the
 * cron return freed memory to the system in small steps. */
void memory_allocator_init(void);
void memory_trim_step(void);
/* Run the handlers of event (key events carry the entry as their handle). */
void dispatch_event(dblite_ctx *ctx, dblite_event *event);
void fire_key_event(dblite_ctx *ctx, dblite_event_kind kind, int db, const keytable_entry *entry);
/* Keys of db as clients count them: stored ones minus those a module
 * reports logically dead (dblite_keyspace_dead_counter_register). */
long long database_live_keys(database *db);
void fire_event(dblite_ctx *ctx, dblite_event_kind kind, int db, const char *key, size_t key_length,
                int target_db, const char *target_key, size_t target_key_length);
void signal_key_ready(database *db, const char *key, size_t length);
/* keyspace/watch.c: every write path calls one of these (WATCH, tracking). */
void signal_modified_key(dblite_ctx *ctx, database *db, const char *key, size_t length);
void signal_flushed_database(dblite_ctx *ctx, int db); /* -1: every database */
void signal_swapped_databases(dblite_ctx *ctx, int first, int second);
void signal_database_ready(database *db);
/* keyspace/notify.c: notify-keyspace-events' letters to DBLITE_NOTIFY_*
 * bits (-1: a letter is not a class) and back, in Redis's canonical order;
 * and emitting one event for key in database db (nothing unless enabled). */
int keyspace_events_parse(const char *text);
void keyspace_events_format(int flags, char *buffer, size_t size);
void notify_keyspace_event(dblite_ctx *ctx, int type, const char *event, int db, const char *key,
                           size_t length);

/* ---- clients and networking (net/) ---- */
/* net/descriptor_limit.c: raise the soft open-file limit for maxclients
 * plus Redis's 32 reserved descriptors, lowering maxclients (logged) when
 * it cannot; -1 when the limit is too low to start.  The runtime variant
 * (CONFIG SET maxclients) refuses with Redis's text instead of lowering. */
int descriptor_limit_fit_startup(void);
int descriptor_limit_fit_runtime(long long maxclients, char *error, size_t size);
int listeners_open(void);
int listener_add(const char *bind_addresses, int port, module *dialect);
void listeners_close(void);
client *client_create(int fd);
void client_free(client *c);
/* Frees every module's state for c through its free callback (disconnect, RESET). */
void client_module_state_reset(client *c);
/* 1 when c's mode refuses the command (argv[1] names a container's
 * subcommand); the error text written to error. */
int client_mode_refuses(const client *c, const char *cmd_name, int argc, const dblite_bytes *argv,
                        char *error, size_t size);
void client_read_handler(event_loop *loop, int fd, void *privdata, int mask);
void client_process_input(client *c);
/* Runs the requests of clients handed over by client_unblocked. */
void clients_process_unblocked(void);
void clients_write_pending(void);
void client_describe(const client *c, char *buffer, size_t size);
client *client_by_id(uint64_t id);
/* 1 for a client connected over the loopback interface (127.0.0.0/8, ::1),
 * as Redis's connIsLocal: protected mode and protected configs trust it. */
int client_is_loopback(const client *c);
int client_select_db(client *c, int index);

/* ---- output buffer limits (net/output_limits.c) ---- */
/* Output up to this size is not counted against client-output-buffer-limit,
 * as Redis does not count its 16 KB static reply buffer. */
#define OUTPUT_UNCOUNTED_BYTES 16384
struct setting;
/* The setting's apply hook: merges the classes named in its text into
 * server.settings.output_limits and rewrites the text as CONFIG GET shows it. */
int output_limits_apply(const struct setting *s, char *error, size_t size);
/* Output bytes past the uncounted ones: what the limits and CLIENT LIST's omem count. */
size_t client_output_counted_bytes(const client *c);
/* The most output buffer c may need before its hard limit cuts it (SIZE_MAX: no limit). */
size_t output_limit_capacity(const client *c);
/* With pending (> OUTPUT_UNCOUNTED_BYTES) bytes of output owed to c: 1 when
 * that is over c's class's limits, after scheduling c's close and logging it. */
int output_limit_reached(client *c, size_t pending);
/* ---- client-side caching (net/tracking.c) ---- */
/* After a command ran in ctx: remembers the keys a tracking client read and,
 * at the outermost command, sends its own invalidations (after its reply). */
void tracking_after_command(dblite_ctx *ctx);
/* From signal_modified_key / signal_flushed_database (keyspace/watch.c). */
void tracking_invalidate_key(dblite_ctx *ctx, const char *key, size_t length);
void tracking_invalidate_all(dblite_ctx *ctx);
/* Broadcasts (BCAST), leftover invalidations, tracking-table-max-keys. */
void tracking_before_sleep(void);
/* CLIENT TRACKING ON with options (CLIENT_TRACKING_BCAST/OPTIN/OPTOUT/NOLOOP)
 * already checked as Redis checks them; DBLITE_ERR_NOMEM when memory ran out. */
int tracking_enable(client *c, uint64_t redirect, unsigned options, int prefix_count,
                    const dblite_bytes *prefixes);
void tracking_disable(client *c);
/* RESET: tracking off, as Redis's resetCommand (disableTracking). */
void tracking_client_reset(client *c);
/* The client goes: its state is freed. */
void tracking_client_free(client *c);
void tracking_free(void);
uint64_t tracking_redirect(const client *c); /* 0: none */
size_t tracking_prefix_count(const client *c);
const dblite_bytes *tracking_prefix_at(const client *c, size_t index);
long long tracking_clients_count(void);
long long tracking_total_keys(void);
long long tracking_total_items(void);
long long tracking_total_prefixes(void);

/* ---- replies into a client's buffer (net/reply.c) ---- */
void reply_append(client *c, const char *data, size_t length);
void reply_simple(client *c, const char *text);
void reply_error(client *c, const char *text);
void reply_integer(client *c, long long value);
void reply_bulk(client *c, const char *data, size_t length);
void reply_null(client *c);
void reply_null_array(client *c);
void reply_aggregate(client *c, char kind, long long count);
void reply_double(client *c, double value);

/* ---- execution (commands/dispatch.c) ---- */
/* Checks a parsed request as Redis does and runs it in a context of its own. */
void execute_request(client *c, int argc, const dblite_bytes *argv);

/* ---- blocking (net/blocking.c) ---- */
int blocking_init(void);
void blocking_free(void);
void blocking_handle_ready_keys(void);
void blocking_client_gone(client *c);
long long blocked_client_count(void);
/* Blocks the calling client on no key until timeout_ms passes (0: until
 * unblocked otherwise); on_timeout replies.  WAIT uses it.  As
 * dblite_block_on_keys: DBLITE_ERR_INVALID when the context cannot block. */
int blocking_block_for_timeout(dblite_ctx *ctx, long long timeout_ms, dblite_timeout_fn on_timeout);
/* CLIENT UNBLOCK: ends c's block as its timeout would, or with_error with
 * "-UNBLOCKED client unblocked via CLIENT UNBLOCK"; 0 when c is not blocked. */
int blocking_unblock_client(client *c, int with_error);

/* ---- modules (modules/) ---- */
int modules_load_from_config(void);
void modules_unload_all(void);
module *module_find(const char *name);

/* ---- INFO (commands/info.c) ---- */
char *info_generate(const char *section, size_t *length);

/* ---- lifecycle ---- */
/* Redis's prepareForShutdown: runs the SHUTDOWN_PREPARE handlers (the final
 * save, the log's fsync) with flags (DBLITE_SHUTDOWN_*).  0: the server may
 * exit (shutdown_requested is set and the loop stops); -1: a handler
 * refused and the server keeps running, as Redis when its last save fails. */
int server_prepare_shutdown(int flags);

#endif
