/*
 * aof_fsync_worker.h - a thread that fsyncs the append-only file for the
 * everysec policy, so a slow disk never stalls the command thread (Redis
 * does the same with a background I/O thread).
 *
 * The worker only ever calls fsync() on the descriptor it is given; it
 * touches no server API and no other module state.  Before the command
 * thread closes or replaces that descriptor it waits for the worker to be
 * idle, so the worker never syncs a recycled descriptor.
 */
#ifndef PERSISTENCE_AOF_FSYNC_WORKER_H
#define PERSISTENCE_AOF_FSYNC_WORKER_H

#include <pthread.h>

typedef struct aof_fsync_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work_ready;
    pthread_cond_t went_idle;
    int running;    /* the thread exists */
    int pending_fd; /* -1: nothing to do */
    int busy;       /* an fsync is in progress */
    int stopping;
    int last_errno; /* of the last fsync, 0 when it succeeded */
} aof_fsync_worker;

/* 0, or -1 when the thread could not be created. */
int aof_fsync_worker_start(aof_fsync_worker *worker);
/* Ask for an fsync of fd; returns 0 when queued, 1 when the previous one is
 * still running (Redis then postpones too). */
int aof_fsync_worker_request(aof_fsync_worker *worker, int fd);
void aof_fsync_worker_wait_idle(aof_fsync_worker *worker);
/* Errno of the last finished fsync (0 = fine). */
int aof_fsync_worker_last_errno(aof_fsync_worker *worker);
void aof_fsync_worker_stop(aof_fsync_worker *worker);

#endif
