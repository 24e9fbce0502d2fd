/*
 * rdb_format.h - the numbers of Redis's RDB format (version 10, as Redis
 * 7.0 writes it): value types, opcodes, length and string encodings, and the
 * opcodes inside module values.
 */
#ifndef PERSISTENCE_RDB_FORMAT_H
#define PERSISTENCE_RDB_FORMAT_H

#define RDB_VERSION 10
#define RDB_MAGIC "REDIS"
#define RDB_MAGIC_LENGTH 5
#define RDB_HEADER_LENGTH 9 /* "REDIS" and four version digits */
/* Files of version 5 and later end with a CRC-64; older ones do not. */
#define RDB_FIRST_CHECKSUMMED_VERSION 5

/* Value types. */
#define RDB_TYPE_STRING 0
#define RDB_TYPE_LIST 1
#define RDB_TYPE_SET 2
#define RDB_TYPE_ZSET 3
#define RDB_TYPE_HASH 4
#define RDB_TYPE_ZSET_2 5
#define RDB_TYPE_MODULE_PRE_GA 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_LIST_ZIPLIST 10
#define RDB_TYPE_SET_INTSET 11
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_LIST_QUICKLIST 14
#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_HASH_LISTPACK 16
#define RDB_TYPE_ZSET_LISTPACK 17
#define RDB_TYPE_LIST_QUICKLIST_2 18
#define RDB_TYPE_STREAM_LISTPACKS_2 19
#define RDB_TYPE_SET_LISTPACK 20
#define RDB_TYPE_STREAM_LISTPACKS_3 21

/* Opcodes between keys. */
#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION_PRE_GA 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* Lengths: the top two bits of the first byte select the form. */
#define RDB_LENGTH_6BIT 0
#define RDB_LENGTH_14BIT 1
#define RDB_LENGTH_32BIT 0x80
#define RDB_LENGTH_64BIT 0x81
#define RDB_LENGTH_ENCODED 3 /* 11xxxxxx: a specially encoded string */

/* Special string encodings (the low six bits after 11). */
#define RDB_ENCODING_INT8 0
#define RDB_ENCODING_INT16 1
#define RDB_ENCODING_INT32 2
#define RDB_ENCODING_LZF 3

/* Inside a module value (type 7): each field is preceded by its kind. */
#define RDB_MODULE_OPCODE_EOF 0
#define RDB_MODULE_OPCODE_SINT 1
#define RDB_MODULE_OPCODE_UINT 2
#define RDB_MODULE_OPCODE_FLOAT 3
#define RDB_MODULE_OPCODE_DOUBLE 4
#define RDB_MODULE_OPCODE_STRING 5

/* The length byte of a double stored as text (type 3's scores). */
#define RDB_TEXT_DOUBLE_NAN 253
#define RDB_TEXT_DOUBLE_POSITIVE_INFINITY 254
#define RDB_TEXT_DOUBLE_NEGATIVE_INFINITY 255

/* quicklist 2 node containers. */
#define RDB_QUICKLIST_NODE_PLAIN 1
#define RDB_QUICKLIST_NODE_PACKED 2

/* What Redis 7.0 writes in the redis-ver AUX field; tools gate on it. */
#define RDB_REDIS_VERSION_TEXT "7.0.15"

#endif
