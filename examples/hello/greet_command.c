/*
 * greet_command.c - HELLO.GREET [name]: replies "<greeting>, <name>!", the
 * greeting coming from the [hello] greeting setting (CONFIG SET
 * hello.greeting changes it at runtime).  The smallest useful command: no
 * key, one reply, arguments treated as binary-safe bytes.
 */
#include <string.h>

#include "hello_commands.h"
#include "hello_state.h"

#define DEFAULT_NAME "world"

void hello_greet_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc > 2) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    const char *greeting = hello_state_get()->greeting;
    if (greeting == NULL)
        greeting = "";
    dblite_bytes name = {DEFAULT_NAME, sizeof(DEFAULT_NAME) - 1};
    if (argc == 2)
        name = argv[1];

    size_t greeting_length = strlen(greeting);
    /* ", " before the name and "!" after it. */
    size_t length = greeting_length + 2 + name.len + 1;
    char *text = dblite_alloc(length);
    if (text == NULL) {
        dblite_reply_error(ctx, "OOM out of memory building the greeting");
        return;
    }
    memcpy(text, greeting, greeting_length);
    memcpy(text + greeting_length, ", ", 2);
    memcpy(text + greeting_length + 2, name.ptr, name.len);
    text[length - 1] = '!';
    dblite_reply_bulk(ctx, text, length);
    dblite_free(text);
}
