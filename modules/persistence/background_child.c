/*
 * background_child.c - the forked child behind BGSAVE and BGREWRITEAOF.
 *
 * The child sees a copy-on-write image of the dataset as it was at the
 * fork and writes it out while the server keeps serving.  It first closes
 * every socket it inherited (so a dead server's port is free again at once
 * even while the child still writes) and restores default signal handling
 * (so a plain kill stops it).  The server notices the child's end from a
 * timer with waitpid(WNOHANG) and then runs the completion the job passed
 * to child_start: this file knows how to run a child, not what it does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "persistence.h"

#define CHILD_POLL_MS 10

static void close_inherited_sockets(void)
{
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL)
        return;
    int own = dirfd(directory);
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || fd == own || fd <= 2)
            continue;
        struct stat info;
        if (fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode))
            close(fd);
    }
    closedir(directory);
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void child_temp_name(child_kind kind, pid_t pid, char *buffer, size_t size)
{
    if (kind == CHILD_AOF_REWRITE)
        snprintf(buffer, size, "temp-rewriteaof-bg-%d.aof", (int)pid);
    else
        snprintf(buffer, size, "temp-%d.rdb", (int)pid);
}

int child_running(const persistence_state *state, child_kind kind)
{
    if (state->child == CHILD_NONE)
        return 0;
    return kind == CHILD_NONE || state->child == kind;
}

/* What ends a child: bookkeeping, then the job's completion (which may
 * still read the temporary file), then the file goes. */
static void child_finished(persistence_state *state, int success)
{
    child_done_fn done = state->child_done;
    long long duration = now_ms() - state->child_started_ms;
    state->child = CHILD_NONE;
    state->child_pid = 0;
    state->child_timer = 0;
    state->child_done = NULL;
    if (done != NULL)
        done(state, success, duration);
    /* A successful job's file was renamed away already. */
    unlink(state->child_temp_path);
}

static long long poll_child(dblite_ctx *ctx, void *privdata)
{
    (void)ctx;
    persistence_state *state = privdata;
    if (state->child == CHILD_NONE)
        return -1;
    int status;
    pid_t done = waitpid(state->child_pid, &status, WNOHANG);
    if (done == 0)
        return CHILD_POLL_MS;
    int success = done == state->child_pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (done == state->child_pid && WIFSIGNALED(status))
        dblite_log(state->module, "warning", "background child %d was killed by signal %d",
                   (int)state->child_pid, WTERMSIG(status));
    child_finished(state, success);
    return -1;
}

int child_start(persistence_state *state, dblite_ctx *ctx, child_kind kind, child_job_fn job,
                child_done_fn done, char *error, size_t error_size)
{
    if (state->child != CHILD_NONE) {
        snprintf(error, error_size, "another background job is running");
        return -1;
    }
    long long started = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(error, error_size, "fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        close_inherited_sockets();
        char reason[512] = "";
        int status = job(state, ctx, reason, sizeof(reason));
        if (status != 0)
            dblite_log(state->module, "warning", "background job failed: %s", reason);
        _exit(status == 0 ? 0 : 1);
    }
    state->child = kind;
    state->child_pid = pid;
    child_temp_name(kind, pid, state->child_temp_path, sizeof(state->child_temp_path));
    state->child_started_ms = started;
    state->child_done = done;
    state->child_timer = dblite_timer_create(state->module, CHILD_POLL_MS, poll_child, state);
    if (state->child_timer == 0) {
        /* Without the timer the child would never be reaped: stop it. */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        state->child = CHILD_NONE;
        state->child_pid = 0;
        state->child_done = NULL;
        snprintf(error, error_size, "cannot create the timer that watches the child");
        return -1;
    }
    return 0;
}

void child_kill(persistence_state *state)
{
    if (state->child == CHILD_NONE)
        return;
    kill(state->child_pid, SIGKILL);
    waitpid(state->child_pid, NULL, 0);
    if (state->child_timer != 0)
        dblite_timer_cancel(state->child_timer);
    dblite_log(state->module, "notice", "killed background child %d", (int)state->child_pid);
    child_finished(state, 0);
}
