/*
 * session.h - the client's state shared by every mode: the options, the
 * connection (absent while disconnected), and what the user changed on it
 * (SELECT, AUTH, HELLO, MULTI), so a reconnect restores the same state and
 * the prompt shows it.
 *
 * Output goes to stdout in the session's form; connection trouble is
 * reported on stderr in redis-cli's words.
 */
#ifndef DBLITE_CLI_SESSION_H
#define DBLITE_CLI_SESSION_H

#include "docs/command_docs.h"
#include "input/split_args.h"
#include "net/connection.h"
#include "options.h"
#include "protocol/reply.h"

typedef struct cli_session {
    const cli_options *options;
    connection *connection; /* NULL while not connected */
    int stdout_is_terminal;
    int database; /* selected: for the prompt and reconnects */
    int protocol; /* 2 or 3, as negotiated */
    char *user;   /* credentials for (re)connecting, or NULL */
    char *password;
    int in_transaction; /* between MULTI and EXEC/DISCARD */
    int ever_connected;
    command_docs docs; /* fetched on demand, see session_docs() */
    int docs_loaded;
} cli_session;

/* Outcome of running one command. */
enum {
    RUN_FAILED = -1, /* connection trouble (reported); disconnected */
    RUN_OK = 0,
    RUN_ERROR_REPLY = 1 /* the server answered with an error */
};

int session_init(cli_session *session, const cli_options *options, int stdout_is_terminal);
void session_free(cli_session *session);

/* Connects and replays AUTH, SELECT and HELLO 3 as needed.  Unless quiet,
 * a failure prints "Could not connect to Redis at HOST:PORT: reason".
 * 0 on success, -1 on failure. */
int session_connect(cli_session *session, int quiet);
void session_disconnect(cli_session *session);
/* The connection, reconnecting first if it is gone or the server closed
 * it since the last command; says so on stderr.  NULL when it cannot. */
connection *session_ensure_connected(cli_session *session);

/* Sends a command and returns its reply in *out (caller frees), having
 * shown or dropped push data that arrived first.  RUN_FAILED after a
 * connection error, which has been reported and ended the connection. */
int session_call(cli_session *session, const argument_list *command, reply **out);
/* Reads the next reply that is not push data (shown or dropped as
 * session_call does) unless accept_push.  Returns RUN_*. */
int session_read_answer(cli_session *session, int accept_push, reply **out);
/* Reports the connection's error on stderr ("Error: ...") and ends it. */
void session_report_connection_error(cli_session *session);
/* Shows push data to a person at a terminal (drops it otherwise). */
void session_show_push(const cli_session *session, const reply *push);
/* Prints a reply on stdout in the session's output form. */
int session_print_reply(const cli_session *session, const reply *reply);
/* 1 for the commands whose text reply redis-cli prints exactly as sent,
 * in every output form and without a final newline (INFO, CLIENT LIST,
 * MEMORY DOCTOR, LOLWUT...): their text is already meant for people. */
int session_prints_verbatim(const argument_list *command);
int session_print_reply_verbatim(const reply *reply);
/* session_call + session_print_reply + state tracking; the prompt-level
 * unit of work for every mode.  Handles "help" locally and follows
 * SUBSCRIBE-like commands until the server closes.  Returns RUN_*. */
int session_run(cli_session *session, const argument_list *command);
/* Records what a successful command changed (database, credentials,
 * protocol, transaction); pipelined modes call it themselves. */
void session_note_reply(cli_session *session, const argument_list *command, const reply *reply);
/* 1 for commands whose reply session_note_reply must see. */
int session_command_changes_state(const argument_list *command);

/* The server's command docs, fetching them on first use (or after a
 * reconnect).  NULL when they cannot be had. */
const command_docs *session_docs(cli_session *session);

#endif
