/*
 * main.c - start-up and shut-down of dblite-server.
 *
 * Order matters: settings (defaults, ini file, command line), then the
 * event loop and databases, then the modules (whose init may create timers
 * and whose sections are applied right after), then the listening sockets,
 * so a bad config fails before the port is taken.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "commands/transaction.h"
#include "config/config.h"
#include "server.h"

static void handle_signal(int signal_number)
{
    /* Only async-signal-safe work: flag it; before-sleep (or the cron timer,
     * which also runs while a dataset loads) notices. */
    server.shutdown_signal = signal_number;
}

int server_prepare_shutdown(int flags)
{
    /* Not twice at once (a handler serving events while it saves). */
    if (server.shutdown_preparing)
        return -1;
    /* A half-loaded dataset must not replace the file it comes from. */
    if (server.loading)
        flags = (flags & ~DBLITE_SHUTDOWN_SAVE) | DBLITE_SHUTDOWN_NOSAVE;
    server_log(LOG_WARNING, "User requested shutdown...");
    server.shutdown_flags = flags;
    server.shutdown_refused = 0;
    server.shutdown_preparing = 1;
    fire_event(NULL, DBLITE_EVENT_SHUTDOWN_PREPARE, 0, NULL, 0, -1, NULL, 0);
    server.shutdown_preparing = 0;
    if (server.shutdown_refused) {
        server_log(LOG_WARNING,
                   "Errors trying to shut down the server. Check the logs for more information.");
        server.shutdown_flags = 0;
        return -1;
    }
    server.shutdown_requested = 1;
    event_loop_stop(server.loop);
    return 0;
}

/* SIGTERM and SIGINT shut down as SHUTDOWN with the flags of
 * shutdown-on-sigterm / shutdown-on-sigint; if that fails the server keeps
 * running (a later signal tries again), as in Redis. */
static void handle_shutdown_signal(void)
{
    int signal_number = server.shutdown_signal;
    if (!signal_number || server.shutdown_requested)
        return;
    server.shutdown_signal = 0;
    if (server.loading)
        server_log(LOG_WARNING, "Received shutdown signal during loading, scheduling shutdown.");
    else if (signal_number == SIGINT)
        server_log(LOG_WARNING, "Received SIGINT scheduling shutdown...");
    else
        server_log(LOG_WARNING, "Received SIGTERM scheduling shutdown...");
    int setting = signal_number == SIGINT ? server.settings.shutdown_on_sigint
                                          : server.settings.shutdown_on_sigterm;
    int flags = 0;
    if (setting & SHUTDOWN_SETTING_SAVE)
        flags |= DBLITE_SHUTDOWN_SAVE;
    if (setting & SHUTDOWN_SETTING_NOSAVE)
        flags |= DBLITE_SHUTDOWN_NOSAVE;
    if (setting & SHUTDOWN_SETTING_NOW)
        flags |= DBLITE_SHUTDOWN_NOW;
    if (setting & SHUTDOWN_SETTING_FORCE)
        flags |= DBLITE_SHUTDOWN_FORCE;
    server_prepare_shutdown(flags);
}

static long long server_cron(event_loop *loop, uint64_t id, void *privdata)
{
    (void)id, (void)privdata;
    handle_shutdown_signal();
    if (server.shutdown_requested) {
        event_loop_stop(loop);
        return -1;
    }
    /* Let the big tables finish rehashing even when idle. */
    for (int i = 0; i < server.database_count; i++)
        keytable_rehash_for(server.databases[i].keys, 1000);
    memory_trim_step();
    log_flush_repeats();
    if (server.settings.timeout > 0) {
        long long now = wall_clock_ms();
        for (client *c = server.clients; c; c = c->next) {
            if (c->blocked || c->fd < 0)
                continue;
            if (now - c->last_interaction_ms > server.settings.timeout * 1000)
                client_close_async(c);
        }
    }
    return 1000 / server.settings.hz;
}

static void before_sleep(event_loop *loop, void *privdata)
{
    (void)loop, (void)privdata;
    handle_shutdown_signal();
    /* Prepared: the final save is taken, nothing may change after it. */
    if (server.shutdown_requested) {
        event_loop_stop(server.loop);
        return;
    }
    clients_process_unblocked();
    blocking_handle_ready_keys();
    if (server.event_handlers[DBLITE_EVENT_BEFORE_SLEEP].length)
        fire_event(NULL, DBLITE_EVENT_BEFORE_SLEEP, 0, NULL, 0, -1, NULL, 0);
    if (server.tracking)
        tracking_before_sleep();
    clients_write_pending();
    if (server.shutdown_requested)
        event_loop_stop(server.loop);
}

static void make_run_id(void)
{
    unsigned char bytes[20];
    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
        for (size_t i = 0; i < sizeof(bytes); i++)
            bytes[i] = (unsigned char)(rand() ^ (int)getpid());
    }
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(server.run_id + i * 2, 3, "%02x", bytes[i]);
    if (getrandom(server.hash_seed, sizeof(server.hash_seed), 0) !=
        (ssize_t)sizeof(server.hash_seed)) {
        server.hash_seed[0] = (uint64_t)wall_clock_ms() * 0x9E3779B97F4A7C15ULL;
        server.hash_seed[1] = (uint64_t)getpid() * 0xC2B2AE3D27D4EB4FULL;
    }
}

static int write_pidfile(void)
{
    if (!server.settings.pidfile || !server.settings.pidfile[0])
        return 0;
    FILE *file = fopen(server.settings.pidfile, "w");
    if (!file) {
        server_log(LOG_WARNING, "cannot write pidfile %s: %m", server.settings.pidfile);
        return -1;
    }
    fprintf(file, "%d\n", (int)getpid());
    fclose(file);
    return 0;
}

/* A STARTED handler that cannot do its part (a listener it cannot open)
 * says so with dblite_module_fail: startup stops there, before any client
 * is served, and nothing is saved over the files that were just loaded. */
static const module *module_failed_to_start(void)
{
    for (size_t i = 0; i < server.modules.length; i++)
        if (server.modules.items[i]->failure)
            return server.modules.items[i];
    return NULL;
}

static void shutdown_cleanly(void)
{
    server_log(LOG_NOTICE, "Shutting down");
    listeners_close();
    while (server.clients) {
        client *c = server.clients;
        if (c->flags & CLIENT_PENDING_WRITE) {
            /* Unlink from the pending list before freeing. */
            client **link = &server.pending_writes;
            while (*link && *link != c)
                link = &(*link)->pending_next;
            if (*link)
                *link = c->pending_next;
        }
        client_free(c);
    }
    /* After the clients: freeing a blocked client calls back into its
     * module, which may release its state on this event. */
    fire_event(NULL, DBLITE_EVENT_SHUTDOWN, 0, NULL, 0, -1, NULL, 0);
    if (server.settings.pidfile && server.settings.pidfile[0])
        unlink(server.settings.pidfile);
    watched_tables_free();
    tracking_free();
    databases_free();
    blocking_free();
    event_loop_destroy(server.loop);
    server.loop = NULL;
    modules_unload_all();
    types_free();
    command_table_free();
    config_free();
    free(server.config_file);
    free(server.executable);
    server_log(LOG_NOTICE, "dblite is now ready to exit, bye bye...");
}

int main(int argc, char **argv)
{
    memory_allocator_init();
    server.start_time_ms = wall_clock_ms();
    server.start_monotonic_us = monotonic_us();
    server.settings.log_level = LOG_NOTICE;
    server.next_client_id = 1;
    server.executable = realpath("/proc/self/exe", NULL);
    make_run_id();
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
        printf("dblite-server v=%s (redis protocol %s)\n", DBLITE_VERSION,
               DBLITE_REDIS_COMPAT_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: dblite-server [CONFIG.ini] [--name value ...]\n"
               "  e.g. dblite-server config/dblite.ini --port 7000 --loglevel verbose\n"
               "       --strings.some-setting value   sets a key of a module's section\n"
               "       --load-module NAME|PATH        loads one more module\n");
        return 0;
    }
    if (config_init() != DBLITE_OK) {
        fprintf(stderr, "dblite: out of memory\n");
        return 1;
    }
    if (config_load_all(argc - 1, argv + 1) != 0)
        return 1;

    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) must fail the write with EFBIG, which the
     * persistence code reports and refuses writes over, not kill the server. */
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction action = {0};
    action.sa_handler = handle_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    if (descriptor_limit_fit_startup() != 0)
        return 1;
    server.loop = event_loop_create((int)server.settings.maxclients + 128);
    if (!server.loop || command_table_init() != DBLITE_OK ||
        databases_create((int)server.settings.databases) != DBLITE_OK ||
        blocking_init() != DBLITE_OK) {
        fprintf(stderr, "dblite: cannot initialise the server (out of memory or descriptors)\n");
        return 1;
    }
    core_commands_register();
    if (modules_load_from_config() != 0) {
        fprintf(stderr, "dblite: startup aborted\n");
        return 1;
    }
    if (server.settings.dir && server.settings.dir[0] && chdir(server.settings.dir) != 0) {
        fprintf(stderr, "dblite: cannot change to directory '%s': %m\n", server.settings.dir);
        return 1;
    }
    /* CONFIG GET dir answers the absolute path, as Redis does. */
    char *working_dir = getcwd(NULL, 0);
    char dir_error[256];
    if (working_dir &&
        config_set_value(config_find("dir"), working_dir, dir_error, sizeof(dir_error)) != 0)
        server_log(LOG_WARNING, "cannot record the working directory: %s", dir_error);
    free(working_dir);
    if (listeners_open() != 0) {
        fprintf(stderr, "dblite: cannot listen on %s port %lld\n", server.settings.bind,
                server.settings.port);
        return 1;
    }
    write_pidfile();
    fire_event(NULL, DBLITE_EVENT_STARTED, 0, NULL, 0, -1, NULL, 0);
    const module *failed = module_failed_to_start();
    if (failed) {
        fprintf(stderr, "dblite: module '%s' failed to start: %s\ndblite: startup aborted\n",
                failed->name, failed->failure);
        server.shutdown_flags = DBLITE_SHUTDOWN_NOSAVE;
        shutdown_cleanly();
        return 1;
    }
    event_add_timer(server.loop, 1, server_cron, NULL, NULL);
    event_set_before_sleep(server.loop, before_sleep, NULL);
    server_log(LOG_NOTICE, "dblite %s ready to accept connections on %s port %lld", DBLITE_VERSION,
               server.settings.bind, server.settings.port);
    event_loop_run(server.loop);
    shutdown_cleanly();
    return server.exit_code;
}
