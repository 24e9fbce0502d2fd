/*
 * bloom_module.c - entry point of bloom.so, the example plugin of a custom
 * data type: scalable Bloom filters under BF.* commands (like RedisBloom's,
 * simplified), stored as their own "bloom" value type.
 *
 * Init allocates the plugin's state and hands it to the server
 * (dblite_module_set_data), then registers settings first (the server
 * applies the [bloom] section right after init returns, and a key there
 * nobody registered stops startup), the type, the commands, the INFO
 * section and two hooks: STARTED checks the one setting the server cannot
 * check, SHUTDOWN frees the state.
 */
#include "bloom_access.h"
#include "bloom_commands.h"
#include "bloom_filter.h"
#include "bloom_info_section.h"
#include "bloom_state.h"
#include "bloom_type.h"
#include "dblite_module.h"

/* RedisBloom's defaults for filters that BF.ADD creates. */
#define DEFAULT_ERROR_RATE "0.01"
#define DEFAULT_CAPACITY 100
#define DEFAULT_EXPANSION 2

DBLITE_MODULE_DECLARE();

static int register_settings(dblite_module *module, bloom_settings *settings)
{
    int status = dblite_config_string(module, "default-error-rate", &settings->default_error_rate,
                                      DEFAULT_ERROR_RATE, DBLITE_CONFIG_MUTABLE);
    if (status == DBLITE_OK)
        status = dblite_config_integer(module, "default-capacity", &settings->default_capacity,
                                       DEFAULT_CAPACITY, 1, (long long)BLOOM_MAX_CAPACITY,
                                       DBLITE_CONFIG_MUTABLE);
    if (status == DBLITE_OK)
        status =
            dblite_config_integer(module, "default-expansion", &settings->default_expansion,
                                  DEFAULT_EXPANSION, 1, BLOOM_MAX_EXPANSION, DBLITE_CONFIG_MUTABLE);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not register the [bloom] settings");
    return status;
}

/* The ini section has been applied by now: say early, in the log, that
 * default-error-rate is unusable rather than only when a filter is made. */
static void on_started(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    const bloom_state *state = privdata;
    double error_rate;
    if (!bloom_parse_error_rate_text(state->settings.default_error_rate, &error_rate))
        dblite_log(dblite_ctx_module(ctx), "warning",
                   "default-error-rate '%s' is not a number between 0 and 1: BF.ADD, BF.MADD "
                   "and BF.INSERT cannot create filters until it is fixed",
                   state->settings.default_error_rate != NULL ? state->settings.default_error_rate
                                                              : "");
}

/* Runs before the keyspace is freed; filters do not point at the state, so
 * freeing it here is safe. */
static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    bloom_state_free(privdata);
    dblite_module_set_data(dblite_ctx_module(ctx), NULL);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    bloom_state *state = bloom_state_create();
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    /* From here on the server holds the state; on a failed init it exits
     * without calling anything of ours again. */
    dblite_module_set_data(module, state);
    int status = register_settings(module, &state->settings);
    if (status != DBLITE_OK)
        return status;
    state->type = bloom_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    status = bloom_commands_register(module);
    if (status != DBLITE_OK)
        return status;
    status = bloom_info_section_register(module, state);
    if (status == DBLITE_OK)
        status = dblite_event_subscribe(module, DBLITE_EVENT_STARTED, on_started, state);
    if (status == DBLITE_OK)
        status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not register the INFO section and hooks");
    return status;
}
