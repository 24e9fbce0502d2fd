/*
 * session.c - connection lifecycle and the state a reconnect must
 * restore (see session.h).
 *
 * The handshake follows redis-cli's order and messages: AUTH (a failure is
 * reported and the session goes on, so the server's NOAUTH errors explain
 * themselves), SELECT, then HELLO 3 for RESP3.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int session_init(cli_session *session, const cli_options *options, int stdout_is_terminal)
{
    memset(session, 0, sizeof(*session));
    session->options = options;
    session->stdout_is_terminal = stdout_is_terminal;
    session->protocol = options->protocol;
    if (options->password) {
        session->password = strdup(options->password);
        if (!session->password)
            return -1;
    }
    return 0;
}

void session_free(cli_session *session)
{
    session_disconnect(session);
    free(session->user);
    free(session->password);
    if (session->docs_loaded)
        command_docs_free(&session->docs);
    memset(session, 0, sizeof(*session));
}

void session_disconnect(cli_session *session)
{
    connection_close(session->connection);
    session->connection = NULL;
    session->in_transaction = 0;
}

static int handshake(cli_session *session)
{
    connection *connection = session->connection;
    reply *answer = NULL;
    if (session->password) {
        const char *auth_user[] = {"AUTH", session->user ? session->user : "", session->password};
        const char *auth_plain[] = {"AUTH", session->password};
        int sent = session->user ? connection_command_strings(connection, &answer, 3, auth_user)
                                 : connection_command_strings(connection, &answer, 2, auth_plain);
        if (sent != 0)
            return -1;
        if (answer->type == REPLY_ERROR)
            fprintf(stderr, "AUTH failed: %s\n", answer->text);
        reply_free(answer);
    }
    if (session->database != 0) {
        char number[16];
        snprintf(number, sizeof(number), "%d", session->database);
        const char *select[] = {"SELECT", number};
        if (connection_command_strings(connection, &answer, 2, select) != 0)
            return -1;
        if (answer->type == REPLY_ERROR) {
            fprintf(stderr, "SELECT %d failed: %s\n", session->database, answer->text);
            session->database = 0;
        }
        reply_free(answer);
    }
    if (session->protocol == 3) {
        const char *hello[] = {"HELLO", "3"};
        if (connection_command_strings(connection, &answer, 2, hello) != 0)
            return -1;
        if (answer->type == REPLY_ERROR) {
            fprintf(stderr, "HELLO 3 failed: %s\n", answer->text);
            session->protocol = 2;
        }
        reply_free(answer);
    }
    return 0;
}

int session_connect(cli_session *session, int quiet)
{
    const cli_options *options = session->options;
    session_disconnect(session);
    char reason[256];
    session->connection = connection_open(options->host, options->port, reason, sizeof(reason));
    if (!session->connection) {
        if (!quiet)
            fprintf(stderr, "Could not connect to Redis at %s:%d: %s\n", options->host,
                    options->port, reason);
        return -1;
    }
    if (!session->ever_connected)
        session->database = options->database;
    if (handshake(session) != 0) {
        if (!quiet)
            fprintf(stderr, "Could not connect to Redis at %s:%d: %s\n", options->host,
                    options->port, session->connection->error);
        session_disconnect(session);
        return -1;
    }
    session->ever_connected = 1;
    /* The server may have been replaced by one with other commands. */
    if (session->docs_loaded) {
        command_docs_free(&session->docs);
        session->docs_loaded = 0;
    }
    return 0;
}

connection *session_ensure_connected(cli_session *session)
{
    if (session->connection && !connection_is_broken(session->connection))
        return session->connection;
    const cli_options *options = session->options;
    int lost = session->ever_connected;
    if (session->connection)
        fprintf(stderr, "Connection to %s:%d lost, reconnecting...\n", options->host,
                options->port);
    if (session_connect(session, 0) != 0)
        return NULL;
    if (lost)
        fprintf(stderr, "Reconnected to %s:%d.\n", options->host, options->port);
    return session->connection;
}

void session_report_connection_error(cli_session *session)
{
    fprintf(stderr, "Error: %s\n", session->connection->error);
    session_disconnect(session);
}

const command_docs *session_docs(cli_session *session)
{
    if (session->docs_loaded)
        return &session->docs;
    if (!session->connection)
        return NULL;
    reply *answer = NULL;
    const char *docs_command[] = {"COMMAND", "DOCS"};
    if (connection_command_strings(session->connection, &answer, 2, docs_command) != 0) {
        session_report_connection_error(session);
        return NULL;
    }
    int status = answer->type == REPLY_ERROR ? -1 : command_docs_load(&session->docs, answer);
    reply_free(answer);
    if (status != 0)
        return NULL;
    session->docs_loaded = 1;
    return &session->docs;
}
