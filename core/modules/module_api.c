/*
 * module_api.c - the public functions a module calls during init and
 * afterwards: registration of commands, hooks, timers, services, INFO
 * sections, and loading progress.  Everything it registers is remembered
 * with its owner so errors can name the module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands/context.h"

const char *dblite_module_name(const dblite_module *module)
{
    return module->name;
}
void dblite_module_set_data(dblite_module *module, void *data)
{
    module->data = data;
}
void *dblite_module_get_data(const dblite_module *module)
{
    return module ? module->data : NULL;
}
dblite_module *dblite_ctx_module(const dblite_ctx *ctx)
{
    return ctx->module;
}

void dblite_module_set_data_free(dblite_module *module, void *data, dblite_data_free_fn free_fn)
{
    module->data = data;
    module->data_free = free_fn;
}

int dblite_module_loaded(const char *name)
{
    return name && module_find(name) ? 1 : 0;
}

void dblite_module_fail(dblite_module *module, const char *format, ...)
{
    if (module->failure)
        return; /* the first reason is the useful one */
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    module->failure = server_strdup(text);
}

int dblite_command_register(dblite_module *module, const dblite_command_spec *spec)
{
    if (!spec || spec->api_version < 1 || spec->api_version > DBLITE_API_VERSION) {
        dblite_module_fail(module, "command spec with unsupported api_version %d",
                           spec ? spec->api_version : -1);
        return DBLITE_ERR_INVALID;
    }
    char bad_flag[64] = "";
    unsigned flags;
    if (command_flags_parse(spec->flags, &flags, bad_flag, sizeof(bad_flag)) != DBLITE_OK) {
        dblite_module_fail(module, "command '%s' has unknown flag '%s'",
                           spec->name ? spec->name : "", bad_flag);
        return DBLITE_ERR_INVALID;
    }
    const char *owner = NULL;
    int status = command_register(spec, module, &owner);
    if (status == DBLITE_ERR_EXISTS)
        dblite_module_fail(module, "command '%s' is already registered by %s%s", spec->name,
                           strcmp(owner, "core") == 0 ? "the " : "module ", owner);
    else if (status == DBLITE_ERR_INVALID)
        dblite_module_fail(
            module,
            "command '%s' is malformed (name must be lowercase without spaces, arity non-zero, handler set)",
            spec->name ? spec->name : "");
    else if (status != DBLITE_OK)
        dblite_module_fail(module, "out of memory registering command '%s'", spec->name);
    return status;
}

int dblite_command_register_table(dblite_module *module, const dblite_command_spec *table,
                                  size_t count)
{
    if (!table && count > 0) {
        dblite_module_fail(module, "command table is NULL");
        return DBLITE_ERR_INVALID;
    }
    for (size_t i = 0; i < count; i++) {
        /* dblite_command_register recorded the reason, naming the command. */
        int status = dblite_command_register(module, &table[i]);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}

void *dblite_ctx_command_privdata(const dblite_ctx *ctx)
{
    return ctx->command ? ctx->command->privdata : NULL;
}

/* ---- keys: lookups that reply WRONGTYPE themselves ---- */

int dblite_key_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                               int flags, void **value)
{
    int status = dblite_key_lookup(ctx, key, type, flags, value);
    if (status == DBLITE_ERR_WRONGTYPE)
        dblite_reply_wrongtype(ctx);
    return status;
}

int dblite_key_lookup_slot_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                                    int flags, void ***slot)
{
    int status = dblite_key_lookup_slot(ctx, key, type, flags, slot);
    if (status == DBLITE_ERR_WRONGTYPE)
        dblite_reply_wrongtype(ctx);
    return status;
}

int dblite_command_register_dialect(dblite_module *module, const dblite_command_spec *spec)
{
    if (!spec || spec->api_version < 1 || spec->api_version > DBLITE_API_VERSION) {
        dblite_module_fail(module, "command spec with unsupported api_version %d",
                           spec ? spec->api_version : -1);
        return DBLITE_ERR_INVALID;
    }
    int status = command_register_dialect(spec, module);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "cannot register dialect command '%s'",
                           spec->name ? spec->name : "");
    return status;
}

int dblite_listener_open(dblite_module *module, const char *bind_addresses, int port)
{
    if (!server.loop || port <= 0 || port > 65535)
        return DBLITE_ERR_INVALID;
    if (listener_add(bind_addresses, port, module) != 0) {
        dblite_module_fail(module, "cannot listen on %s port %d",
                           bind_addresses ? bind_addresses : "127.0.0.1", port);
        return DBLITE_ERR_IO;
    }
    return DBLITE_OK;
}

int dblite_event_subscribe(dblite_module *module, dblite_event_kind kind, dblite_event_fn fn,
                           void *privdata)
{
    if ((int)kind < 0 || kind >= DBLITE_EVENT_KIND_COUNT || !fn)
        return DBLITE_ERR_INVALID;
    /* A module of an older API knows fewer kinds: what it passes as its
     * KIND_COUNT is out of range for it still. */
    if (kind >= DBLITE_EVENT_KEYSPACE_NOTIFICATION && module && module->api_version < 6)
        return DBLITE_ERR_INVALID;
    module_event_handler handler = {fn, privdata, module};
    return ARRAY_PUSH(server.event_handlers[kind], handler) == 0 ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

int dblite_propagation_subscribe(dblite_module *module, dblite_propagate_fn fn, void *privdata)
{
    (void)module;
    if (!fn)
        return DBLITE_ERR_INVALID;
    propagation_subscriber subscriber = {fn, privdata};
    return ARRAY_PUSH(server.propagation_subscribers, subscriber) == 0 ? DBLITE_OK
                                                                       : DBLITE_ERR_NOMEM;
}

int dblite_write_gate_register(dblite_module *module, dblite_write_gate_fn fn, void *privdata)
{
    (void)module;
    if (!fn)
        return DBLITE_ERR_INVALID;
    write_gate gate = {fn, privdata};
    return ARRAY_PUSH(server.write_gates, gate) == 0 ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

/* ---- timers ---- */

typedef struct module_timer {
    dblite_module *module;
    dblite_timer_fn fn;
    void *privdata;
} module_timer;

static long long module_timer_fire(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop, (void)id;
    module_timer *timer = privdata;
    dblite_ctx ctx;
    context_begin(&ctx, NULL, NULL, &server.databases[0], NULL, 0);
    ctx.module = timer->module;
    long long next = timer->fn(&ctx, timer->privdata);
    (void)context_end(&ctx);
    return next < 0 ? -1 : next;
}

static void module_timer_finalize(event_loop *loop, void *privdata)
{
    (void)loop;
    server_free(privdata);
}

dblite_timer_id dblite_timer_create(dblite_module *module, long long delay_ms, dblite_timer_fn fn,
                                    void *privdata)
{
    if (!fn || !server.loop)
        return 0;
    module_timer *timer = server_alloc(sizeof(*timer));
    if (!timer)
        return 0;
    timer->module = module;
    timer->fn = fn;
    timer->privdata = privdata;
    uint64_t id =
        event_add_timer(server.loop, delay_ms, module_timer_fire, module_timer_finalize, timer);
    if (!id)
        server_free(timer);
    return id;
}

int dblite_timer_cancel(dblite_timer_id id)
{
    /* No loop: at exit (a module data destructor) every timer is gone. */
    if (!server.loop)
        return DBLITE_ERR_NOTFOUND;
    return event_remove_timer(server.loop, id) == 0 ? DBLITE_OK : DBLITE_ERR_NOTFOUND;
}

/* ---- services ---- */

int dblite_service_export(dblite_module *module, const char *name, void *service)
{
    if (!name || !service)
        return DBLITE_ERR_INVALID;
    if (dblite_service_lookup(name)) {
        dblite_module_fail(module, "service '%s' is already exported by another module", name);
        return DBLITE_ERR_EXISTS;
    }
    service_entry entry = {server_strdup(name), service, module};
    if (!entry.name || ARRAY_PUSH(server.services, entry) != 0) {
        server_free(entry.name);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

void *dblite_service_lookup(const char *name)
{
    for (size_t i = 0; i < server.services.length; i++)
        if (strcmp(server.services.items[i].name, name) == 0)
            return server.services.items[i].service;
    return NULL;
}

void *dblite_service_data(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < server.services.length; i++)
        if (strcmp(server.services.items[i].name, name) == 0) {
            const module *owner = server.services.items[i].owner;
            return owner ? owner->data : NULL;
        }
    return NULL;
}

/* ---- INFO ---- */

int dblite_info_register(dblite_module *module, const char *section, dblite_info_fn fn,
                         void *privdata)
{
    if (!section || !fn)
        return DBLITE_ERR_INVALID;
    info_extension extension = {server_strdup(section), fn, privdata, module};
    if (!extension.section || ARRAY_PUSH(server.info_extensions, extension) != 0) {
        server_free(extension.section);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

int dblite_info_keyspace_register(dblite_module *module, dblite_keyspace_info_fn fn, void *privdata)
{
    if (!fn)
        return DBLITE_ERR_INVALID;
    if (server.keyspace_info) {
        dblite_module_fail(module, "another module already provides the keyspace figures");
        return DBLITE_ERR_EXISTS;
    }
    server.keyspace_info = fn;
    server.keyspace_info_privdata = privdata;
    return DBLITE_OK;
}

int dblite_keyspace_dead_counter_register(dblite_module *module, dblite_dead_keys_fn fn,
                                          void *privdata)
{
    if (!fn)
        return DBLITE_ERR_INVALID;
    if (server.dead_keys) {
        dblite_module_fail(module, "another module already counts dead keys");
        return DBLITE_ERR_EXISTS;
    }
    server.dead_keys = fn;
    server.dead_keys_privdata = privdata;
    return DBLITE_OK;
}

/* ---- shutdown ---- */

int dblite_shutdown_refuse(dblite_ctx *ctx)
{
    (void)ctx;
    if (!server.shutdown_preparing)
        return DBLITE_ERR_INVALID;
    server.shutdown_refused = 1;
    return DBLITE_OK;
}

/* ---- loading progress ---- */

void dblite_loading_start(dblite_module *module, uint64_t total_bytes)
{
    (void)module;
    /* As Redis's touchAllWatchedKeysInDb around a load: watched keys that
     * exist before or after it make their watchers' EXEC fail. */
    signal_flushed_database(NULL, -1);
    server.loading = 1;
    server.loading_total = total_bytes;
    server.loading_done = 0;
    server.loading_start_ms = wall_clock_ms();
    server.loading_last_events_us = monotonic_us();
}

void dblite_loading_progress(dblite_module *module, uint64_t bytes_done)
{
    (void)module;
    server.loading_done = bytes_done;
    /* Keep answering clients (with -LOADING) every so often. */
    int64_t now = monotonic_us();
    if (server.loop && server.listen_count > 0 && now - server.loading_last_events_us > 100000) {
        server.loading_last_events_us = now;
        event_process(server.loop, 0);
        clients_write_pending();
    }
}

void dblite_loading_end(dblite_module *module)
{
    (void)module;
    signal_flushed_database(NULL, -1);
    server.loading = 0;
    server.loading_done = server.loading_total;
}
