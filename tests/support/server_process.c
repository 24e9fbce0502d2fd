/*
 * server_process.c - starts, probes, stops and restarts the real server
 * binary for integration tests (interface and conventions in the header).
 *
 * The port is found by binding port 0 on loopback and closing the socket
 * again; another process may take it before the server binds, so a start
 * whose log says "already in use" is retried on a new port.  Readiness is a
 * PING answered by our own child (checked alive before and after), so a
 * foreign server on a reused port can never pass for ours.
 */
#define _GNU_SOURCE
#include "server_process.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_FILE_NAME "server.log"
#define DEFAULT_START_TIMEOUT_MS 10000
#define SHUTDOWN_TIMEOUT_MS 30000
#define EXPECT_FAILURE_TIMEOUT_MS 10000
#define START_ATTEMPTS 5
#define LOG_TAIL_BYTES (64 * 1024)

struct server_process {
    pid_t pid; /* 0 while not running */
    int port;
    int last_status; /* status of the last run that ended */
    char dir[PATH_MAX];
    char log_path[PATH_MAX + sizeof "/" LOG_FILE_NAME];
    char **argv; /* full command line, NULL-terminated, owned */
};

/* ---- small helpers ----------------------------------------------------- */

static void report(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("server_process: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) == -1 && errno == EINTR) {
    }
}

static int status_from_wait(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return -1;
}

/* Waits up to timeout_ms for pid to end.  Returns 1 and sets *status when it
 * ended, 0 on timeout, -1 on a waitpid error. */
static int wait_for_exit(pid_t pid, long long timeout_ms, int *status)
{
    long long deadline = monotonic_ms() + timeout_ms;
    for (;;) {
        int wait_status;
        pid_t done = waitpid(pid, &wait_status, WNOHANG);
        if (done == pid) {
            *status = status_from_wait(wait_status);
            return 1;
        }
        if (done == -1 && errno != EINTR) {
            report("waitpid(%d): %s", (int)pid, strerror(errno));
            return -1;
        }
        if (monotonic_ms() >= deadline)
            return 0;
        sleep_ms(10);
    }
}

static long start_timeout_ms(void)
{
    const char *text = getenv("DBLITE_TEST_START_TIMEOUT_MS");
    if (text != NULL && *text != '\0') {
        char *end;
        long value = strtol(text, &end, 10);
        if (*end == '\0' && value > 0)
            return value;
    }
    return DEFAULT_START_TIMEOUT_MS;
}

static int make_temp_dir(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || *base == '\0')
        base = "/tmp";
    int written = snprintf(out, size, "%s/dblite-test-XXXXXX", base);
    if (written < 0 || (size_t)written >= size) {
        report("temporary directory path too long");
        return -1;
    }
    if (mkdtemp(out) == NULL) {
        report("mkdtemp(%s): %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk)
{
    (void)info;
    (void)flag;
    (void)walk;
    if (remove(path) == -1)
        report("remove(%s): %s", path, strerror(errno));
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A loopback port that was free a moment ago. */
static int pick_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1) {
        report("socket: %s", strerror(errno));
        return -1;
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    else
        report("finding a free port: %s", strerror(errno));
    close(fd);
    return port;
}

/* Config name -> absolute path in out; NULL name gives an empty string. */
static int resolve_config(const char *config_name, char *out, size_t size)
{
    out[0] = '\0';
    if (config_name == NULL)
        return 0;
    int written;
    if (config_name[0] == '/') {
        written = snprintf(out, size, "%s", config_name);
    } else {
        const char *config_dir = getenv("DBLITE_CONFIG_DIR");
        if (config_dir == NULL || *config_dir == '\0') {
            report("DBLITE_CONFIG_DIR is not set; cannot find config %s", config_name);
            return -1;
        }
        written = snprintf(out, size, "%s/%s", config_dir, config_name);
    }
    if (written < 0 || (size_t)written >= size) {
        report("config path too long: %s", config_name);
        return -1;
    }
    if (access(out, R_OK) != 0) {
        report("config %s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

static const char *server_binary(void)
{
    const char *binary = getenv("DBLITE_SERVER");
    if (binary == NULL || *binary == '\0') {
        report("DBLITE_SERVER is not set (run the test through ctest)");
        return NULL;
    }
    return binary;
}

/* ---- argument vectors -------------------------------------------------- */

static void free_argv(char **argv)
{
    if (argv == NULL)
        return;
    for (size_t i = 0; argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

static size_t count_args(const char *const *args)
{
    size_t count = 0;
    while (args != NULL && args[count] != NULL)
        count++;
    return count;
}

/* Appends a copy of text; argv has room (sized by the caller). */
static int push_arg(char **argv, size_t *used, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL) {
        report("out of memory");
        return -1;
    }
    argv[(*used)++] = copy;
    argv[*used] = NULL;
    return 0;
}

/* binary [config] --port P --bind 127.0.0.1 --dir D [--module-path M] extra... */
static char **build_start_argv(const char *binary, const char *config_path, int port,
                               const char *dir, const char *const *extra_args)
{
    size_t capacity = 12 + count_args(extra_args);
    char **argv = calloc(capacity, sizeof *argv);
    if (argv == NULL) {
        report("out of memory");
        return NULL;
    }
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    size_t used = 0;
    int failed = push_arg(argv, &used, binary);
    if (!failed && config_path[0] != '\0')
        failed = push_arg(argv, &used, config_path);
    const char *fixed[] = {"--port", port_text, "--bind", "127.0.0.1", "--dir", dir};
    for (size_t i = 0; !failed && i < sizeof fixed / sizeof fixed[0]; i++)
        failed = push_arg(argv, &used, fixed[i]);
    if (!failed && module_path != NULL && *module_path != '\0') {
        failed = push_arg(argv, &used, "--module-path");
        if (!failed)
            failed = push_arg(argv, &used, module_path);
    }
    for (size_t i = 0; !failed && extra_args != NULL && extra_args[i] != NULL; i++)
        failed = push_arg(argv, &used, extra_args[i]);
    if (failed) {
        free_argv(argv);
        return NULL;
    }
    return argv;
}

/* The port argument sits right after "--port"; rewritten on a retry. */
static int replace_port_arg(char **argv, int port)
{
    for (size_t i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++) {
        if (strcmp(argv[i], "--port") == 0) {
            char port_text[16];
            snprintf(port_text, sizeof port_text, "%d", port);
            char *copy = strdup(port_text);
            if (copy == NULL) {
                report("out of memory");
                return -1;
            }
            free(argv[i + 1]);
            argv[i + 1] = copy;
            return 0;
        }
    }
    return -1;
}

/* ---- process control --------------------------------------------------- */

/* Forks and execs argv with cwd and stdout+stderr going to output_fd.
 * The child dies with the test process.  Returns the pid or -1. */
static pid_t spawn(char *const *argv, const char *cwd, int output_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == -1) {
        report("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls from here to exec. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
            _exit(126);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd == -1 || dup2(null_fd, STDIN_FILENO) == -1 ||
            dup2(output_fd, STDOUT_FILENO) == -1 || dup2(output_fd, STDERR_FILENO) == -1 ||
            chdir(cwd) == -1)
            _exit(126);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        static const char message[] = "server_process: exec failed\n";
        if (write(STDERR_FILENO, message, sizeof message - 1) < 0)
            _exit(127);
        _exit(127);
    }
    return pid;
}

static int log_mentions_address_in_use(const char *log_path)
{
    FILE *file = fopen(log_path, "r");
    if (file == NULL)
        return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, file) != NULL)
        found = strcasestr(line, "already in use") != NULL;
    fclose(file);
    return found;
}

/* Ready means: something answers on the port and it is our child.  INFO's
 * process_id tells a server that grabbed the port first from ours. */
static int ping_once(int port, pid_t pid)
{
    struct timeval timeout = {0, 250000};
    redisContext *context = redisConnectWithTimeout("127.0.0.1", port, timeout);
    int ok = 0;
    if (context != NULL && !context->err && redisSetTimeout(context, timeout) == REDIS_OK) {
        redisReply *reply = redisCommand(context, "INFO server");
        if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
            const char *field = strstr(reply->str, "process_id:");
            ok = field != NULL && atol(field + strlen("process_id:")) == (long)pid;
        } else if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
            /* A password-protected server: PONG-level liveness is all we get. */
            ok = strncmp(reply->str, "NOAUTH", 6) == 0;
        }
        if (reply != NULL)
            freeReplyObject(reply);
    }
    if (context != NULL)
        redisFree(context);
    return ok;
}

enum launch_result { LAUNCH_READY, LAUNCH_PORT_TAKEN, LAUNCH_FAILED };

/* One attempt: spawn with the current argv and wait for PING. */
static enum launch_result launch(server_process *server)
{
    int log_fd = open(server->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd == -1) {
        report("open(%s): %s", server->log_path, strerror(errno));
        return LAUNCH_FAILED;
    }
    dprintf(log_fd, "---- server_process: starting on port %d ----\n", server->port);
    pid_t pid = spawn(server->argv, server->dir, log_fd);
    close(log_fd);
    if (pid == -1)
        return LAUNCH_FAILED;
    server->pid = pid;

    long long deadline = monotonic_ms() + start_timeout_ms();
    for (;;) {
        int status;
        int ended = wait_for_exit(pid, 0, &status);
        if (ended != 0) {
            server->pid = 0;
            server->last_status = ended == 1 ? status : -1;
            if (log_mentions_address_in_use(server->log_path))
                return LAUNCH_PORT_TAKEN;
            report("server exited with status %d during startup", server->last_status);
            return LAUNCH_FAILED;
        }
        if (ping_once(server->port, pid) && wait_for_exit(pid, 0, &status) == 0)
            return LAUNCH_READY;
        if (monotonic_ms() >= deadline) {
            report("server did not answer PING on port %d within %ld ms", server->port,
                   start_timeout_ms());
            kill(pid, SIGKILL);
            wait_for_exit(pid, SHUTDOWN_TIMEOUT_MS, &status);
            server->pid = 0;
            server->last_status = -1;
            return LAUNCH_FAILED;
        }
        sleep_ms(20);
    }
}

/* Launches, moving to a fresh port while the old one turns out taken
 * (only allowed on a first start: a restart must keep its port). */
static int launch_with_retries(server_process *server, int may_change_port)
{
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        enum launch_result result = launch(server);
        if (result == LAUNCH_READY)
            return 0;
        if (result == LAUNCH_FAILED || !may_change_port)
            break;
        int port = pick_free_port();
        if (port < 0 || replace_port_arg(server->argv, port) != 0)
            break;
        server->port = port;
    }
    server_print_log(server);
    return -1;
}

/* ---- public interface -------------------------------------------------- */

server_process *server_start(const char *config_name, const char *const *extra_args)
{
    signal(SIGPIPE, SIG_IGN);
    const char *binary = server_binary();
    if (binary == NULL)
        return NULL;
    char config_path[PATH_MAX];
    if (resolve_config(config_name, config_path, sizeof config_path) != 0)
        return NULL;

    server_process *server = calloc(1, sizeof *server);
    if (server == NULL) {
        report("out of memory");
        return NULL;
    }
    server->last_status = -1;
    if (make_temp_dir(server->dir, sizeof server->dir) != 0) {
        free(server);
        return NULL;
    }
    snprintf(server->log_path, sizeof server->log_path, "%s/%s", server->dir, LOG_FILE_NAME);
    server->port = pick_free_port();
    if (server->port > 0)
        server->argv = build_start_argv(binary, config_path, server->port, server->dir, extra_args);
    if (server->argv == NULL || launch_with_retries(server, 1) != 0) {
        remove_tree(server->dir);
        free_argv(server->argv);
        free(server);
        return NULL;
    }
    return server;
}

redisContext *server_connect(server_process *server)
{
    if (server == NULL)
        return NULL;
    struct timeval connect_timeout = {5, 0};
    struct timeval command_timeout = {30, 0};
    redisContext *context = redisConnectWithTimeout("127.0.0.1", server->port, connect_timeout);
    if (context == NULL) {
        report("connect to port %d: out of memory", server->port);
        return NULL;
    }
    if (context->err || redisSetTimeout(context, command_timeout) != REDIS_OK) {
        report("connect to port %d: %s", server->port, context->errstr);
        redisFree(context);
        return NULL;
    }
    return context;
}

int server_port(const server_process *server)
{
    return server != NULL ? server->port : -1;
}

pid_t server_pid(const server_process *server)
{
    return server != NULL ? server->pid : 0;
}

const char *server_dir(const server_process *server)
{
    return server != NULL ? server->dir : NULL;
}

const char *server_log_path(const server_process *server)
{
    return server != NULL ? server->log_path : NULL;
}

void server_print_log(const server_process *server)
{
    if (server == NULL)
        return;
    FILE *file = fopen(server->log_path, "r");
    if (file == NULL) {
        report("no log at %s", server->log_path);
        return;
    }
    fprintf(stderr, "==== server log (port %d, %s) ====\n", server->port, server->log_path);
    if (fseek(file, 0, SEEK_END) == 0) {
        long size = ftell(file);
        if (size > LOG_TAIL_BYTES) {
            fprintf(stderr, "[... first %ld bytes left out ...]\n", size - LOG_TAIL_BYTES);
            fseek(file, size - LOG_TAIL_BYTES, SEEK_SET);
        } else {
            fseek(file, 0, SEEK_SET);
        }
    }
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0)
        fwrite(buffer, 1, got, stderr);
    fprintf(stderr, "==== end of server log ====\n");
    fclose(file);
}

int server_shutdown(server_process *server)
{
    if (server == NULL)
        return -1;
    if (server->pid == 0)
        return server->last_status;
    int status = -1;
    kill(server->pid, SIGTERM);
    int ended = wait_for_exit(server->pid, SHUTDOWN_TIMEOUT_MS, &status);
    if (ended != 1) {
        report("server (pid %d) ignored SIGTERM for %d ms; killing it", (int)server->pid,
               SHUTDOWN_TIMEOUT_MS);
        kill(server->pid, SIGKILL);
        int ignored;
        wait_for_exit(server->pid, SHUTDOWN_TIMEOUT_MS, &ignored);
        status = -1;
    }
    server->pid = 0;
    server->last_status = status;
    return status;
}

int server_stop(server_process *server)
{
    if (server == NULL)
        return -1;
    int status = server_shutdown(server);
    server_print_log(server);
    if (status != 0)
        report("server on port %d ended with status %d", server->port, status);
    remove_tree(server->dir);
    free_argv(server->argv);
    free(server);
    return status;
}

void server_kill(server_process *server)
{
    if (server == NULL || server->pid == 0)
        return;
    kill(server->pid, SIGKILL);
    int status = -1;
    if (wait_for_exit(server->pid, SHUTDOWN_TIMEOUT_MS, &status) != 1)
        status = -1;
    server->pid = 0;
    server->last_status = status;
}

server_process *server_restart(server_process *server)
{
    if (server == NULL)
        return NULL;
    if (server->pid != 0) {
        int status = server_shutdown(server);
        if (status != 0)
            report("server exited with status %d before the restart", status);
    }
    return launch_with_retries(server, 0) == 0 ? server : NULL;
}

int server_start_expect_failure(const char *config_name, const char *const *args, char *output,
                                size_t size)
{
    if (output != NULL && size > 0)
        output[0] = '\0';
    const char *binary = server_binary();
    if (binary == NULL)
        return -1;
    char config_path[PATH_MAX];
    if (resolve_config(config_name, config_path, sizeof config_path) != 0)
        return -1;
    char dir[PATH_MAX];
    if (make_temp_dir(dir, sizeof dir) != 0)
        return -1;

    int status = -1;
    char **argv = calloc(3 + count_args(args), sizeof *argv);
    char log_path[PATH_MAX + sizeof "/" LOG_FILE_NAME];
    snprintf(log_path, sizeof log_path, "%s/%s", dir, LOG_FILE_NAME);
    int log_fd = open(log_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t used = 0;
    int failed = argv == NULL || log_fd == -1;
    if (failed)
        report("preparing the run: %s", argv == NULL ? "out of memory" : strerror(errno));
    if (!failed)
        failed = push_arg(argv, &used, binary);
    if (!failed && config_path[0] != '\0')
        failed = push_arg(argv, &used, config_path);
    for (size_t i = 0; !failed && args != NULL && args[i] != NULL; i++)
        failed = push_arg(argv, &used, args[i]);

    pid_t pid = failed ? -1 : spawn(argv, dir, log_fd);
    if (pid != -1) {
        int ended = wait_for_exit(pid, EXPECT_FAILURE_TIMEOUT_MS, &status);
        if (ended != 1) {
            report("server was still running after %d ms: it did not fail to start",
                   EXPECT_FAILURE_TIMEOUT_MS);
            kill(pid, SIGKILL);
            int ignored;
            wait_for_exit(pid, SHUTDOWN_TIMEOUT_MS, &ignored);
            status = -1;
        }
        if (output != NULL && size > 0 && lseek(log_fd, 0, SEEK_SET) == 0) {
            size_t total = 0;
            ssize_t got;
            while (total + 1 < size && (got = read(log_fd, output + total, size - 1 - total)) > 0)
                total += (size_t)got;
            output[total] = '\0';
        }
    }
    if (log_fd != -1)
        close(log_fd);
    free_argv(argv);
    remove_tree(dir);
    return status;
}
