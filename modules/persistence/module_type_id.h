/*
 * module_type_id.h - the 64-bit id under which Redis stores a module type
 * in RDB files: the 9-character name in 6-bit symbols, then the 10-bit
 * encoding version.
 */
#ifndef PERSISTENCE_MODULE_TYPE_ID_H
#define PERSISTENCE_MODULE_TYPE_ID_H

#include <stdint.h>

/* 0 when name is not 9 characters of the allowed set or version is out of
 * 0..1023 (no valid id is 0: that would be "AAAAAAAAA" version 0). */
uint64_t module_type_id_encode(const char *name, int encoding_version);
/* name receives 9 characters and a NUL; returns the encoding version. */
int module_type_id_decode(uint64_t id, char name[10]);

#endif
