/*
 * hello_module.c - entry point of hello.so, the example plugin: a greeting
 * command and a GCRA rate limiter stored as its own value type.
 *
 * Settings come first because the server applies the [hello] section right
 * after init returns, and a key there that nobody registered stops startup.
 */
#include "dblite_module.h"
#include "hello_commands.h"
#include "hello_state.h"
#include "rate_limit_type.h"
#include "rate_limiter.h"

#define DEFAULT_PERIOD_SECONDS 60
#define DEFAULT_GREETING "Hello"

DBLITE_MODULE_DECLARE();

static int register_settings(dblite_module *module, hello_state *state)
{
    int status = dblite_config_integer(module, "default-period", &state->default_period_seconds,
                                       DEFAULT_PERIOD_SECONDS, 1, RATE_LIMIT_MAX_PERIOD_SECONDS,
                                       DBLITE_CONFIG_MUTABLE);
    if (status != DBLITE_OK)
        return status;
    return dblite_config_string(module, "greeting", &state->greeting, DEFAULT_GREETING,
                                DBLITE_CONFIG_MUTABLE);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hello_state *state = hello_state_get();
    int status = register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->rate_limit_type = rate_limit_type_register(module);
    if (state->rate_limit_type == NULL)
        return DBLITE_ERR;
    return hello_commands_register(module);
}
