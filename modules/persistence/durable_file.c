/*
 * durable_file.c - see durable_file.h.
 */
#define _GNU_SOURCE
#include "durable_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int durable_file_create(const char *temp_path, char *error, size_t error_size)
{
    /* Never through a symbolic link: a temporary name planted as a link in
     * dir must not redirect a snapshot to another file. */
    int fd = open(temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        snprintf(error, error_size, "cannot create '%s': %s", temp_path, strerror(errno));
    return fd;
}

int durable_file_sync_directory(const char *path)
{
    char directory[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(directory, sizeof(directory), ".");
    } else if (slash == path) {
        snprintf(directory, sizeof(directory), "/");
    } else {
        if ((size_t)(slash - path) >= sizeof(directory))
            return -1;
        memcpy(directory, path, (size_t)(slash - path));
        directory[slash - path] = '\0';
    }
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int status = fsync(fd);
    close(fd);
    return status;
}

void durable_file_abandon(int fd, const char *temp_path)
{
    if (fd >= 0)
        close(fd);
    unlink(temp_path);
}

int durable_file_commit(int fd, const char *temp_path, const char *final_path, char *error,
                        size_t error_size)
{
    if (fsync(fd) != 0) {
        snprintf(error, error_size, "fsync of '%s' failed: %s", temp_path, strerror(errno));
        durable_file_abandon(fd, temp_path);
        return -1;
    }
    if (close(fd) != 0) {
        snprintf(error, error_size, "closing '%s' failed: %s", temp_path, strerror(errno));
        unlink(temp_path);
        return -1;
    }
    if (rename(temp_path, final_path) != 0) {
        snprintf(error, error_size, "cannot rename '%s' to '%s': %s", temp_path, final_path,
                 strerror(errno));
        unlink(temp_path);
        return -1;
    }
    /* The data is safe once renamed; a failed directory sync only weakens
     * durability across a power loss, which is not worth failing over. */
    durable_file_sync_directory(final_path);
    return 0;
}
