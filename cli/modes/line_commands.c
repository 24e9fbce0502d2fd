/*
 * line_commands.c - commands read from a non-terminal stdin, one per line,
 * with the same quoting, repeat counts and "quit" as at the prompt, and
 * replies printed as they come (raw unless --no-raw, as redis-cli does).
 *
 * Unlike redis-cli, which waits for each reply before sending the next
 * line, commands are pipelined: up to PIPELINE_WINDOW are sent before the
 * replies are read.  The output is the same, in the same order, and a
 * file of 100,000 commands takes a fraction of a second instead of
 * 100,000 round trips.  Lines the client handles itself (help, quit),
 * commands that change what a reconnect must restore (SELECT, AUTH,
 * HELLO, MULTI...) and those printed verbatim (INFO...) run on their own
 * after every reply still outstanding.
 */
#define _GNU_SOURCE
#include "modes/modes.h"

#include <stdlib.h>
#include <strings.h>

#include "input/command_line.h"

#define PIPELINE_WINDOW 1024
#define PIPELINE_BYTES (1u << 20)

typedef struct line_runner {
    cli_session *session;
    size_t pending; /* commands sent (or queued) whose reply is unread */
    int failed;     /* an error reply or a connection failure happened */
} line_runner;

/* Sends what is queued and prints every outstanding reply. */
static void drain(line_runner *runner)
{
    cli_session *session = runner->session;
    if (runner->pending == 0)
        return;
    if (connection_flush(session->connection) != 0) {
        session_report_connection_error(session);
        runner->pending = 0;
        runner->failed = 1;
        return;
    }
    while (runner->pending > 0) {
        reply *answer;
        int result = session_read_answer(session, 0, &answer);
        if (result == RUN_FAILED) {
            runner->pending = 0;
            runner->failed = 1;
            return;
        }
        runner->pending--;
        if (result == RUN_ERROR_REPLY)
            runner->failed = 1;
        session_print_reply(session, answer);
        reply_free(answer);
    }
}

static int needs_synchronous_run(const argument_list *command)
{
    const char *name = command->values[0];
    return !strcasecmp(name, "help") || !strcasecmp(name, "?") || !strcasecmp(name, "subscribe") ||
           !strcasecmp(name, "psubscribe") || !strcasecmp(name, "ssubscribe") ||
           session_command_changes_state(command) || session_prints_verbatim(command);
}

static void run_command(line_runner *runner, const command_line *parsed)
{
    cli_session *session = runner->session;
    const argument_list *command = &parsed->command;
    if (needs_synchronous_run(command)) {
        drain(runner);
        if (!session_ensure_connected(session)) {
            runner->failed = 1;
            return;
        }
        for (long round = 0; round < parsed->repeat; round++) {
            int result = session_run(session, command);
            if (result != RUN_OK)
                runner->failed = 1;
            if (result == RUN_FAILED)
                return;
        }
        return;
    }
    if (runner->pending == 0 && !session_ensure_connected(session)) {
        runner->failed = 1;
        return;
    }
    for (long round = 0; round < parsed->repeat; round++) {
        if (connection_queue_command(session->connection, command->count, command->values,
                                     command->lengths) != 0) {
            fprintf(stderr, "Out of memory\n");
            runner->failed = 1;
            drain(runner);
            return;
        }
        runner->pending++;
        if (runner->pending >= PIPELINE_WINDOW ||
            session->connection->output.length >= PIPELINE_BYTES) {
            drain(runner);
            if (!session->connection)
                return;
        }
    }
}

int run_line_commands(cli_session *session, FILE *input)
{
    line_runner runner = {session, 0, 0};
    /* Like redis-cli, say at once when the server is not there. */
    session_connect(session, 0);
    char *line = NULL;
    size_t capacity = 0;
    int quit = 0;
    while (!quit && getline(&line, &capacity, input) >= 0) {
        command_line parsed;
        command_line_parse(line, &parsed);
        switch (parsed.kind) {
            case LINE_INVALID:
                drain(&runner);
                printf("Invalid argument(s)\n");
                runner.failed = 1;
                break;
            case LINE_BAD_REPEAT:
                drain(&runner);
                printf("Invalid " DBLITE_CLI_NAME " repeat command option value.\n");
                runner.failed = 1;
                break;
            case LINE_OUT_OF_MEMORY:
                fprintf(stderr, "Out of memory\n");
                runner.failed = 1;
                break;
            case LINE_QUIT:
                quit = 1;
                break;
            case LINE_COMMAND:
                run_command(&runner, &parsed);
                break;
            default:
                break;
        }
        command_line_free(&parsed);
    }
    drain(&runner);
    free(line);
    fflush(stdout);
    return runner.failed ? 1 : 0;
}
