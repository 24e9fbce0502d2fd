/*
 * completion.h - tab completion and usage hints for the interactive mode,
 * fed by the server's COMMAND DOCS.
 *
 * Tab on the first word completes command names (in the letter case the
 * user started typing); on the second word it completes subcommands
 * ("CONFIG G" -> "CONFIG GET") and help topics after "help".  Tab further
 * into a command line completes nothing but prints the command's usage
 * ("SET key value [NX|XX] ...") under the line as a reminder of the
 * arguments and their order.
 */
#ifndef DBLITE_CLI_COMPLETION_H
#define DBLITE_CLI_COMPLETION_H

#include "session.h"

/* Installs the completion callbacks into libedit's readline layer for
 * this session (which must outlive the interactive loop). */
void completion_install(cli_session *session);
void completion_uninstall(void);

#endif
