/*
 * file_map.c - see file_map.h.
 */
#include "file_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int file_map_open(file_map *map, const char *path, char *error, size_t error_size)
{
    map->data = NULL;
    map->length = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(error, error_size, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    return file_map_from_fd(map, fd, path, error, error_size);
}

int file_map_from_fd(file_map *map, int fd, const char *path, char *error, size_t error_size)
{
    map->data = NULL;
    map->length = 0;
    struct stat info;
    if (fstat(fd, &info) != 0) {
        snprintf(error, error_size, "cannot stat '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(info.st_mode)) {
        snprintf(error, error_size, "'%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    if (info.st_size == 0) {
        close(fd);
        return 0;
    }
    void *data = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) {
        snprintf(error, error_size, "cannot map '%s': %s", path, strerror(errno));
        return -1;
    }
    madvise(data, (size_t)info.st_size, MADV_SEQUENTIAL);
    map->data = data;
    map->length = (size_t)info.st_size;
    return 0;
}

void file_map_close(file_map *map)
{
    if (map->data != NULL)
        munmap((void *)map->data, map->length);
    map->data = NULL;
    map->length = 0;
}
