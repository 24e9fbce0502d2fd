/*
 * server_state.c - the one global: the server's state.  It lives in the core
 * library (not in main.c) so unit tests that link pieces of the core get it.
 */
#include "server.h"

server_state server;
