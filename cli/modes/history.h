/*
 * history.h - the interactive mode's command history file.
 *
 * One command per line in plain text (like redis-cli's ~/.rediscli_history,
 * and unlike libedit's own encoded format), in ~/.dblite_cli_history or the
 * file named by $DBLITE_CLI_HISTFILE.  Each command is appended as soon as
 * it is entered, so a crash or a killed terminal loses nothing; the file is
 * cut back to the newest HISTORY_MAX_LINES when it is loaded.
 */
#ifndef DBLITE_CLI_HISTORY_H
#define DBLITE_CLI_HISTORY_H

#define HISTORY_MAX_LINES 1000

/* The history file's path (caller frees), or NULL when there is none:
 * no $HOME, or $DBLITE_CLI_HISTFILE set to "" or /dev/null. */
char *history_path(void);
/* Loads the file into libedit's in-memory history; a missing file is not
 * an error.  0 on success, -1 on an unreadable file or ENOMEM. */
int history_load(const char *path);
/* Adds line to the in-memory history and appends it to the file. */
int history_record(const char *path, const char *line);
/* 1 for lines that must not be stored because they carry a password
 * (AUTH, ACL SETUSER, HELLO ... AUTH, MIGRATE ... AUTH). */
int history_is_sensitive(int argc, char *const *argv);

#endif
