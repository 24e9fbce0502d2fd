/*
 * server_process.h - runs the real dblite-server binary for integration tests.
 *
 * Each started server gets a free loopback port and a fresh temporary
 * directory (its --dir, its working directory and the home of its log file),
 * so tests never share state with each other or with a system Redis on 6379.
 * The binary comes from $DBLITE_SERVER, configs from $DBLITE_CONFIG_DIR and
 * modules from $DBLITE_MODULE_PATH (set by ctest, see tests/CMakeLists.txt).
 *
 * Intended use with cmocka: start the server in a setup function and stop it
 * in the matching teardown, so a failed assertion still shuts it down.  The
 * server log is printed to stderr when the server is stopped, which ctest
 * --output-on-failure shows only for failing tests.  Servers also die with
 * the test process (PR_SET_PDEATHSIG), so a crashed test leaves no orphans.
 *
 * Every function reports problems on stderr and returns NULL or -1; none of
 * them aborts.  server_start() sets SIGPIPE to ignored for the test process,
 * because writing to a server a test has just killed must not kill the test.
 */
#ifndef DBLITE_TEST_SERVER_PROCESS_H
#define DBLITE_TEST_SERVER_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

typedef struct server_process server_process;

/* Starts the server and waits (up to 10 s, or $DBLITE_TEST_START_TIMEOUT_MS)
 * until it answers PING.  config_name is a file name looked up in
 * $DBLITE_CONFIG_DIR, an absolute path, or NULL for no config file.
 * extra_args is a NULL-terminated list appended after the harness's own
 * --port/--bind/--dir/--module-path options (so it can override them), or
 * NULL.  Returns NULL, after printing the server log, when it fails. */
server_process *server_start(const char *config_name, const char *const *extra_args);

/* A new hiredis connection to the server (5 s connect timeout, 30 s command
 * timeout; change it with redisSetTimeout for blocking commands).  NULL on
 * failure.  The caller frees it with redisFree. */
redisContext *server_connect(server_process *server);

int server_port(const server_process *server);
pid_t server_pid(const server_process *server);            /* 0 while not running */
const char *server_dir(const server_process *server);      /* the --dir */
const char *server_log_path(const server_process *server); /* stdout+stderr */

/* Prints the server log (its last 64 KiB) to stderr under a header line. */
void server_print_log(const server_process *server);

/* Sends SIGTERM and waits (up to 30 s, then SIGKILL) for the process to end,
 * keeping the directory.  Returns the exit status: the exit code, 128+signal
 * when a signal ended it, -1 when it had to be killed after the timeout.
 * Returns the previous status if the server was not running. */
int server_shutdown(server_process *server);

/* server_shutdown(), then prints the log, removes the directory and frees
 * the handle.  Returns the exit status as server_shutdown() does.  Accepts
 * NULL (returns -1) so teardown code needs no checks. */
int server_stop(server_process *server);

/* SIGKILL and wait: a crash.  The directory is kept for server_restart(). */
void server_kill(server_process *server);

/* Starts the server again with the same port, directory and arguments; a
 * running server is shut down first (SIGTERM).  Returns server, or NULL if
 * it does not come up; server stays valid either way and must still be
 * released with server_stop(). */
server_process *server_restart(server_process *server);

/* Runs `$DBLITE_SERVER [config] args...` exactly as given (nothing is added;
 * the working directory is a fresh temporary one) expecting startup to fail.
 * Its stdout and stderr together are stored NUL-terminated in output (cut
 * to size).  Returns the exit status (exit code, or 128+signal), or -1 when
 * the server could not be run or was still running after 10 s, i.e. it
 * started when it should not have (it is then killed). */
int server_start_expect_failure(const char *config_name, const char *const *args, char *output,
                                size_t size);

#endif
