/*
 * hooktest_service.h - the service hooktest.so exports for other modules
 * (hookpeer.so calls it), to prove dblite_service_export/lookup across two
 * separately loaded shared objects.
 */
#ifndef HOOKTEST_SERVICE_H
#define HOOKTEST_SERVICE_H

#define HOOKTEST_COUNTER_SERVICE "hooktest.counter/1"

typedef struct hooktest_counter_service {
    int version; /* 1 */
    void *self;  /* passed back to the functions below */
    /* Adds delta to hooktest's counter (INFO hooktest_counter); returns the new value. */
    long long (*add)(void *self, long long delta);
} hooktest_counter_service;

#endif
