/*
 * pipe_mode.c - `dblite-cli --pipe`: mass insertion as redis-cli does it.
 *
 * stdin holds commands already encoded in RESP; they are streamed to the
 * server as fast as it takes them while replies are read at the same time
 * (one poll loop, non-blocking socket), so neither side's buffers fill up
 * and stall the other.  After the last byte an ECHO of a random marker is
 * sent: its reply is how we know every earlier reply has arrived.
 *
 * stdout gets redis-cli's progress lines and the final
 * "errors: N, replies: M"; error replies go to stderr.  Exit status 0 only
 * when no reply was an error.
 */
#define _GNU_SOURCE
#include "modes/modes.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define INPUT_CHUNK 65536
/* Stop reading stdin while this much is waiting for the socket. */
#define OUTPUT_HIGH_WATER (4u << 20)
#define MARKER_LENGTH 20

typedef struct pipe_state {
    connection *connection;
    char marker[MARKER_LENGTH + 1];
    size_t sent_offset; /* output bytes already written */
    int input_done;
    int marker_received;
    long long errors;
    long long replies;
    time_t last_reply_time;
} pipe_state;

static void make_marker(char marker[MARKER_LENGTH + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char random_bytes[MARKER_LENGTH];
    if (getrandom(random_bytes, sizeof(random_bytes), GRND_NONBLOCK) !=
        (ssize_t)sizeof(random_bytes)) {
        /* No entropy yet: any value unlikely to be in the data will do. */
        unsigned long mix = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
        for (size_t index = 0; index < MARKER_LENGTH; index++) {
            mix = mix * 6364136223846793005ul + 1442695040888963407ul;
            random_bytes[index] = (unsigned char)(mix >> 33);
        }
    }
    for (size_t index = 0; index < MARKER_LENGTH; index++)
        marker[index] = digits[random_bytes[index] & 15];
    marker[MARKER_LENGTH] = '\0';
}

/* Queues the final ECHO.  0, or -1 on ENOMEM. */
static int queue_marker(pipe_state *state)
{
    char *words[] = {"ECHO", state->marker};
    size_t lengths[] = {4, MARKER_LENGTH};
    return connection_queue_command(state->connection, 2, words, lengths);
}

static int read_input(pipe_state *state, int input_fd)
{
    char chunk[INPUT_CHUNK];
    ssize_t received = read(input_fd, chunk, sizeof(chunk));
    if (received < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return 0;
        fprintf(stderr, "Error reading from stdin: %s\n", strerror(errno));
        return -1;
    }
    if (received == 0) {
        state->input_done = 1;
        if (queue_marker(state) != 0) {
            fprintf(stderr, "Out of memory\n");
            return -1;
        }
        printf("All data transferred. Waiting for the last reply...\n");
        fflush(stdout);
        state->last_reply_time = time(NULL);
        return 0;
    }
    if (byte_buffer_append(&state->connection->output, chunk, (size_t)received) != 0) {
        fprintf(stderr, "Out of memory\n");
        return -1;
    }
    return 0;
}

static int write_output(pipe_state *state)
{
    byte_buffer *output = &state->connection->output;
    ssize_t sent = send(state->connection->fd, output->data + state->sent_offset,
                        output->length - state->sent_offset, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        fprintf(stderr, "Error writing to the server: %s\n", strerror(errno));
        return -1;
    }
    state->sent_offset += (size_t)sent;
    /* Moving the unsent rest only now and then keeps copying linear. */
    if (state->sent_offset == output->length) {
        byte_buffer_truncate(output, 0);
        state->sent_offset = 0;
    } else if (state->sent_offset >= OUTPUT_HIGH_WATER / 2) {
        byte_buffer_consume(output, state->sent_offset);
        state->sent_offset = 0;
    }
    return 0;
}

static void count_reply(pipe_state *state, const reply *answer)
{
    if (answer->type == REPLY_PUSH)
        return;
    if (state->input_done && answer->type == REPLY_STRING && answer->length == MARKER_LENGTH &&
        memcmp(answer->text, state->marker, MARKER_LENGTH) == 0) {
        state->marker_received = 1;
        return;
    }
    if (answer->type == REPLY_ERROR) {
        fprintf(stderr, "%s\n", answer->text);
        state->errors++;
    }
    state->replies++;
}

static int read_replies(pipe_state *state)
{
    connection *connection = state->connection;
    for (;;) {
        reply *answer;
        int polled = connection_poll_reply(connection, &answer);
        if (polled == 0)
            return 0;
        if (polled < 0) {
            fprintf(stderr, "Error reading from the server: %s\n", connection->error);
            return -1;
        }
        state->last_reply_time = time(NULL);
        count_reply(state, answer);
        reply_free(answer);
        if (state->marker_received)
            return 0;
    }
}

int run_pipe_mode(cli_session *session, int input_fd)
{
    if (session_connect(session, 0) != 0)
        return 1;
    pipe_state state;
    memset(&state, 0, sizeof(state));
    state.connection = session->connection;
    make_marker(state.marker);
    int timeout = session->options->pipe_timeout_seconds;
    int failed = 0;

    while (!state.marker_received && !failed) {
        struct pollfd watched[2];
        size_t count = 0;
        byte_buffer *output = &state.connection->output;
        watched[count].fd = state.connection->fd;
        size_t unsent = output->length - state.sent_offset;
        watched[count].events = POLLIN | (unsent ? POLLOUT : 0);
        watched[count].revents = 0;
        count++;
        if (!state.input_done && unsent < OUTPUT_HIGH_WATER) {
            watched[count].fd = input_fd;
            watched[count].events = POLLIN;
            watched[count].revents = 0;
            count++;
        }
        int ready = poll(watched, count, 1000);
        if (ready < 0 && errno != EINTR) {
            fprintf(stderr, "poll: %s\n", strerror(errno));
            failed = 1;
            break;
        }
        if (ready > 0) {
            if (count == 2 && (watched[1].revents & (POLLIN | POLLHUP | POLLERR)))
                failed = read_input(&state, input_fd) != 0;
            if (!failed && (watched[0].revents & POLLOUT))
                failed = write_output(&state) != 0;
            if (!failed && (watched[0].revents & (POLLIN | POLLHUP | POLLERR)))
                failed = read_replies(&state) != 0;
        }
        if (!failed && state.input_done && !state.marker_received && timeout > 0 &&
            time(NULL) - state.last_reply_time > timeout) {
            fprintf(stderr, "No replies for %d seconds: exiting.\n", timeout);
            state.errors++;
            break;
        }
    }
    if (failed)
        return 1;
    if (state.marker_received)
        printf("Last reply received from server.\n");
    printf("errors: %lld, replies: %lld\n", state.errors, state.replies);
    fflush(stdout);
    return state.errors == 0 ? 0 : 1;
}
