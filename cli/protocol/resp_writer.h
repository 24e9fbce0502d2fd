/*
 * resp_writer.h - encodes a command as the RESP array of bulk strings that
 * servers expect from clients.
 */
#ifndef DBLITE_CLI_RESP_WRITER_H
#define DBLITE_CLI_RESP_WRITER_H

#include <stddef.h>

#include "util/byte_buffer.h"

/* Appends "*argc\r\n$len\r\narg\r\n..." to out; arguments are binary-safe
 * (lengths given).  0 on success, -1 on ENOMEM (out is left as it was). */
int resp_write_command(byte_buffer *out, size_t argc, char *const *argv, const size_t *lengths);

#endif
