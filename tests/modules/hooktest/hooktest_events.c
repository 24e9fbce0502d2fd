/*
 * hooktest_events.c - subscribes to every keyspace event and logs it as one
 * line ("renamed 0 a 0 b", "count 3" before db 3's keys are counted);
 * HOOKTEST.EVENTS returns the lines and clears
 * them.  Each handler also checks that its context has the event's
 * database selected and that the event's key handles name its keys, as the
 * API promises, and counts violations (INFO).
 *
 * Keys named "hookdel:..." are deleted by the lookup hook, which also
 * propagates a DEL for them: what expiry does with a key past its deadline,
 * so tests can check key calls and propagation from inside a hook.
 */
#include <string.h>

#include "hooktest.h"

#define LAZY_DELETE_PREFIX "hookdel:"

static void lazily_delete(dblite_ctx *ctx, const dblite_event *event)
{
    size_t prefix_length = strlen(LAZY_DELETE_PREFIX);
    if (event->key.len < prefix_length ||
        memcmp(event->key.ptr, LAZY_DELETE_PREFIX, prefix_length) != 0)
        return;
    if (dblite_key_type(ctx, event->key, DBLITE_LOOKUP_NO_HOOK) == NULL)
        return;
    dblite_key_delete(ctx, event->key);
    const dblite_bytes command[] = {{"del", 3}, event->key};
    (void)dblite_propagate_extra(ctx, 2, command);
}

static int names(const dblite_key_handle *handle, dblite_bytes key)
{
    if (handle == NULL)
        return 0;
    dblite_bytes name = dblite_key_handle_name(handle);
    return name.len == key.len && memcmp(name.ptr, key.ptr, key.len) == 0;
}

/* The handles an event carries name its keys, as the API promises: the
 * key's own for LOOKUP (NULL exactly when the key is missing), DELETED and
 * OVERWRITTEN; the destination's for RENAMED, MOVED and COPIED, whose
 * source handle is only live for COPIED; none for database-wide events. */
static int handles_as_promised(dblite_ctx *ctx, const dblite_event *event)
{
    switch (event->kind) {
        case DBLITE_EVENT_KEY_LOOKUP:
            if (event->handle == NULL)
                return dblite_key_find_handle(ctx, event->key, DBLITE_LOOKUP_NO_HOOK) == NULL;
            return names(event->handle, event->key);
        case DBLITE_EVENT_KEY_DELETED:
        case DBLITE_EVENT_KEY_OVERWRITTEN:
            return names(event->handle, event->key) && event->target_handle == NULL;
        case DBLITE_EVENT_KEY_RENAMED:
        case DBLITE_EVENT_KEY_MOVED:
            return event->handle != NULL && names(event->target_handle, event->target_key);
        case DBLITE_EVENT_KEY_COPIED:
            return names(event->handle, event->key) &&
                   names(event->target_handle, event->target_key);
        default:
            return event->handle == NULL && event->target_handle == NULL;
    }
}

/* Counts every event that breaks a promise of the API: its context must
 * have the event's database selected, and its handles must name its keys. */
static void check_context_db(hooktest_state *state, dblite_ctx *ctx, const dblite_event *event)
{
    if (event->db >= 0 && dblite_ctx_db(ctx) != event->db)
        state->event_context_mismatches++;
    else if (!handles_as_promised(ctx, event))
        state->event_context_mismatches++;
}

static void on_key_event(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    hooktest_state *state = privdata;
    check_context_db(state, ctx, event);
    int key_length = (int)event->key.len;
    int target_length = (int)event->target_key.len;
    switch (event->kind) {
        case DBLITE_EVENT_KEY_LOOKUP:
            if (state->settings.log_lookups)
                hooktest_log_append(&state->events, "lookup %d %.*s", event->db, key_length,
                                    event->key.ptr);
            lazily_delete(ctx, event);
            break;
        case DBLITE_EVENT_KEY_DELETED:
            hooktest_log_append(&state->events, "deleted %d %.*s", event->db, key_length,
                                event->key.ptr);
            break;
        case DBLITE_EVENT_KEY_OVERWRITTEN:
            hooktest_log_append(&state->events, "overwritten %d %.*s", event->db, key_length,
                                event->key.ptr);
            break;
        case DBLITE_EVENT_KEY_RENAMED:
            hooktest_log_append(&state->events, "renamed %d %.*s %d %.*s", event->db, key_length,
                                event->key.ptr, event->target_db, target_length,
                                event->target_key.ptr);
            break;
        case DBLITE_EVENT_KEY_MOVED:
            hooktest_log_append(&state->events, "moved %d %.*s %d", event->db, key_length,
                                event->key.ptr, event->target_db);
            break;
        case DBLITE_EVENT_KEY_COPIED:
            hooktest_log_append(&state->events, "copied %d %.*s %d %.*s", event->db, key_length,
                                event->key.ptr, event->target_db, target_length,
                                event->target_key.ptr);
            break;
        case DBLITE_EVENT_DB_FLUSHED:
            hooktest_log_append(&state->events, "flushed %d", event->db);
            break;
        case DBLITE_EVENT_DB_SWAPPED:
            hooktest_log_append(&state->events, "swapped %d %d", event->db, event->target_db);
            break;
        case DBLITE_EVENT_BEFORE_COUNT:
            hooktest_log_append(&state->events, "count %d", event->db);
            break;
        default:
            hooktest_log_append(&state->events, "unexpected-kind %d", (int)event->kind);
            break;
    }
}

static void command_events(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    hooktest_log_reply_and_clear(ctx, &hooktest_state_get()->events);
}

int hooktest_register_events(hooktest_state *state)
{
    static const dblite_event_kind kinds[] = {
        DBLITE_EVENT_KEY_LOOKUP,  DBLITE_EVENT_KEY_DELETED, DBLITE_EVENT_KEY_OVERWRITTEN,
        DBLITE_EVENT_KEY_RENAMED, DBLITE_EVENT_KEY_MOVED,   DBLITE_EVENT_KEY_COPIED,
        DBLITE_EVENT_DB_FLUSHED,  DBLITE_EVENT_DB_SWAPPED,  DBLITE_EVENT_BEFORE_COUNT,
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        int status = dblite_event_subscribe(state->module, kinds[i], on_key_event, state);
        if (status != DBLITE_OK) {
            dblite_module_fail(state->module, "cannot subscribe to event kind %d", (int)kinds[i]);
            return status;
        }
    }
    if (dblite_event_subscribe(state->module, DBLITE_EVENT_KIND_COUNT, on_key_event, state) !=
        DBLITE_ERR_INVALID) {
        dblite_module_fail(state->module, "subscribing to an out-of-range event kind was accepted");
        return DBLITE_ERR;
    }
    return hooktest_command(state->module, "hooktest.events", 1, "readonly fast", 0, 0, 0,
                            command_events,
                            "Returns and clears the keyspace events seen since the last call.");
}
