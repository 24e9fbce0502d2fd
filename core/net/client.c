/*
 * client.c - a connection's life: reading requests, running them in order,
 * and writing the replies back.
 *
 * Input is parsed straight out of the query buffer (arguments point into
 * it, no copies); every complete request in the buffer runs before the
 * replies are written, once, from the before-sleep pass.  Clients are freed
 * only from that pass, so a command may close any client (itself included)
 * without pulling memory out from under the code that is running.  A
 * client whose block ended (blocking.c hands it over with client_unblocked)
 * runs the requests that waited behind the block from that pass too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "commands/transaction.h"

#include "server.h"

#define QUERY_READ_CHUNK 16384

client *client_create(int fd)
{
    client *c = server_calloc(sizeof(*c));
    if (!c)
        return NULL;
    if (request_parser_init(&c->parser) != DBLITE_OK) {
        server_free(c);
        return NULL;
    }
    c->fd = fd;
    c->id = server.next_client_id++;
    c->protocol = 2;
    c->db_index = 0;
    c->db = &server.databases[0];
    c->authenticated =
        server.settings.requirepass == NULL || server.settings.requirepass[0] == '\0';
    c->created_ms = c->last_interaction_ms = wall_clock_ms();
    snprintf(c->address, sizeof(c->address), "?:0");
    if (fd >= 0) {
        if (fd >= event_loop_size(server.loop) ||
            event_add_file(server.loop, fd, EVENT_READABLE, client_read_handler, c) == -1) {
            request_parser_free(&c->parser);
            server_free(c);
            return NULL;
        }
    }
    c->next = server.clients;
    if (server.clients)
        server.clients->prev = c;
    server.clients = c;
    server.client_count++;
    return c;
}

void client_free(client *c)
{
    client_module_state_reset(c);
    if (c->blocked)
        blocking_client_gone(c);
    transaction_client_free(c);
    if (c->flags & CLIENT_UNBLOCKED_QUEUED) {
        client **link = &server.unblocked_clients;
        while (*link != c)
            link = &(*link)->unblocked_next;
        *link = c->unblocked_next;
    }
    tracking_client_free(c);
    if (c->fd >= 0) {
        event_remove_file(server.loop, c->fd, EVENT_READABLE | EVENT_WRITABLE);
        close(c->fd);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        server.clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    server.client_count--;
    request_parser_free(&c->parser);
    server_free(c->query);
    server_free(c->output);
    server_free(c->name);
    server_free(c);
}

int client_select_db(client *c, int index)
{
    if (index < 0 || index >= server.database_count)
        return -1;
    c->db_index = index;
    c->db = &server.databases[index];
    return 0;
}

static request_limits current_limits(const client *c)
{
    request_limits limits;
    request_limits_set_defaults(&limits);
    limits.max_bulk_length = server.settings.proto_max_bulk_len;
    limits.max_multibulk_count = server.settings.multibulk_max_count;
    limits.accept_integer_elements = c->dialect != NULL;
    return limits;
}

void client_process_input(client *c)
{
    while (c->query_start < c->query_length) {
        if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY | CLIENT_BLOCKED))
            break;
        /* The final save is taken: a write now would be lost. */
        if (server.shutdown_requested)
            break;
        request_limits limits = current_limits(c);
        /* As Redis: before authentication, requests must be tiny. */
        request_parser_require_authentication(&c->parser, !c->authenticated);
        request_status status = request_parse(&c->parser, c->query + c->query_start,
                                              c->query_length - c->query_start, &limits);
        if (status == REQUEST_INCOMPLETE)
            break;
        if (status == REQUEST_ERROR) {
            reply_error(c, c->parser.error);
            server_log(LOG_VERBOSE, "protocol error from client %s: %s", c->address,
                       c->parser.error);
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
            c->query_start = c->query_length;
            break;
        }
        size_t consumed = c->parser.consumed;
        if (c->parser.argc > 0)
            execute_request(c, c->parser.argc, c->parser.argv);
        if (!(c->flags & CLIENT_BLOCKED))
            client_request_done(c); /* a block's end does it (blocking.c) */
        c->query_start += consumed;
        request_parser_reset(&c->parser);
    }
    if (c->query_start == c->query_length) {
        c->query_start = c->query_length = 0;
    }
}

/* From before-sleep: the requests that waited behind a block (a pipeline
 * after BLPOP), run now that the block is over.  One may block again or
 * serve another waiter, which then joins this list and runs too. */
void clients_process_unblocked(void)
{
    while (server.unblocked_clients) {
        client *c = server.unblocked_clients;
        server.unblocked_clients = c->unblocked_next;
        c->unblocked_next = NULL;
        c->flags &= ~CLIENT_UNBLOCKED_QUEUED;
        if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_BLOCKED)))
            client_process_input(c);
    }
}

void client_read_handler(event_loop *loop, int fd, void *privdata, int mask)
{
    (void)loop, (void)mask;
    client *c = privdata;
    if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY))
        return;
    /* Events are served from inside a long command (loading progress): the
     * running command's arguments point into this client's query buffer, so
     * its next bytes wait (the socket stays readable) until it returns. */
    if (c->flags & CLIENT_IN_CALL)
        return;
    /* Keep the unparsed request at the front so the parser's offsets stay
     * valid, and make room for at least one chunk. */
    if (c->query_start > 0) {
        memmove(c->query, c->query + c->query_start, c->query_length - c->query_start);
        c->query_length -= c->query_start;
        c->query_start = 0;
    }
    size_t room = c->query_capacity - c->query_length;
    /* A big argument on its way: size the buffer for it once. */
    size_t wanted = request_parser_wanted_length(&c->parser);
    if (wanted > (size_t)server.settings.client_query_buffer_limit)
        wanted = 0;
    if (room < QUERY_READ_CHUNK || wanted > c->query_capacity) {
        size_t capacity = c->query_capacity ? c->query_capacity * 2 : QUERY_READ_CHUNK * 2;
        while (capacity - c->query_length < QUERY_READ_CHUNK || capacity < wanted)
            capacity *= 2;
        char *grown = server_realloc(c->query, capacity);
        if (!grown) {
            server_log(LOG_WARNING, "out of memory reading from client %s; closing it", c->address);
            client_close_async(c);
            return;
        }
        c->query = grown;
        c->query_capacity = capacity;
        room = capacity - c->query_length;
    }
    ssize_t got = read(fd, c->query + c->query_length, room);
    if (got == -1) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        server_log(LOG_VERBOSE, "reading from client %s: %s", c->address, strerror(errno));
        client_close_async(c);
        return;
    }
    if (got == 0) {
        client_close_async(c);
        return;
    }
    c->query_length += (size_t)got;
    server.stats.net_input_bytes += got;
    c->last_interaction_ms = server.cached_time_ms;
    if ((long long)(c->query_length - c->query_start) > server.settings.client_query_buffer_limit) {
        server_log(LOG_WARNING, "closing client %s that reached the query buffer limit",
                   c->address);
        client_close_async(c);
        return;
    }
    if (!(c->flags & CLIENT_BLOCKED))
        client_process_input(c);
}

/* Returns 1 when everything was written, 0 when the socket is full, -1 on error. */
static int client_write(client *c)
{
    while (c->output_sent < c->output_length) {
        ssize_t written =
            write(c->fd, c->output + c->output_sent, c->output_length - c->output_sent);
        if (written == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->output_sent += (size_t)written;
        server.stats.net_output_bytes += written;
    }
    c->output_sent = c->output_length = 0;
    /* Give back a big buffer after a huge reply. */
    if (c->output_capacity > 1024 * 1024) {
        server_free(c->output);
        c->output = NULL;
        c->output_capacity = 0;
    }
    return 1;
}

/* The socket has room again.  Nothing is written from here: the replies
 * in the buffer may acknowledge writes made earlier in this same loop turn,
 * which reach the append-only file (and its fsync under appendfsync always)
 * only in the before-sleep pass.  So the client joins the pending list and
 * clients_write_pending, which runs after that flush, writes for it. */
static void client_write_handler(event_loop *loop, int fd, void *privdata, int mask)
{
    (void)loop, (void)fd, (void)mask;
    client_queue_write(privdata);
}

/* The only place replies leave the server (see client_write_handler): runs
 * at the end of before-sleep, after the BEFORE_SLEEP event has flushed the
 * logs.  A socket that fills keeps a writable event, which only brings the
 * client back here. */
void clients_write_pending(void)
{
    while (server.pending_writes) {
        client *c = server.pending_writes;
        server.pending_writes = c->pending_next;
        c->pending_next = NULL;
        c->flags &= ~CLIENT_PENDING_WRITE;
        if (c->flags & CLIENT_CLOSE_ASAP) {
            client_free(c);
            continue;
        }
        int status = c->fd >= 0 ? client_write(c) : 1;
        if (status < 0) {
            client_free(c);
            continue;
        }
        if (status == 0) {
            if (c->flags & CLIENT_WRITE_INSTALLED)
                continue;
            if (event_add_file(server.loop, c->fd, EVENT_WRITABLE, client_write_handler, c) == 0)
                c->flags |= CLIENT_WRITE_INSTALLED;
            else
                client_free(c);
            continue;
        }
        if (c->flags & CLIENT_WRITE_INSTALLED) {
            event_remove_file(server.loop, c->fd, EVENT_WRITABLE);
            c->flags &= ~CLIENT_WRITE_INSTALLED;
        }
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
            client_free(c);
    }
}

client *client_by_id(uint64_t id)
{
    for (client *c = server.clients; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* One line of CLIENT LIST, in Redis 7.0's field order. */
void client_describe(const client *c, char *buffer, size_t size)
{
    long long now = wall_clock_ms();
    char flags[16];
    size_t f = 0;
    if (c->flags & CLIENT_PUBSUB)
        flags[f++] = 'P';
    if (c->flags & CLIENT_MULTI)
        flags[f++] = 'x';
    if (c->flags & CLIENT_BLOCKED)
        flags[f++] = 'b';
    if (c->flags & CLIENT_TRACKING)
        flags[f++] = 't';
    if (c->flags & CLIENT_TRACKING_BROKEN_REDIR)
        flags[f++] = 'R';
    if (c->flags & CLIENT_TRACKING_BCAST)
        flags[f++] = 'B';
    if (c->flags & CLIENT_DIRTY_CAS)
        flags[f++] = 'd';
    if (c->flags & CLIENT_CLOSE_ASAP)
        flags[f++] = 'A';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        flags[f++] = 'c';
    if (c->flags & CLIENT_NO_EVICT)
        flags[f++] = 'e';
    if (f == 0)
        flags[f++] = 'N';
    flags[f] = '\0';
    snprintf(
        buffer, size,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%lld psub=%lld "
        "ssub=%lld multi=%lld qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=%zu rbs=%zu rbp=0 obl=%zu oll=0 "
        "omem=%zu tot-mem=%zu events=r cmd=%s user=default redir=%lld resp=%d",
        (unsigned long long)c->id, c->address, c->local_address, c->fd, c->name ? c->name : "",
        (now - c->created_ms) / 1000, (now - c->last_interaction_ms) / 1000, flags, c->db_index,
        c->subscription_counts[0], c->subscription_counts[1], c->subscription_counts[2],
        transaction_queued_count(c), c->query_length - c->query_start,
        c->query_capacity - c->query_length, transaction_memory(c), c->query_capacity,
        c->output_length - c->output_sent, c->output_capacity,
        sizeof(*c) + c->query_capacity + c->output_capacity + transaction_memory(c),
        c->last_command ? c->last_command->name : "NULL",
        (c->flags & CLIENT_TRACKING) ? (long long)tracking_redirect(c) : -1LL, c->protocol);
}
