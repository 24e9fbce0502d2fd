/*
 * options.c - command-line parsing (see options.h).  Defaults match
 * redis-cli: 127.0.0.1:6379, database 0, RESP2, human output only when
 * stdout is a terminal, one --stat line a second.
 */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unrecognized(const char *option)
{
    fprintf(stderr, "Unrecognized option or bad number of args for: '%s'\n", option);
    return OPTIONS_INVALID;
}

static int parse_int(const char *text, long minimum, long maximum, int *value)
{
    char *end;
    errno = 0;
    long parsed = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed < minimum || parsed > maximum)
        return -1;
    *value = (int)parsed;
    return 0;
}

static int invalid_value(const char *option, const char *value)
{
    fprintf(stderr, "Invalid value for %s: '%s'\n", option, value);
    return OPTIONS_INVALID;
}

void options_print_usage(void)
{
    printf("Usage: " DBLITE_CLI_NAME " [OPTIONS] [cmd [arg [arg ...]]]\n"
           "  -h <hostname>      Server hostname (default: 127.0.0.1).\n"
           "  -p <port>          Server port (default: 6379).\n"
           "  -a <password>      Password to use when connecting to the server.\n"
           "                     The DBLITE_CLI_AUTH environment variable is a safer\n"
           "                     way to pass it.\n"
           "  --no-auth-warning  Don't show the warning about -a on the command line.\n"
           "  -n <db>            Database number.\n"
           "  -2                 Start session in RESP2 protocol mode.\n"
           "  -3                 Start session in RESP3 protocol mode.\n"
           "  --raw              Use raw formatting for replies (default when\n"
           "                     stdout is not a tty).\n"
           "  --no-raw           Force formatted output even when stdout is not a tty.\n"
           "  --pipe             Transfer raw RESP from stdin to the server (mass\n"
           "                     insertion), then report errors and replies.\n"
           "  --pipe-timeout <n> In --pipe mode, abort with an error if no reply arrives\n"
           "                     for <n> seconds after the data is sent (default 30,\n"
           "                     0 waits forever).\n"
           "  --stat             Print rolling stats about the server: keys, memory,\n"
           "                     clients, blocked, requests, connections.\n"
           "  -i <interval>      Seconds between --stat lines (may be fractional,\n"
           "                     default 1).\n"
           "  --help             Output this help and exit.\n"
           "  --version          Output version and exit.\n"
           "\n"
           "Without a command, commands are read from stdin: interactively (line\n"
           "editing, history in ~/.dblite_cli_history or $DBLITE_CLI_HISTFILE, tab\n"
           "completion, \"help <command>\") when stdin is a terminal, else one per line.\n"
           "\n"
           "Examples:\n"
           "  " DBLITE_CLI_NAME " -p 7000 SET greeting \"hello world\"\n"
           "  " DBLITE_CLI_NAME " -n 2 --no-raw KEYS '*'\n"
           "  cat commands.txt | " DBLITE_CLI_NAME "\n"
           "  cat data.resp | " DBLITE_CLI_NAME " --pipe\n"
           "  " DBLITE_CLI_NAME " --stat -i 0.5\n");
}

int options_parse(cli_options *options, int argc, char **argv, int stdout_is_terminal)
{
    memset(options, 0, sizeof(*options));
    options->host = "127.0.0.1";
    options->port = 6379;
    options->protocol = 2;
    options->output = stdout_is_terminal ? OUTPUT_HUMAN : OUTPUT_RAW;
    options->pipe_timeout_seconds = 30;
    options->interval_seconds = 1.0;
    options->auth_warning = 1;
    options->password = getenv("DBLITE_CLI_AUTH");

    int index = 1;
    for (; index < argc; index++) {
        const char *option = argv[index];
        int has_value = index + 1 < argc;
        const char *value = has_value ? argv[index + 1] : NULL;
        if (!strcmp(option, "-h") && has_value) {
            options->host = value;
            index++;
        } else if (!strcmp(option, "-p") && has_value) {
            if (parse_int(value, 1, 65535, &options->port) != 0)
                return invalid_value(option, value);
            index++;
        } else if ((!strcmp(option, "-a") || !strcmp(option, "--pass")) && has_value) {
            options->password = value;
            options->password_on_command_line = 1;
            index++;
        } else if (!strcmp(option, "-n") && has_value) {
            if (parse_int(value, 0, INT_MAX, &options->database) != 0)
                return invalid_value(option, value);
            index++;
        } else if (!strcmp(option, "-i") && has_value) {
            char *end;
            errno = 0;
            double seconds = strtod(value, &end);
            if (errno != 0 || end == value || *end != '\0' || !(seconds > 0) || seconds > 86400)
                return invalid_value(option, value);
            options->interval_seconds = seconds;
            index++;
        } else if (!strcmp(option, "--pipe-timeout") && has_value) {
            if (parse_int(value, 0, INT_MAX, &options->pipe_timeout_seconds) != 0)
                return invalid_value(option, value);
            index++;
        } else if (!strcmp(option, "-2")) {
            options->protocol = 2;
        } else if (!strcmp(option, "-3")) {
            options->protocol = 3;
        } else if (!strcmp(option, "--raw")) {
            options->output = OUTPUT_RAW;
        } else if (!strcmp(option, "--no-raw")) {
            options->output = OUTPUT_HUMAN;
        } else if (!strcmp(option, "--pipe")) {
            options->pipe_mode = 1;
        } else if (!strcmp(option, "--stat")) {
            options->stat_mode = 1;
        } else if (!strcmp(option, "--no-auth-warning")) {
            options->auth_warning = 0;
        } else if (!strcmp(option, "--help")) {
            options->show_help = 1;
        } else if (!strcmp(option, "-v") || !strcmp(option, "--version")) {
            options->show_version = 1;
        } else if (option[0] == '-') {
            return unrecognized(option);
        } else {
            break; /* the command starts here */
        }
    }
    options->command = argv + index;
    options->command_count = (size_t)(argc - index);
    return OPTIONS_OK;
}
