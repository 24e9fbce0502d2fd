/*
 * dblite_provider.h - the module API for modules that supply infrastructure
 * to the server rather than data types or commands: persistence (snapshot
 * streams, log rewriting, replay, loading progress, write gates), TTLs
 * (dead-key counters, the keyspace figures of INFO), replication-style
 * propagation subscribers, and dialect listeners.
 *
 * A plugin author needs only dblite_module.h; this header includes it and
 * adds what the bundled persistence, expiry and dblite_compat modules are
 * built on.  The calls are the same ones as before the split (API version
 * 5 moved their declarations here, nothing else): a module of an older API
 * that uses them keeps loading, and its source needs this #include.  The
 * same rules hold as in dblite_module.h: single command thread, DBLITE_OK
 * or a negative DBLITE_ERR_* from functions returning int, and the API
 * only grows.
 */
#ifndef DBLITE_PROVIDER_H
#define DBLITE_PROVIDER_H

#include "dblite_module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Dialects: a module's own listener with its own command versions ----
 *
 * A module may open extra listening ports.  Clients accepted there speak the
 * module's dialect: their requests may carry RESP integers (':123') as
 * arguments, and commands the module registered with
 * dblite_command_register_dialect() replace the same-named commands for
 * them only.  Clients of the server's own port never see any of this. */
/* Listen on port (1..65535) at bind_addresses (space-separated, "-" prefix
 * for optional ones; NULL: 127.0.0.1).  DBLITE_ERR_IO after
 * dblite_module_fail() when no address could be bound. */
int dblite_listener_open(dblite_module *module, const char *bind_addresses, int port);
/* Register the module's own version of a command, for its dialect clients
 * only; the name may belong to the core or another module. */
int dblite_command_register_dialect(dblite_module *module, const dblite_command_spec *spec);
/* The dialect module's name for a client of such a listener, else NULL. */
const char *dblite_ctx_dialect(const dblite_ctx *ctx);
/* 1 when argument index arrived as a RESP integer (dialect clients only). */
int dblite_ctx_argument_is_integer(const dblite_ctx *ctx, int index);
/* A map header written as RESP3's '%' to a dialect client whatever protocol
 * it speaks (DBLite clients read '%' maps without ever sending HELLO 3); to
 * any other client exactly dblite_reply_map.  Then reply pairs key/values. */
void dblite_reply_dialect_map(dblite_ctx *ctx, long long pairs);

/* ---- Type registry, for storage --------------------------------------- */

/* What a type was registered with, for a module storing values of every
 * type (snapshot files name types and versions; see dblite_type_register). */
const char *dblite_type_snapshot_name(const dblite_type *type);
int dblite_type_encoding_version(const dblite_type *type);
int dblite_type_native_snapshot_code(const dblite_type *type);
const dblite_type_methods *dblite_type_get_methods(const dblite_type *type);
/* Iterate registered types: index 0,1,2... until NULL. */
dblite_type *dblite_type_at(int index);

/* ---- Snapshot streams and log rewriting -------------------------------- */

/* For modules that store data (persistence): a stream is a set of encoding
 * functions over the module's own state.  Each returns DBLITE_OK or an error;
 * read_string returns a dblite_alloc'd buffer.  The server wraps it so type
 * methods see one dblite_io whatever the file format. */
typedef struct dblite_io_methods {
    int api_version; /* set to DBLITE_API_VERSION */
    int (*write_unsigned)(void *stream, uint64_t value);
    int (*write_signed)(void *stream, int64_t value);
    int (*write_string)(void *stream, const char *ptr, size_t len);
    int (*write_double)(void *stream, double value);
    int (*read_unsigned)(void *stream, uint64_t *value);
    int (*read_signed)(void *stream, int64_t *value);
    int (*read_string)(void *stream, char **ptr, size_t *len);
    int (*read_double)(void *stream, double *value);
} dblite_io_methods;
/* NULL when out of memory.  Destroying frees the wrapper, not the stream. */
dblite_io *dblite_io_create(const dblite_io_methods *methods, void *stream);
/* Before calling a type's save or load method on io: names the type, for
 * dblite_io_module.  Since API version 3. */
void dblite_io_begin_value(dblite_io *io, const dblite_type *type);
void dblite_io_destroy(dblite_io *io);

/* For the module writing the log: emit receives every command a rewrite
 * method emits and returns DBLITE_OK or an error, which the method passes
 * on.  create returns NULL when out of memory. */
typedef int (*dblite_rewrite_emit_fn)(void *privdata, int argc, const dblite_bytes *argv);
dblite_rewriter *dblite_rewriter_create(dblite_rewrite_emit_fn emit, void *privdata);
void dblite_rewriter_destroy(dblite_rewriter *rewriter);

/* ---- Keyspace bookkeeping -------------------------------------------- */

/* Keys of db that are logically dead but still stored (past their
 * deadline, not yet reclaimed).  The server subtracts them wherever it
 * counts keys (DBSIZE, INFO keyspace, the "keys" statistic), so no client
 * sees a dead key counted as live while it waits for reclaiming.  One
 * module (the owner of TTLs) may register; DBLITE_ERR_EXISTS for a second.
 * Since API version 2. */
typedef long long (*dblite_dead_keys_fn)(int db, void *privdata);
int dblite_keyspace_dead_counter_register(dblite_module *module, dblite_dead_keys_fn fn,
                                          void *privdata);
/* Hint that about count keys are about to be added to the selected
 * database (loading a snapshot): its table is sized once instead of growing
 * step by step.  DBLITE_OK, or DBLITE_ERR_NOMEM (the database stays usable). */
int dblite_database_reserve(dblite_ctx *ctx, size_t count);

/* ---- Write propagation subscribers ------------------------------------ */

/* Called after every command that changed the dataset, with the command as
 * it should be replayed (possibly rewritten by the command: see
 * dblite_propagate_replace and dblite_propagate_extra), in execution order.
 * Subscribers are the append-only log and replication. */
typedef void (*dblite_propagate_fn)(int db, int argc, const dblite_bytes *argv, void *privdata);
/* Receive every propagated command (argv is valid during the call only). */
int dblite_propagation_subscribe(dblite_module *module, dblite_propagate_fn fn, void *privdata);

/* ---- Hooks: write gates ------------------------------------------------ */

/* Asked before every command flagged "write", and before PING (so a health
 * check notices), from clients: a gate that writes an error text (without
 * the leading '-', e.g. "MISCONF ...") into error and returns nonzero
 * refuses the command, which gets that error and does not run.  The
 * persistence module closes its gate while snapshots or the append-only
 * file cannot be written, as Redis's stop-writes-on-bgsave-error does, so
 * writes are not acknowledged that could not be kept.  Replayed commands
 * (dblite_call_replay) pass without asking.  A gate is called for every
 * write: it must be cheap.  DBLITE_OK, DBLITE_ERR_INVALID or
 * DBLITE_ERR_NOMEM.  Since API version 3. */
typedef int (*dblite_write_gate_fn)(char *error, size_t error_size, void *privdata);
int dblite_write_gate_register(dblite_module *module, dblite_write_gate_fn fn, void *privdata);

/* ---- Replaying logged commands ----------------------------------------- */

/* Run a write command (argv[0] is its name) in ctx's database as a log
 * replay does: no client, replies are dropped, blocking commands answer as
 * if timed out, and the command is not propagated again.  For modules that
 * rebuild the dataset from a command log (the append-only file).
 * Returns DBLITE_OK when the command ran without replying an error,
 * DBLITE_ERR when it replied one, DBLITE_ERR_NOTFOUND for an unknown command,
 * DBLITE_ERR_INVALID for a wrong argument count or a command that is not a
 * write command (SELECT is the caller's dblite_ctx_select). */
int dblite_call_replay(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* ---- Loading progress -------------------------------------------------- */

/* A module loading a dataset reports progress: while loading, INFO shows
 * loading:1 and the percentage, clients are answered -LOADING, and the
 * server keeps answering them from inside dblite_loading_progress. */
void dblite_loading_start(dblite_module *module, uint64_t total_bytes);
/* Call often: it is cheap, and serves clients at most every 100 ms. */
void dblite_loading_progress(dblite_module *module, uint64_t bytes_done);
void dblite_loading_end(dblite_module *module);

/* ---- INFO keyspace ---------------------------------------------------- */

/* Per-database figures for INFO keyspace's "expires=" and "avg_ttl=" (the
 * module owning TTLs provides them; without one both are 0). */
typedef void (*dblite_keyspace_info_fn)(int db, long long *expires, long long *avg_ttl_ms,
                                        void *privdata);
int dblite_info_keyspace_register(dblite_module *module, dblite_keyspace_info_fn fn,
                                  void *privdata);

#ifdef __cplusplus
}
#endif

#endif /* DBLITE_PROVIDER_H */
