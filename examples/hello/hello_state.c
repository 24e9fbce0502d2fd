/*
 * hello_state.c - where the plugin's state lives.
 *
 * Command handlers receive no private data and the server writes settings
 * into storage the module hands it at registration, so the type handle and
 * the settings need one fixed home.  It is written during init and by the
 * server's CONFIG SET, both on the command thread, and otherwise only read.
 */
#include "hello_state.h"

static hello_state module_state;

hello_state *hello_state_get(void)
{
    return &module_state;
}
