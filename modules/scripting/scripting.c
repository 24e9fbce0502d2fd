/*
 * scripting.c - entry point of scripting.so: Lua scripting as Redis 7.0
 * has it (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD|EXISTS|FLUSH).
 * The state is one Lua interpreter (scripting_sandbox.c) made at init and
 * closed at exit; the commands are in scripting_eval.c, the `redis` table
 * in scripting_redis_api.c, the conversions in scripting_convert.c.
 */
#include "scripting.h"

DBLITE_MODULE_DECLARE();

static void state_free(void *data)
{
    scripting_state *state = data;
    if (state->lua)
        lua_close(state->lua);
    dblite_free(state);
}

int dblite_module_init(dblite_module *module)
{
    scripting_state *state = dblite_calloc(sizeof(*state));
    if (!state) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->module = module;
    state->run_resp = 2;
    /* rand.c's initial state, 0x1234ABCD330E: Redis's first math.random. */
    state->rand_state = 0x1234ABCD330Eull;
    state->lua = scripting_sandbox_create(state);
    if (!state->lua) {
        dblite_free(state);
        dblite_module_fail(module, "cannot create the Lua interpreter");
        return DBLITE_ERR;
    }
    dblite_module_set_data_free(module, state, state_free);
    return scripting_register_commands(module);
}
