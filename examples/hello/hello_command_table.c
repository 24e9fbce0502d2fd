/*
 * hello_command_table.c - what the hello plugin registers, with the flags
 * and key positions clients and proxies read from COMMAND INFO: they decide
 * which commands may run on a replica or under memory pressure, and which
 * arguments are keys (for cluster routing and ACLs).
 */
#include "hello_commands.h"

static const dblite_command_spec hello_commands[] = {
    /* No key: only its name matters, and it is cheap enough to be "fast". */
    {DBLITE_API_VERSION, "hello.greet", -1, "fast", 0, 0, 0, hello_greet_command,
     "Greets the caller with the configured greeting", "0.1.0", "hello", "[name]", NULL},
    /* Writes key 1 (allocating when the key is new, hence deny-oom). */
    {DBLITE_API_VERSION, "hello.ratelimit", -3, "write deny-oom fast", 1, 1, 1,
     hello_ratelimit_command,
     "Counts a request against a rate limit and says whether it is allowed", "0.1.0", "hello",
     "key max-requests [period-seconds [cost]]", NULL},
    {DBLITE_API_VERSION, HELLO_RESTORE_COMMAND_NAME, 3, "write deny-oom fast", 1, 1, 1,
     hello_ratelimit_restore_command,
     "Sets the state of a rate limiter (what replicas and the append-only log replay)", "0.1.0",
     "hello", "key arrival-time-us", NULL},
};

int hello_commands_register(dblite_module *module)
{
    size_t count = sizeof(hello_commands) / sizeof(hello_commands[0]);
    for (size_t index = 0; index < count; index++) {
        int status = dblite_command_register(module, &hello_commands[index]);
        if (status != DBLITE_OK) {
            dblite_module_fail(module, "could not register command %s",
                               hello_commands[index].name);
            return status;
        }
    }
    return DBLITE_OK;
}
