/*
 * connection.h - one blocking TCP connection to the server: connect, send
 * encoded commands, read whole replies.
 *
 * Errors are reported as -1 with a human-readable reason in error[] worded
 * the way redis-cli (hiredis) words them ("Connection refused", "Server
 * closed the connection"), since users and scripts know those messages.
 */
#ifndef DBLITE_CLI_CONNECTION_H
#define DBLITE_CLI_CONNECTION_H

#include <stddef.h>

#include "protocol/reply.h"
#include "protocol/resp_reader.h"
#include "util/byte_buffer.h"

typedef struct connection {
    int fd;
    resp_reader reader;
    byte_buffer output; /* queued, not yet written commands */
    char error[256];
} connection;

/* Connects to host:port.  NULL on failure, with the reason in error. */
connection *connection_open(const char *host, int port, char *error, size_t error_size);
void connection_close(connection *connection);

/* Appends a command to the output queue (nothing is written yet). */
int connection_queue_command(connection *connection, size_t argc, char *const *argv,
                             const size_t *lengths);
/* Writes the whole output queue. */
int connection_flush(connection *connection);
/* Queue + flush: sends one command now. */
int connection_send_command(connection *connection, size_t argc, char *const *argv,
                            const size_t *lengths);
/* Blocks until one whole reply has arrived; *out is the caller's. */
int connection_read_reply(connection *connection, reply **out);
/* Reads one reply only if its bytes are already buffered or readable
 * without waiting: 1 with *out set, 0 when nothing is there, -1 on error. */
int connection_poll_reply(connection *connection, reply **out);
/* send + read, skipping nothing: the next reply whatever its type. */
int connection_command(connection *connection, reply **out, size_t argc, char *const *argv,
                       const size_t *lengths);
/* Convenience for fixed text commands: arguments as C strings. */
int connection_command_strings(connection *connection, reply **out, size_t argc,
                               const char *const *argv);

/* 1 when the server has closed the connection (or it failed) while we were
 * not looking, checked without blocking: how the interactive mode notices
 * a restarted server before sending the next command. */
int connection_is_broken(connection *connection);

#endif
