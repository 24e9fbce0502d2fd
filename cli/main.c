/*
 * main.c - dblite-cli, the command-line client: parses the options and
 * hands over to one mode (see modes/modes.h):
 *
 *   --pipe            raw RESP from stdin (mass insertion)
 *   --stat            rolling server statistics
 *   CMD ARGS...       one command
 *   nothing, stdin a terminal      the interactive prompt
 *   nothing, stdin a pipe or file  one command per line
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "docs/help.h"
#include "modes/modes.h"
#include "options.h"
#include "session.h"

#ifndef DBLITE_CLI_VERSION
#define DBLITE_CLI_VERSION "0.0.0"
#endif

int main(int argc, char **argv)
{
    int stdout_is_terminal = isatty(STDOUT_FILENO);
    cli_options options;
    if (options_parse(&options, argc, argv, stdout_is_terminal) != OPTIONS_OK)
        return 1;
    if (options.show_help) {
        options_print_usage();
        return 0;
    }
    if (options.show_version) {
        printf(DBLITE_CLI_NAME " %s\n", DBLITE_CLI_VERSION);
        return 0;
    }
    if (options.password_on_command_line && options.auth_warning)
        fprintf(stderr, "Warning: Using a password with '-a' option on the command line "
                        "interface may not be safe.\n");
    /* A server that went away must be an error value, not a SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);

    cli_session session;
    if (session_init(&session, &options, stdout_is_terminal) != 0) {
        fprintf(stderr, "Out of memory\n");
        return 1;
    }
    int status;
    if (options.pipe_mode)
        status = run_pipe_mode(&session, STDIN_FILENO);
    else if (options.stat_mode)
        status = run_stat_mode(&session);
    else if (options.command_count > 0)
        status = run_one_shot(&session);
    else if (isatty(STDIN_FILENO))
        status = run_interactive(&session);
    else
        status = run_line_commands(&session, stdin);
    session_free(&session);
    return status;
}
