/*
 * options.h - dblite-cli's command line, parsed the way redis-cli parses
 * its own: options come first, the first word that is not an option starts
 * the command, and an unknown option or one missing its value stops the
 * program with "Unrecognized option or bad number of args for: '-x'".
 *
 *   dblite-cli [-h host] [-p port] [-a password] [-n db] [-2|-3]
 *              [--raw|--no-raw] [--pipe] [--pipe-timeout n] [--stat]
 *              [-i interval] [--no-auth-warning] [--help] [--version]
 *              [CMD ARGS...]
 */
#ifndef DBLITE_CLI_OPTIONS_H
#define DBLITE_CLI_OPTIONS_H

#include <stddef.h>

#define DBLITE_CLI_NAME "dblite-cli"

typedef enum output_format {
    OUTPUT_HUMAN, /* redis-cli's "standard" form: for terminals, --no-raw */
    OUTPUT_RAW    /* --raw, or stdout is not a terminal */
} output_format;

typedef struct cli_options {
    const char *host;
    int port;
    const char *password;         /* NULL: no AUTH */
    int password_on_command_line; /* -a given: worth the safety warning */
    int database;                 /* -n */
    int protocol;                 /* 2 or 3 (-3) */
    output_format output;
    int pipe_mode;            /* --pipe */
    int pipe_timeout_seconds; /* --pipe-timeout, 0 = wait forever */
    int stat_mode;            /* --stat */
    double interval_seconds;  /* -i, for --stat */
    int auth_warning;         /* warn about -a on the command line */
    int show_help;
    int show_version;
    /* The command words after the options (argv positions, not copies). */
    char **command;
    size_t command_count;
} cli_options;

enum { OPTIONS_OK = 0, OPTIONS_INVALID = 1 };

/* Fills options from argv; stdout_is_terminal picks the default output
 * form.  On OPTIONS_INVALID the message has been printed to stderr. */
int options_parse(cli_options *options, int argc, char **argv, int stdout_is_terminal);
void options_print_usage(void);

#endif
