/*
 * interactive.c - the prompt a person types at (stdin is a terminal and no
 * command was given): libedit line editing, persistent history, tab
 * completion and usage hints from COMMAND DOCS, "help", and reconnection
 * when the server went away between two commands.
 *
 * The prompt is redis-cli's: "127.0.0.1:6379> ", with "[db]" once another
 * database is selected, "(TX)" inside MULTI, and "not connected> " while
 * the server cannot be reached (each new command tries again).
 */
#include "modes/modes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <editline/readline.h>

#include "input/command_line.h"
#include "modes/completion.h"
#include "modes/history.h"

/* Commands that take this long get their time printed, like redis-cli. */
#define SLOW_COMMAND_SECONDS 0.5

static void build_prompt(const cli_session *session, char *prompt, size_t size)
{
    const cli_options *options = session->options;
    if (!session->connection) {
        snprintf(prompt, size, "not connected> ");
        return;
    }
    /* IPv6 addresses are bracketed so the port stays readable. */
    int bracket = strchr(options->host, ':') != NULL;
    int length = snprintf(prompt, size, "%s%s%s:%d", bracket ? "[" : "", options->host,
                          bracket ? "]" : "", options->port);
    if (length < 0 || (size_t)length >= size)
        return;
    if (session->database != 0)
        length += snprintf(prompt + length, size - (size_t)length, "[%d]", session->database);
    if ((size_t)length < size && session->in_transaction)
        length += snprintf(prompt + length, size - (size_t)length, "(TX)");
    if ((size_t)length < size)
        snprintf(prompt + length, size - (size_t)length, "> ");
}

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void run_command(cli_session *session, const command_line *parsed)
{
    const argument_list *command = &parsed->command;
    if (command->count == 1 && !strcasecmp(command->values[0], "clear")) {
        printf("\x1b[H\x1b[2J");
        return;
    }
    if (!session_ensure_connected(session))
        return;
    double started = now_seconds();
    for (long round = 0; round < parsed->repeat; round++) {
        if (session_run(session, command) == RUN_FAILED)
            break;
        fflush(stdout);
    }
    double elapsed = now_seconds() - started;
    if (elapsed >= SLOW_COMMAND_SECONDS && session->options->output == OUTPUT_HUMAN)
        printf("(%.2fs)\n", elapsed);
}

int run_interactive(cli_session *session)
{
    if (session_connect(session, 0) == 0)
        session_docs(session); /* once, so the first Tab is instant */
    char *history_file = history_path();
    if (history_file && history_load(history_file) != 0)
        fprintf(stderr, "Warning: could not read the history file %s\n", history_file);
    stifle_history(HISTORY_MAX_LINES);
    rl_readline_name = DBLITE_CLI_NAME;
    completion_install(session);

    char prompt[512];
    for (;;) {
        build_prompt(session, prompt, sizeof(prompt));
        char *line = readline(prompt);
        if (!line)
            break;
        command_line parsed;
        command_line_parse(line, &parsed);
        int quit = parsed.kind == LINE_QUIT;
        if (parsed.kind != LINE_EMPTY && !quit &&
            !history_is_sensitive((int)parsed.words.count, parsed.words.values) &&
            history_record(history_file, line) != 0)
            fprintf(stderr, "Warning: could not write the history file %s\n", history_file);
        switch (parsed.kind) {
            case LINE_INVALID:
                printf("Invalid argument(s)\n");
                break;
            case LINE_BAD_REPEAT:
                printf("Invalid " DBLITE_CLI_NAME " repeat command option value.\n");
                break;
            case LINE_OUT_OF_MEMORY:
                fprintf(stderr, "Out of memory\n");
                break;
            case LINE_COMMAND:
                run_command(session, &parsed);
                break;
            default:
                break;
        }
        fflush(stdout);
        command_line_free(&parsed);
        free(line);
        if (quit)
            break;
    }
    completion_uninstall();
    free(history_file);
    return 0;
}
