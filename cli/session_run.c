/*
 * session_run.c - running commands on the session's connection: the reply
 * (with push data set aside), what successful commands change (database,
 * credentials, protocol, transaction), "help" answered locally, and
 * subscriptions followed until the connection ends (see session.h).
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docs/help.h"

static int command_is(const argument_list *command, const char *name)
{
    return command->count > 0 && strcasecmp(command->values[0], name) == 0;
}

static int is_subscribe_command(const argument_list *command)
{
    return command_is(command, "subscribe") || command_is(command, "psubscribe") ||
           command_is(command, "ssubscribe");
}

int session_read_answer(cli_session *session, int accept_push, reply **out)
{
    *out = NULL;
    for (;;) {
        reply *answer;
        if (connection_read_reply(session->connection, &answer) != 0) {
            session_report_connection_error(session);
            return RUN_FAILED;
        }
        if (answer->type != REPLY_PUSH || accept_push) {
            *out = answer;
            return answer->type == REPLY_ERROR ? RUN_ERROR_REPLY : RUN_OK;
        }
        session_show_push(session, answer);
        reply_free(answer);
    }
}

int session_call(cli_session *session, const argument_list *command, reply **out)
{
    *out = NULL;
    connection *connection = session->connection;
    if (!connection)
        return RUN_FAILED;
    if (connection_send_command(connection, command->count, command->values, command->lengths) !=
        0) {
        session_report_connection_error(session);
        return RUN_FAILED;
    }
    /* In RESP3 a subscription is confirmed with push data. */
    return session_read_answer(session, is_subscribe_command(command), out);
}

int session_command_changes_state(const argument_list *command)
{
    static const char *const tracked[] = {"select", "auth", "hello", "multi", "exec", "discard"};
    for (size_t index = 0; index < sizeof(tracked) / sizeof(tracked[0]); index++) {
        if (command_is(command, tracked[index]))
            return 1;
    }
    return 0;
}

static int replace_string(char **slot, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

void session_note_reply(cli_session *session, const argument_list *command, const reply *reply)
{
    if (reply->type == REPLY_ERROR) {
        /* A failed EXEC still ends the transaction; other errors inside
         * MULTI do not. */
        if (command_is(command, "exec") || command_is(command, "discard"))
            session->in_transaction = 0;
        return;
    }
    if (command_is(command, "select") && command->count == 2) {
        session->database = atoi(command->values[1]);
    } else if (command_is(command, "auth") && (command->count == 2 || command->count == 3)) {
        /* Remembered so a reconnect authenticates the same way. */
        const char *user = command->count == 3 ? command->values[1] : NULL;
        if (replace_string(&session->user, user) != 0 ||
            replace_string(&session->password, command->values[command->count - 1]) != 0)
            fprintf(stderr, "Out of memory: credentials not kept for reconnecting\n");
    } else if (command_is(command, "hello") && command->count >= 2) {
        int version = atoi(command->values[1]);
        if (version == 2 || version == 3)
            session->protocol = version;
    } else if (command_is(command, "multi")) {
        session->in_transaction = 1;
    } else if (command_is(command, "exec") || command_is(command, "discard")) {
        session->in_transaction = 0;
    }
}

/* After SUBSCRIBE every message is a reply of its own, until the
 * connection ends (or the user interrupts). */
static int follow_subscription(cli_session *session)
{
    if (session->options->output == OUTPUT_HUMAN)
        printf("Reading messages... (press Ctrl-C to quit)\n");
    fflush(stdout);
    for (;;) {
        reply *message;
        if (connection_read_reply(session->connection, &message) != 0) {
            session_report_connection_error(session);
            return RUN_FAILED;
        }
        session_print_reply(session, message);
        fflush(stdout);
        reply_free(message);
    }
}

static int run_help(cli_session *session, const argument_list *command)
{
    const command_docs *docs = session_docs(session);
    command_docs empty = {NULL, 0};
    byte_buffer text;
    byte_buffer_init(&text);
    int status = help_format(&text, docs ? docs : &empty, command->count - 1, command->values + 1);
    if (status == 0)
        fwrite(text.data, 1, text.length, stdout);
    byte_buffer_free(&text);
    return status == 0 ? RUN_OK : RUN_FAILED;
}

int session_run(cli_session *session, const argument_list *command)
{
    if (command_is(command, "help") || command_is(command, "?"))
        return run_help(session, command);
    reply *answer;
    int result = session_call(session, command, &answer);
    if (result == RUN_FAILED)
        return result;
    if (session_prints_verbatim(command))
        session_print_reply_verbatim(answer);
    else
        session_print_reply(session, answer);
    session_note_reply(session, command, answer);
    reply_free(answer);
    if (result == RUN_OK && is_subscribe_command(command))
        return follow_subscription(session);
    return result;
}
