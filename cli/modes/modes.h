/*
 * modes.h - the client's ways of running, one file each.  main() picks one
 * from the options and whether stdin is a terminal; each returns the
 * process exit status.
 */
#ifndef DBLITE_CLI_MODES_H
#define DBLITE_CLI_MODES_H

#include <stdio.h>

#include "session.h"

/* The command from the command line, run once.  Exit status 1 when the
 * server answers with an error (redis-cli 7.0 would exit 0 there) or
 * cannot be reached. */
int run_one_shot(cli_session *session);
/* Commands read from a pipe or file, one per line; status 1 if any
 * failed. */
int run_line_commands(cli_session *session, FILE *input);
/* The prompt for a person at a terminal. */
int run_interactive(cli_session *session);
/* --pipe: raw RESP from stdin streamed to the server. */
int run_pipe_mode(cli_session *session, int input_fd);
/* --stat: a line of server statistics every interval, until killed. */
int run_stat_mode(cli_session *session);

#endif
