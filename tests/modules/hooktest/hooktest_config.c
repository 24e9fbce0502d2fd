/*
 * hooktest_config.c - one setting of each kind, mutable and immutable, so
 * tests can check defaults, the [hooktest] ini section, --hooktest.NAME on
 * the command line, CONFIG GET/SET, and that the module's own storage (not
 * just CONFIG GET's text) follows: HOOKTEST.CONFIG replies the values the
 * module reads, as name/value pairs.  log-lookups also changes behaviour:
 * "no" stops the lookup events from being logged.
 */
#include <stdio.h>

#include "hooktest.h"

static const char *const mode_choices[] = {"fast", "safe", "paranoid", NULL};

static void command_config(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    const hooktest_settings *settings = &hooktest_state_get()->settings;
    dblite_reply_array(ctx, 14);
    dblite_reply_bulk_cstring(ctx, "int-setting");
    dblite_reply_bulk_long_long(ctx, settings->int_setting);
    dblite_reply_bulk_cstring(ctx, "fixed-int");
    dblite_reply_bulk_long_long(ctx, settings->fixed_int);
    dblite_reply_bulk_cstring(ctx, "log-lookups");
    dblite_reply_bulk_cstring(ctx, settings->log_lookups ? "yes" : "no");
    dblite_reply_bulk_cstring(ctx, "greeting");
    dblite_reply_bulk_cstring(ctx, settings->greeting ? settings->greeting : "(null)");
    dblite_reply_bulk_cstring(ctx, "mode");
    int mode = settings->mode;
    dblite_reply_bulk_cstring(ctx, mode >= 0 && mode < 3 ? mode_choices[mode] : "(out of range)");
    dblite_reply_bulk_cstring(ctx, "label");
    dblite_reply_bulk_cstring(ctx, settings->label ? settings->label : "(null)");
    dblite_reply_bulk_cstring(ctx, "keyspace-info");
    dblite_reply_bulk_cstring(ctx, settings->keyspace_info ? "yes" : "no");
}

/* The server frees a string setting's value when it replaces it; the last
 * value is ours to free at shutdown. */
void hooktest_config_free(hooktest_state *state)
{
    dblite_free(state->settings.greeting);
    dblite_free(state->settings.label);
    state->settings.greeting = state->settings.label = NULL;
}

int hooktest_register_config(hooktest_state *state)
{
    dblite_module *module = state->module;
    hooktest_settings *settings = &state->settings;
    int status;
    if ((status = dblite_config_integer(module, "int-setting", &settings->int_setting, 10, 0, 1000,
                                        DBLITE_CONFIG_MUTABLE)) != DBLITE_OK ||
        (status = dblite_config_integer(module, "fixed-int", &settings->fixed_int, 5, -100, 100,
                                        DBLITE_CONFIG_IMMUTABLE)) != DBLITE_OK ||
        (status = dblite_config_boolean(module, "log-lookups", &settings->log_lookups, 1,
                                        DBLITE_CONFIG_MUTABLE)) != DBLITE_OK ||
        (status = dblite_config_string(module, "greeting", &settings->greeting, "hello",
                                       DBLITE_CONFIG_MUTABLE)) != DBLITE_OK ||
        (status = dblite_config_enum(module, "mode", &settings->mode, mode_choices, 1,
                                     DBLITE_CONFIG_MUTABLE)) != DBLITE_OK ||
        (status = dblite_config_string(module, "label", &settings->label, "none",
                                       DBLITE_CONFIG_IMMUTABLE)) != DBLITE_OK ||
        (status = dblite_config_boolean(module, "keyspace-info", &settings->keyspace_info, 0,
                                        DBLITE_CONFIG_IMMUTABLE)) != DBLITE_OK)
        return status;
    return hooktest_command(module, "hooktest.config", 1, "readonly fast", 0, 0, 0, command_config,
                            "Returns the settings as the module's storage holds them.");
}
