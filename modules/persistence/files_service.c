/*
 * files_service.c - DBLite's SAVE <file> and RESTORE <file>, confined to
 * the server's directory, exported to the dialect (files_service.h).
 *
 * A client may only name a file, never a place: the name must be a plain
 * file name (not empty, no '/', no '\', no "..") resolved inside 'dir'.
 * RESTORE opens it with O_NOFOLLOW, so a symbolic link planted in 'dir'
 * leads nowhere, and with O_NONBLOCK, so a FIFO cannot hold the server in
 * open(2); it then accepts only a regular file (fstat), so a device or a
 * FIFO is never read either.  SAVE writes a temporary file and renames it
 * over the name, which replaces a link rather than following it; it
 * refuses a name that exists as anything but a regular file all the same.
 * Every refusal reads the same whatever a link points to, so the replies
 * tell nothing about files outside 'dir'.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_map.h"
#include "files_service.h"
#include "persistence.h"

#define MAX_FILE_NAME 255 /* NAME_MAX: a longer name cannot be one entry of 'dir' */

static const char bad_name_error[] =
    "ERR invalid file name: DBLite's SAVE and RESTORE take a plain file name inside the server's 'dir' "
    "(not empty, no '/', no '\\', no '..')";

/* Copies a valid name into buffer; 0, or -1 when the name is not one. */
static int plain_file_name(dblite_bytes argument, char *buffer, size_t size)
{
    if (argument.len == 0 || argument.len > MAX_FILE_NAME || argument.len >= size)
        return -1;
    if (memchr(argument.ptr, '\0', argument.len) != NULL ||
        memchr(argument.ptr, '/', argument.len) != NULL ||
        memchr(argument.ptr, '\\', argument.len) != NULL)
        return -1;
    memcpy(buffer, argument.ptr, argument.len);
    buffer[argument.len] = '\0';
    if (strcmp(buffer, ".") == 0 || strstr(buffer, "..") != NULL)
        return -1;
    return 0;
}

/* The module's state: these functions run with the calling module's ctx
 * (the dialect's), so they find it as the data of the service's exporter. */
static persistence_state *files_state(void)
{
    return dblite_service_data(DBLITE_FILES_SERVICE);
}

/* The client's file name made a valid name in buffer, and the server in
 * 'dir'; 0, or -1 after replying. */
static int file_in_dir_or_reply(dblite_ctx *ctx, dblite_bytes argument, char *buffer, size_t size)
{
    if (plain_file_name(argument, buffer, size) != 0) {
        dblite_reply_error(ctx, bad_name_error);
        return -1;
    }
    char error[512];
    if (persistence_enter_dir(files_state(), error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return -1;
    }
    return 0;
}

static void save_to_file(dblite_ctx *ctx, dblite_bytes argument)
{
    char name[MAX_FILE_NAME + 1];
    if (file_in_dir_or_reply(ctx, argument, name, sizeof(name)) != 0)
        return;
    struct stat info;
    if (lstat(name, &info) == 0 && !S_ISREG(info.st_mode)) {
        dblite_reply_error_format(ctx, "ERR '%s' exists and is not a regular file", name);
        return;
    }
    snapshot_save_and_reply(files_state(), ctx, name);
}

static void files_save(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc > 2) {
        dblite_reply_wrong_arity(ctx);
        return;
    }
    if (argc == 1) {
        persistence_state *state = files_state();
        snapshot_save_and_reply(state, ctx, state->settings.dbfilename);
    } else {
        save_to_file(ctx, argv[1]);
    }
}

/* Opens name inside the current directory ('dir') for reading, only as a
 * regular file and without ever blocking; the descriptor, or -1 after
 * replying. */
static int open_regular_file(dblite_ctx *ctx, const char *name)
{
    int fd = open(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            dblite_reply_error_format(ctx, "ERR '%s' does not exist", name);
        else if (errno == ELOOP)
            dblite_reply_error_format(ctx, "ERR '%s' is not a regular file", name);
        else
            dblite_reply_error_format(ctx, "ERR cannot open '%s': %s", name, strerror(errno));
        return -1;
    }
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        dblite_reply_error_format(ctx, "ERR '%s' is not a regular file", name);
        close(fd);
        return -1;
    }
    /* Regular files never block; the flag only guarded the open. */
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
        dblite_reply_error_format(ctx, "ERR cannot read '%s': %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void restore_from_file(dblite_ctx *ctx, dblite_bytes argument)
{
    char name[MAX_FILE_NAME + 1];
    if (file_in_dir_or_reply(ctx, argument, name, sizeof(name)) != 0)
        return;
    int fd = open_regular_file(ctx, name);
    if (fd < 0)
        return;
    char error[600];
    file_map map;
    if (file_map_from_fd(&map, fd, name, error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return;
    }
    int status = dataset_restore_from_map(files_state(), ctx, &map, name, error, sizeof(error));
    file_map_close(&map);
    if (status != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return;
    }
    dblite_reply_ok(ctx);
}

static void files_restore(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc == 2)
        restore_from_file(ctx, argv[1]);
    else if (argc >= 4)
        dump_restore_and_reply(files_state(), ctx, argc, argv);
    else
        dblite_reply_wrong_arity(ctx);
}

static const dblite_files_service files_service = {
    .version = 1,
    .save = files_save,
    .restore = files_restore,
};

int files_service_register(dblite_module *module)
{
    /* The service is read-only data: exporting a pointer to a constant is
     * safe, the cast only meets the API's untyped pointer. */
    return dblite_service_export(module, DBLITE_FILES_SERVICE, (void *)&files_service);
}
