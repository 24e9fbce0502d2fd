/*
 * stat_mode.c - `dblite-cli --stat [-i seconds]`: one line of server
 * activity per interval from INFO, in redis-cli --stat's columns:
 *
 *   keys     the sum of keys= over the Keyspace section's dbN lines
 *   mem      used_memory, in B/K/M/G/T/P with two decimals
 *   clients  connected_clients      blocked  blocked_clients
 *   requests total_commands_processed, with the increase since last line
 *   connections total_connections_received
 *   child    SAVE / AOF / SAVE+AOF / LOAD while one runs
 *
 * The two header lines repeat every 20 lines.  When the server goes away
 * the error is reported and each later interval tries to reconnect.
 */
#define _GNU_SOURCE
#include "modes/modes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEADER_EVERY 20

/* Value of "name:value" at a line start, as a number; 0 when absent. */
static int info_field(const char *info, const char *name, long long *value)
{
    size_t name_length = strlen(name);
    const char *cursor = info;
    while (cursor && *cursor) {
        if (!strncmp(cursor, name, name_length) && cursor[name_length] == ':') {
            *value = strtoll(cursor + name_length + 1, NULL, 10);
            return 1;
        }
        cursor = strchr(cursor, '\n');
        if (cursor)
            cursor++;
    }
    *value = 0;
    return 0;
}

/* Sums keys= of every "dbN:keys=..." line. */
static long long keyspace_keys(const char *info)
{
    long long total = 0;
    const char *cursor = info;
    while (cursor && *cursor) {
        if (cursor[0] == 'd' && cursor[1] == 'b' && cursor[2] >= '0' && cursor[2] <= '9') {
            const char *colon = strchr(cursor, ':');
            const char *line_end = strchr(cursor, '\n');
            if (colon && (!line_end || colon < line_end) && !strncmp(colon + 1, "keys=", 5))
                total += strtoll(colon + 6, NULL, 10);
        }
        cursor = strchr(cursor, '\n');
        if (cursor)
            cursor++;
    }
    return total;
}

static void bytes_to_human(char *out, size_t size, long long bytes)
{
    static const char units[] = "KMGTP";
    if (bytes < 1024) {
        snprintf(out, size, "%lldB", bytes);
        return;
    }
    double value = (double)bytes;
    for (size_t unit = 0; unit < sizeof(units) - 1; unit++) {
        value /= 1024;
        if (value < 1024 || unit == sizeof(units) - 2) {
            snprintf(out, size, "%.2f%c", value, units[unit]);
            return;
        }
    }
}

static void print_header(void)
{
    printf("------- data ------ --------------------- load -------------------- - child -\n"
           "keys       mem      clients blocked requests            connections          \n");
}

static void print_line(const char *info, long long *previous_requests, int first)
{
    char keys[32], memory[32], clients[32], blocked[32], requests[64], connections[32];
    long long value;
    snprintf(keys, sizeof(keys), "%lld", keyspace_keys(info));
    if (info_field(info, "used_memory", &value))
        bytes_to_human(memory, sizeof(memory), value);
    else
        snprintf(memory, sizeof(memory), "-");
    info_field(info, "connected_clients", &value);
    snprintf(clients, sizeof(clients), "%lld", value);
    info_field(info, "blocked_clients", &value);
    snprintf(blocked, sizeof(blocked), "%lld", value);
    info_field(info, "total_commands_processed", &value);
    snprintf(requests, sizeof(requests), "%lld (+%lld)", value,
             first ? 0 : value - *previous_requests);
    *previous_requests = value;
    info_field(info, "total_connections_received", &value);
    snprintf(connections, sizeof(connections), "%lld", value);
    printf("%-11s%-9s%-8s%-8s%-20s%-12s", keys, memory, clients, blocked, requests, connections);

    long long saving, rewriting, loading;
    info_field(info, "rdb_bgsave_in_progress", &saving);
    info_field(info, "aof_rewrite_in_progress", &rewriting);
    info_field(info, "loading", &loading);
    if (loading)
        printf("LOAD");
    else if (saving && rewriting)
        printf("SAVE+AOF");
    else if (saving)
        printf("SAVE");
    else if (rewriting)
        printf("AOF");
    printf("\n");
}

static void sleep_seconds(double seconds)
{
    struct timespec pause;
    pause.tv_sec = (time_t)seconds;
    pause.tv_nsec = (long)((seconds - (double)pause.tv_sec) * 1e9);
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

int run_stat_mode(cli_session *session)
{
    if (session_connect(session, 0) != 0)
        return 1;
    long long previous_requests = 0;
    unsigned long lines = 0;
    int first = 1;
    char *info_command[] = {"INFO"};
    size_t info_length[] = {4};
    argument_list command = {info_command, info_length, 1, 1};
    for (;;) {
        if (session_ensure_connected(session)) {
            reply *answer;
            int result = session_call(session, &command, &answer);
            if (result == RUN_OK && answer->text) {
                if (lines++ % HEADER_EVERY == 0)
                    print_header();
                print_line(answer->text, &previous_requests, first);
                first = 0;
                fflush(stdout);
            } else if (result == RUN_ERROR_REPLY) {
                fprintf(stderr, "ERROR: %s\n", answer->text);
            }
            reply_free(answer);
        }
        sleep_seconds(session->options->interval_seconds);
    }
}
