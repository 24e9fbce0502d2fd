/*
 * crc64.c - table-driven CRC-64/Jones.  Snapshots of a large dataset run
 * to gigabytes, so the checksum uses slicing-by-8 (one table lookup per byte
 * but eight independent ones per step) instead of the bytewise loop.
 */
#include "crc64.h"

#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "crc64.c reads 8 bytes at a time as a little-endian word"
#endif

/* The Jones polynomial 0xad93d23594c935a9, bit-reversed for the
 * reflected (least significant bit first) form Redis uses. */
#define JONES_POLYNOMIAL_REFLECTED 0x95ac9329ac4bc9b5ULL

void crc64_tables_init(crc64_tables *tables)
{
    for (unsigned byte = 0; byte < 256; byte++) {
        uint64_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ JONES_POLYNOMIAL_REFLECTED : crc >> 1;
        tables->table[0][byte] = crc;
    }
    for (unsigned byte = 0; byte < 256; byte++) {
        uint64_t crc = tables->table[0][byte];
        for (int slice = 1; slice < 8; slice++) {
            crc = tables->table[0][crc & 0xff] ^ (crc >> 8);
            tables->table[slice][byte] = crc;
        }
    }
}

uint64_t crc64_update(const crc64_tables *tables, uint64_t crc, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    const uint64_t(*t)[256] = tables->table;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        word ^= crc;
        crc = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^ t[5][(word >> 16) & 0xff] ^
              t[4][(word >> 24) & 0xff] ^ t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^
              t[1][(word >> 48) & 0xff] ^ t[0][word >> 56];
        bytes += 8;
        length -= 8;
    }
    while (length--)
        crc = t[0][(crc ^ *bytes++) & 0xff] ^ (crc >> 8);
    return crc;
}
