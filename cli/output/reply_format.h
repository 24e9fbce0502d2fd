/*
 * reply_format.h - turns replies into the text redis-cli 7.0 prints.
 *
 * Two forms, chosen as redis-cli chooses them (see options.h):
 *   - human ("TTY") form: (integer) 1, "quoted" strings, numbered nested
 *     aggregates, 1# "key" => value for maps, 1~ for sets, (error) ...;
 *   - raw form (--raw, or stdout not a terminal): bare values, one
 *     aggregate element per line, "key value" per map entry.
 *
 * Two replies redis-cli 7.0 cannot print at all (it exits on them) get a
 * form of ours: a big number shows as "(big number) 123" (raw: 123), and
 * attributes are not shown, only the reply they describe (RESP3 lets a
 * client ignore attributes it has no use for).
 */
#ifndef DBLITE_CLI_REPLY_FORMAT_H
#define DBLITE_CLI_REPLY_FORMAT_H

#include <stddef.h>

#include "protocol/reply.h"
#include "util/byte_buffer.h"

/* Appends the human form of reply, newline-terminated. */
int format_reply_human(byte_buffer *out, const reply *reply);
/* Appends the raw form of reply, without the final newline that the
 * caller adds between commands. */
int format_reply_raw(byte_buffer *out, const reply *reply);
/* Appends text as a double-quoted string with C-like escapes: what the
 * human form shows for bulk strings (\n \r \t \a \b \" \\, \xHH for any
 * other byte outside printable ASCII). */
int format_quoted(byte_buffer *out, const char *text, size_t length);

#endif
