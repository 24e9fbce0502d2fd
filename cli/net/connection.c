/*
 * connection.c - blocking TCP connection to the server (see connection.h).
 *
 * Sockets stay blocking: the client does one thing at a time, and a
 * blocking command (BLPOP ... 0) must be able to wait forever, as it does
 * with redis-cli.  Writes use MSG_NOSIGNAL so a server that went away is an
 * error value here rather than a SIGPIPE that kills the client.
 */
#define _GNU_SOURCE
#include "net/connection.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "protocol/resp_writer.h"

#define READ_CHUNK 65536

static void set_error(connection *connection, const char *message)
{
    snprintf(connection->error, sizeof(connection->error), "%s", message);
}

static int connect_address(const struct addrinfo *address, int *saved_errno)
{
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) {
        *saved_errno = errno;
        return -1;
    }
    int result;
    do {
        result = connect(fd, address->ai_addr, address->ai_addrlen);
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
        *saved_errno = errno;
        close(fd);
        return -1;
    }
    int enabled = 1;
    /* Commands are small and latency-bound; keepalive finds dead peers. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &enabled, sizeof(enabled));
    return fd;
}

connection *connection_open(const char *host, int port, char *error, size_t error_size)
{
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *addresses = NULL;
    int status = getaddrinfo(host, service, &hints, &addresses);
    if (status != 0) {
        snprintf(error, error_size, "%s", gai_strerror(status));
        return NULL;
    }
    int fd = -1;
    int saved_errno = ECONNREFUSED;
    for (const struct addrinfo *address = addresses; address && fd < 0; address = address->ai_next)
        fd = connect_address(address, &saved_errno);
    freeaddrinfo(addresses);
    if (fd < 0) {
        snprintf(error, error_size, "%s", strerror(saved_errno));
        return NULL;
    }
    connection *opened = calloc(1, sizeof(*opened));
    if (!opened) {
        close(fd);
        snprintf(error, error_size, "Out of memory");
        return NULL;
    }
    opened->fd = fd;
    resp_reader_init(&opened->reader);
    byte_buffer_init(&opened->output);
    return opened;
}

void connection_close(connection *connection)
{
    if (!connection)
        return;
    if (connection->fd >= 0)
        close(connection->fd);
    resp_reader_free(&connection->reader);
    byte_buffer_free(&connection->output);
    free(connection);
}

int connection_queue_command(connection *connection, size_t argc, char *const *argv,
                             const size_t *lengths)
{
    if (resp_write_command(&connection->output, argc, argv, lengths) != 0) {
        set_error(connection, "Out of memory");
        return -1;
    }
    return 0;
}

int connection_flush(connection *connection)
{
    size_t written = 0;
    while (written < connection->output.length) {
        ssize_t sent = send(connection->fd, connection->output.data + written,
                            connection->output.length - written, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            set_error(connection, strerror(errno));
            byte_buffer_truncate(&connection->output, 0);
            return -1;
        }
        written += (size_t)sent;
    }
    byte_buffer_truncate(&connection->output, 0);
    return 0;
}

int connection_send_command(connection *connection, size_t argc, char *const *argv,
                            const size_t *lengths)
{
    if (connection_queue_command(connection, argc, argv, lengths) != 0)
        return -1;
    return connection_flush(connection);
}

/* One recv into the reader: 1 bytes added, 0 would block (only with
 * dont_wait), -1 error or EOF (error set). */
static int receive(connection *connection, int dont_wait)
{
    char chunk[READ_CHUNK];
    for (;;) {
        ssize_t received = recv(connection->fd, chunk, sizeof(chunk), dont_wait ? MSG_DONTWAIT : 0);
        if (received > 0) {
            if (resp_reader_feed(&connection->reader, chunk, (size_t)received) != 0) {
                set_error(connection, "Out of memory");
                return -1;
            }
            return 1;
        }
        if (received == 0) {
            set_error(connection, "Server closed the connection");
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (dont_wait && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        set_error(connection, strerror(errno));
        return -1;
    }
}

static int parse_buffered(connection *connection, reply **out)
{
    int result = resp_reader_next(&connection->reader, out);
    if (result == RESP_READ_ERROR)
        set_error(connection, connection->reader.error);
    return result;
}

int connection_read_reply(connection *connection, reply **out)
{
    for (;;) {
        int parsed = parse_buffered(connection, out);
        if (parsed == RESP_READ_REPLY)
            return 0;
        if (parsed == RESP_READ_ERROR)
            return -1;
        if (receive(connection, 0) < 0)
            return -1;
    }
}

int connection_poll_reply(connection *connection, reply **out)
{
    for (;;) {
        int parsed = parse_buffered(connection, out);
        if (parsed == RESP_READ_REPLY)
            return 1;
        if (parsed == RESP_READ_ERROR)
            return -1;
        int received = receive(connection, 1);
        if (received <= 0)
            return received;
    }
}

int connection_command(connection *connection, reply **out, size_t argc, char *const *argv,
                       const size_t *lengths)
{
    *out = NULL;
    if (connection_send_command(connection, argc, argv, lengths) != 0)
        return -1;
    return connection_read_reply(connection, out);
}

int connection_command_strings(connection *connection, reply **out, size_t argc,
                               const char *const *argv)
{
    enum { MAX_FIXED_ARGUMENTS = 8 };
    size_t lengths[MAX_FIXED_ARGUMENTS];
    char *values[MAX_FIXED_ARGUMENTS];
    if (argc > MAX_FIXED_ARGUMENTS) {
        set_error(connection, "Too many arguments");
        return -1;
    }
    for (size_t index = 0; index < argc; index++) {
        values[index] = (char *)argv[index];
        lengths[index] = strlen(argv[index]);
    }
    return connection_command(connection, out, argc, values, lengths);
}

int connection_is_broken(connection *connection)
{
    struct pollfd watched = {.fd = connection->fd, .events = POLLIN};
    int ready;
    do {
        ready = poll(&watched, 1, 0);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0)
        return ready < 0;
    if (watched.revents & (POLLERR | POLLNVAL))
        return 1;
    char byte;
    ssize_t peeked = recv(connection->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked > 0)
        return 0; /* unsolicited data (push messages): still alive */
    if (peeked == 0)
        return 1;
    return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}
