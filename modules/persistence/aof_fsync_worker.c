/*
 * aof_fsync_worker.c - see aof_fsync_worker.h.
 */
#include "aof_fsync_worker.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void *worker_main(void *argument)
{
    aof_fsync_worker *worker = argument;
    pthread_mutex_lock(&worker->lock);
    for (;;) {
        while (worker->pending_fd < 0 && !worker->stopping)
            pthread_cond_wait(&worker->work_ready, &worker->lock);
        if (worker->pending_fd < 0 && worker->stopping)
            break;
        int fd = worker->pending_fd;
        worker->pending_fd = -1;
        worker->busy = 1;
        pthread_mutex_unlock(&worker->lock);
        int status = fdatasync(fd);
        int error = status == 0 ? 0 : errno;
        pthread_mutex_lock(&worker->lock);
        worker->busy = 0;
        worker->last_errno = error;
        if (worker->pending_fd < 0)
            pthread_cond_broadcast(&worker->went_idle);
    }
    pthread_mutex_unlock(&worker->lock);
    return NULL;
}

int aof_fsync_worker_start(aof_fsync_worker *worker)
{
    memset(worker, 0, sizeof(*worker));
    worker->pending_fd = -1;
    if (pthread_mutex_init(&worker->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&worker->work_ready, NULL) != 0) {
        pthread_mutex_destroy(&worker->lock);
        return -1;
    }
    if (pthread_cond_init(&worker->went_idle, NULL) != 0) {
        pthread_cond_destroy(&worker->work_ready);
        pthread_mutex_destroy(&worker->lock);
        return -1;
    }
    if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0) {
        pthread_cond_destroy(&worker->went_idle);
        pthread_cond_destroy(&worker->work_ready);
        pthread_mutex_destroy(&worker->lock);
        return -1;
    }
    worker->running = 1;
    return 0;
}

int aof_fsync_worker_request(aof_fsync_worker *worker, int fd)
{
    if (!worker->running)
        return fdatasync(fd) == 0 ? 0 : 1;
    pthread_mutex_lock(&worker->lock);
    int busy = worker->busy || worker->pending_fd >= 0;
    if (!busy) {
        worker->pending_fd = fd;
        pthread_cond_signal(&worker->work_ready);
    }
    pthread_mutex_unlock(&worker->lock);
    return busy;
}

void aof_fsync_worker_wait_idle(aof_fsync_worker *worker)
{
    if (!worker->running)
        return;
    pthread_mutex_lock(&worker->lock);
    while (worker->busy || worker->pending_fd >= 0)
        pthread_cond_wait(&worker->went_idle, &worker->lock);
    pthread_mutex_unlock(&worker->lock);
}

int aof_fsync_worker_last_errno(aof_fsync_worker *worker)
{
    if (!worker->running)
        return 0;
    pthread_mutex_lock(&worker->lock);
    int error = worker->last_errno;
    pthread_mutex_unlock(&worker->lock);
    return error;
}

void aof_fsync_worker_stop(aof_fsync_worker *worker)
{
    if (!worker->running)
        return;
    pthread_mutex_lock(&worker->lock);
    worker->stopping = 1;
    pthread_cond_signal(&worker->work_ready);
    pthread_mutex_unlock(&worker->lock);
    pthread_join(worker->thread, NULL);
    pthread_cond_destroy(&worker->went_idle);
    pthread_cond_destroy(&worker->work_ready);
    pthread_mutex_destroy(&worker->lock);
    worker->running = 0;
}
