/*
 * one_shot.c - `dblite-cli [options] CMD ARGS...`: connect, run the one
 * command, print its reply, exit 0 on success and 1 on an error reply.
 */
#include "modes/modes.h"

#include <stdio.h>

int run_one_shot(cli_session *session)
{
    const cli_options *options = session->options;
    argument_list command = {NULL, NULL, 0, 0};
    for (size_t index = 0; index < options->command_count; index++) {
        const char *word = options->command[index];
        size_t length = 0;
        while (word[length])
            length++;
        if (argument_list_append(&command, word, length) != 0) {
            fprintf(stderr, "Out of memory\n");
            argument_list_free(&command);
            return 1;
        }
    }
    int status = 1;
    if (session_connect(session, 0) == 0)
        status = session_run(session, &command) == RUN_OK ? 0 : 1;
    fflush(stdout);
    argument_list_free(&command);
    return status;
}
