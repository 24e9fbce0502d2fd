/*
 * files_service.h - the service persistence.so exports for DBLite's file
 * forms, SAVE <file> and RESTORE <file>.
 *
 * These forms name files, so they are not served on the Redis port (whose
 * SAVE and RESTORE are exactly Redis's): dblite_compat.so registers them as
 * dialect commands on its own listener and calls this service.  The
 * service confines the name itself, so no caller can widen it: a plain file
 * name inside 'dir' (no '/', no '..', not empty), opened without following
 * a symbolic link and only when it is a regular file, checked without
 * blocking (a FIFO must not freeze the server).  Look it up with
 * dblite_service_lookup(DBLITE_FILES_SERVICE); NULL when persistence.so is
 * not loaded.  The struct only grows.
 */
#ifndef DBLITE_FILES_SERVICE_H
#define DBLITE_FILES_SERVICE_H

#include "dblite_module.h"

#define DBLITE_FILES_SERVICE "persistence.files/1"

typedef struct dblite_files_service {
    int version; /* 1 */
    /* SAVE [file]: without a file exactly the Redis port's SAVE; with one,
     * the dataset saved to that file inside 'dir'.  Replies. */
    dblite_command_fn save;
    /* RESTORE file | key ttl payload [...]: with one argument the dataset
     * replaced by the RDB file of that name inside 'dir'; otherwise exactly
     * the Redis port's RESTORE.  Replies. */
    dblite_command_fn restore;
} dblite_files_service;

#endif
