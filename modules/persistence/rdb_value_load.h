/*
 * rdb_value_load.h - one RDB value back into a dblite value: the value's
 * type is found from the RDB type byte (the type registered with that
 * native snapshot code, or the module type named by the stored id), and its
 * load method reads the payload through a dblite_io.
 *
 * Compact encodings (ziplist, listpack, intset, zipmap, quicklists) are
 * decoded first and presented to the type as the plain payload they stand
 * for - a count, then the strings - so a type only ever reads Redis's plain
 * list, set, hash and sorted-set forms.  Sorted sets (types 3, 5, 12, 17)
 * all go to the type of native code 5, which reads the count, then each
 * member with read_string and its score with read_double: a binary double
 * in type 5, Redis's string form in type 3, and the next decoded element
 * read as a number in the packed forms (whose count is of pairs).
 */
#ifndef PERSISTENCE_RDB_VALUE_LOAD_H
#define PERSISTENCE_RDB_VALUE_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "dblite_provider.h"
#include "element_list.h"
#include "rdb_reader.h"

typedef enum value_source_mode {
    SOURCE_FILE,     /* plain payload: strings straight from the reader */
    SOURCE_ELEMENTS, /* decoded compact payload */
    SOURCE_MODULE,   /* module value: each field behind its opcode */
} value_source_mode;

typedef struct value_loader {
    rdb_reader *reader;
    value_source_mode mode;
    unsigned char type_byte; /* of the value being read */
    int count_pending;       /* the next read_unsigned returns count */
    uint64_t count;
    element_list elements;
    size_t next_element;
    scratch_buffer blob_scratch;
    dblite_io *io;
} value_loader;

int value_loader_init(value_loader *loader, rdb_reader *reader);
void value_loader_release(value_loader *loader);

/* 1 when type_byte is an RDB value type (anything else is an opcode). */
int rdb_is_value_type(unsigned char type_byte);

/* Read the payload of a value of RDB type type_byte.  Returns 0 with
 * *value and *type set, or with *value NULL for an empty collection, which
 * Redis skips as well; -1 with the reason in error. */
int value_loader_read(value_loader *loader, unsigned char type_byte, const dblite_type **type,
                      void **value, char *error, size_t error_size);

#endif
