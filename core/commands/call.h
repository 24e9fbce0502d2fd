/*
 * call.h - what dblite_call (call.c) shares with dispatch.c, so a nested
 * call refuses what a client's request is refused with, in the same words.
 */
#ifndef DBLITE_CALL_H
#define DBLITE_CALL_H

#include "server.h"

/* Redis's "ERR unknown command '...', with args beginning with: ..." for
 * argv, into message (cut to size). */
void unknown_command_message(char *message, size_t size, int argc, const dblite_bytes *argv);

/* The first write gate that refuses cmd run by c, its error text in error;
 * NULL when every gate lets it through. */
const char *write_gate_refusal(const client *c, const command *cmd, char *error, size_t size);

#endif
