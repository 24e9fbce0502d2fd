/*
 * file_map.h - a whole file mapped read-only into memory, which is how the
 * loaders read: bounds checks are then plain comparisons, and the kernel
 * reads ahead for us.
 */
#ifndef PERSISTENCE_FILE_MAP_H
#define PERSISTENCE_FILE_MAP_H

#include <stddef.h>

typedef struct file_map {
    const unsigned char *data; /* NULL for an empty file */
    size_t length;
} file_map;

/* 0 on success; 1 when the file does not exist; -1 with the reason in error. */
int file_map_open(file_map *map, const char *path, char *error, size_t error_size);
/* The same for a descriptor already open for reading, which it closes
 * (mapped or not); never 1. */
int file_map_from_fd(file_map *map, int fd, const char *path, char *error, size_t error_size);
void file_map_close(file_map *map);

#endif
