/*
 * config.c - the settings table and where values come from.
 *
 * Order of precedence, as in Redis: defaults, then the ini file, then
 * --name value on the command line.  The [server] section holds server
 * settings, [modules] lists `load = NAME` lines in load order, and every
 * other [section] belongs to the module of that name: it is applied right
 * after that module's init registered its settings, so an unknown key is
 * reported with its file and line.  inih does not pass line numbers to its
 * handler, so lines are counted in our own reader.
 */
#define _GNU_SOURCE
#include "config/config.h"

#include <ctype.h>
#include <ini.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "server.h"
#include "util/numbers.h"

typedef struct pending_entry {
    char *section;
    char *name;
    char *value;
    char *origin;
    int line;
    int used;
} pending_entry;

typedef struct config_state {
    ARRAY_OF(setting) settings;
    ARRAY_OF(pending_entry) pending;
    ARRAY_OF(module_request) modules;
    /* ini parsing */
    const char *file;
    FILE *stream;
    int line;
    int line_too_long;
    char error[512];
    int error_line; /* line of error[]: inih reports the first bad line */
} config_state;

static const char *const loglevel_choices[] = {"debug", "verbose", "notice", "warning", NULL};
static const char *const protected_configs_choices[] = {"no", "yes", "local", NULL};

/* add_setting's flags: DBLITE_CONFIG_MUTABLE, _PROTECTED and _FILE_NAME,
 * the same bits for server and module settings. */
#define SETTING_FLAG_BITS \
    (DBLITE_CONFIG_MUTABLE | DBLITE_CONFIG_PROTECTED | DBLITE_CONFIG_FILE_NAME)
/* Redis 7.0's shutdown-on-sigterm/sigint words, in its order (bits: see
 * SHUTDOWN_SETTING_* in server.h). */
static const char *const shutdown_signal_choices[] = {"default", "save",  "nosave",
                                                      "now",     "force", NULL};

static config_state *state(void)
{
    return (config_state *)server.config;
}

static int add_setting(const char *name, setting_kind kind, void *storage, long long min,
                       long long max, const char *const *choices, int flags,
                       const char *default_text, module *owner)
{
    setting s = {0};
    s.name = strdup(name);
    s.kind = kind;
    s.storage = storage;
    s.min = min;
    s.max = max;
    s.choices = choices;
    s.mutable = (flags & DBLITE_CONFIG_MUTABLE) != 0;
    s.protected_config = (flags & DBLITE_CONFIG_PROTECTED) != 0;
    s.file_name = (flags & DBLITE_CONFIG_FILE_NAME) != 0;
    s.owner = owner;
    if (!s.name || ARRAY_PUSH(state()->settings, s) != 0) {
        free(s.name);
        return DBLITE_ERR_NOMEM;
    }
    char error[256];
    setting *added = &state()->settings.items[state()->settings.length - 1];
    if (config_set_value(added, default_text, error, sizeof(error)) != 0) {
        server_log(LOG_WARNING, "bad default for %s: %s", name, error);
        return DBLITE_ERR_INVALID;
    }
    return DBLITE_OK;
}

static int apply_maxclients(const setting *s, char *error, size_t size)
{
    (void)s;
    /* At startup main() fits maxclients to the descriptor limit itself. */
    if (server.loop && descriptor_limit_fit_runtime(server.settings.maxclients, error, size) != 0)
        return -1;
    if (server.loop && event_loop_resize(server.loop, (int)server.settings.maxclients + 128) != 0) {
        snprintf(error, size, "cannot grow the event loop to %lld clients",
                 server.settings.maxclients);
        return -1;
    }
    return 0;
}

/* Redis 7.0 accepts any hz from 0 to INT_MAX and runs at 1..500: the
 * clamped value is what CONFIG GET and INFO then show. */
static int apply_hz(const setting *s, char *error, size_t size)
{
    (void)error;
    (void)size;
    long long *hz = s->storage;
    if (*hz < 1)
        *hz = 1;
    if (*hz > 500)
        *hz = 500;
    return 0;
}

/* CONFIG SET dir: Redis changes the working directory at once, so a
 * missing or unusable directory is refused with the system's reason, and
 * CONFIG GET answers the absolute path.  At startup main() changes
 * directory once the modules are loaded (a relative module-path must still
 * resolve from where the server was started). */
static int apply_dir(const setting *s, char *error, size_t size)
{
    char **dir = s->storage;
    if (!server.loop || !*dir || !(*dir)[0])
        return 0;
    if (chdir(*dir) != 0) {
        snprintf(error, size, "%s", strerror(errno));
        return -1;
    }
    char *absolute = getcwd(NULL, 0);
    char *copy = absolute ? server_strdup(absolute) : NULL;
    free(absolute);
    if (copy) {
        server_free(*dir);
        *dir = copy;
    }
    return 0;
}

int config_protected_allowed(int client_is_local)
{
    switch (server.settings.enable_protected_configs) {
        case PROTECTED_CONFIGS_YES:
            return 1;
        case PROTECTED_CONFIGS_LOCAL:
            return client_is_local;
        default:
            return 0;
    }
}

static int apply_shutdown_on_signal(const setting *s, char *error, size_t size)
{
    int flags = *(int *)s->storage;
    if ((flags & SHUTDOWN_SETTING_SAVE) && (flags & SHUTDOWN_SETTING_NOSAVE)) {
        snprintf(error, size, "shutdown options SAVE and NOSAVE can't be used simultaneously");
        return -1;
    }
    return 0;
}

/* notify-keyspace-events: Redis's class letters, shown as Redis's
 * canonical string (CONFIG SET KEA answers AKE to CONFIG GET). */
static int apply_notify_keyspace_events(const setting *s, char *error, size_t size)
{
    char **text = s->storage;
    int flags = keyspace_events_parse(*text ? *text : "");
    if (flags < 0) {
        snprintf(error, size, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        return -1;
    }
    char canonical[32];
    keyspace_events_format(flags, canonical, sizeof(canonical));
    if (!*text || strcmp(*text, canonical) != 0) {
        char *copy = server_strdup(canonical);
        if (!copy) {
            snprintf(error, size, "out of memory");
            return -1;
        }
        server_free(*text);
        *text = copy;
    }
    server.settings.notify_keyspace_events = flags;
    return 0;
}

/* "save force" -> bits; -1 when a word is not a choice. */
static int parse_flags(const char *const *choices, const char *text)
{
    int flags = 0, words = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t length = strcspn(p, " ");
        int found = -1;
        for (int i = 0; choices[i]; i++)
            if (strlen(choices[i]) == length && strncasecmp(choices[i], p, length) == 0)
                found = i;
        if (found < 0)
            return -1;
        if (found > 0)
            flags |= 1 << (found - 1);
        words++;
        p += length;
    }
    return words ? flags : -1;
}

/* Bits back to words in choices' order, as CONFIG GET shows them. */
static char *format_flags(const char *const *choices, int flags)
{
    if (flags == 0)
        return strdup(choices[0]);
    char text[256] = "";
    size_t used = 0;
    for (int i = 1; choices[i] && used < sizeof(text); i++)
        if (flags & (1 << (i - 1)))
            used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", used ? " " : "",
                                     choices[i]);
    return strdup(text);
}

int config_init(void)
{
    server.config = calloc(1, sizeof(config_state));
    if (!server.config)
        return DBLITE_ERR_NOMEM;
    server_settings *st = &server.settings;
    int status = 0;
    status |= add_setting("bind", SETTING_STRING, &st->bind, 0, 0, NULL, 0, "127.0.0.1", NULL);
    status |= add_setting("port", SETTING_INTEGER, &st->port, 0, 65535, NULL, 0, "6379", NULL);
    status |= add_setting("tcp-backlog", SETTING_INTEGER, &st->tcp_backlog, 0, 65535, NULL, 0,
                          "511", NULL);
    status |=
        add_setting("databases", SETTING_INTEGER, &st->databases, 1, 100000, NULL, 0, "16", NULL);
    status |= add_setting("maxclients", SETTING_INTEGER, &st->maxclients, 1, 1000000, NULL, 1,
                          "10000", NULL);
    status |=
        add_setting("timeout", SETTING_INTEGER, &st->timeout, 0, 1000000000, NULL, 1, "0", NULL);
    status |= add_setting("dir", SETTING_STRING, &st->dir, 0, 0, NULL,
                          DBLITE_CONFIG_MUTABLE | DBLITE_CONFIG_PROTECTED, ".", NULL);
    status |= add_setting("module-path", SETTING_STRING, &st->module_path, 0, 0, NULL, 0, "", NULL);
    status |= add_setting("logfile", SETTING_STRING, &st->logfile, 0, 0, NULL, 0, "", NULL);
    status |= add_setting("loglevel", SETTING_ENUM, &st->log_level, 0, 0, loglevel_choices, 1,
                          "notice", NULL);
    status |= add_setting("requirepass", SETTING_STRING, &st->requirepass, 0, 0, NULL, 1, "", NULL);
    status |= add_setting("proto-max-bulk-len", SETTING_MEMORY, &st->proto_max_bulk_len,
                          1024 * 1024, LLONG_MAX, NULL, 1, "512mb", NULL);
    status |=
        add_setting("client-query-buffer-limit", SETTING_MEMORY, &st->client_query_buffer_limit,
                    1024 * 1024, LLONG_MAX, NULL, 1, "1gb", NULL);
    status |= add_setting("client-output-buffer-limit", SETTING_STRING,
                          &st->client_output_buffer_limit, 0, 0, NULL, 1, "", NULL);
    status |= add_setting("tracking-table-max-keys", SETTING_INTEGER, &st->tracking_table_max_keys,
                          0, LONG_MAX, NULL, 1, "1000000", NULL);
    status |= add_setting("pidfile", SETTING_STRING, &st->pidfile, 0, 0, NULL, 0, "", NULL);
    status |= add_setting("hz", SETTING_INTEGER, &st->hz, 0, INT_MAX, NULL, 1, "10", NULL);
    status |= add_setting("enable-protected-configs", SETTING_ENUM, &st->enable_protected_configs,
                          0, 0, protected_configs_choices, 0, "no", NULL);
    status |= add_setting("protected-mode", SETTING_BOOLEAN, &st->protected_mode, 0, 1, NULL, 1,
                          "yes", NULL);
    status |= add_setting("shutdown-on-sigterm", SETTING_FLAGS, &st->shutdown_on_sigterm, 0, 0,
                          shutdown_signal_choices, 1, "default", NULL);
    status |= add_setting("shutdown-on-sigint", SETTING_FLAGS, &st->shutdown_on_sigint, 0, 0,
                          shutdown_signal_choices, 1, "default", NULL);
    status |= add_setting("notify-keyspace-events", SETTING_STRING,
                          &st->notify_keyspace_events_text, 0, 0, NULL, 1, "", NULL);
    /* Not a setting in Redis either: it accepts any count up to INT_MAX. */
    st->multibulk_max_count = INT_MAX;
    if (status)
        return DBLITE_ERR_NOMEM;
    config_find("maxclients")->apply = apply_maxclients;
    config_find("hz")->apply = apply_hz;
    config_find("dir")->apply = apply_dir;
    config_find("shutdown-on-sigterm")->apply = apply_shutdown_on_signal;
    config_find("shutdown-on-sigint")->apply = apply_shutdown_on_signal;
    config_find("notify-keyspace-events")->apply = apply_notify_keyspace_events;
    /* Its default goes through the parser, now that it has one. */
    setting *output_limit = config_find("client-output-buffer-limit");
    output_limit->apply = output_limits_apply;
    char error[256];
    if (config_set_value(output_limit,
                         "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                         error, sizeof(error)) != 0)
        return DBLITE_ERR_NOMEM;
    return DBLITE_OK;
}

void config_free(void)
{
    config_state *cs = state();
    if (!cs)
        return;
    for (size_t i = 0; i < cs->settings.length; i++) {
        setting *s = &cs->settings.items[i];
        /* A module's storage may be gone by now: it frees its last string
         * values itself on the shutdown event. */
        if (s->kind == SETTING_STRING && !s->owner) {
            server_free(*(char **)s->storage);
            *(char **)s->storage = NULL;
        }
        free(s->name);
        free(s->text);
        free(s->alias);
    }
    for (size_t i = 0; i < cs->pending.length; i++) {
        free(cs->pending.items[i].section);
        free(cs->pending.items[i].name);
        free(cs->pending.items[i].value);
        free(cs->pending.items[i].origin);
    }
    for (size_t i = 0; i < cs->modules.length; i++) {
        free(cs->modules.items[i].name);
        free(cs->modules.items[i].origin);
    }
    free(cs->settings.items);
    free(cs->pending.items);
    free(cs->modules.items);
    free(cs);
    server.config = NULL;
}

/* The part of a module setting's name after "module.": Redis tools ask for
 * "save" or "appendonly", which here belong to the persistence module. */
const char *config_short_name(const setting *s)
{
    const char *dot = s->owner ? strchr(s->name, '.') : NULL;
    return dot ? dot + 1 : s->name;
}

int config_is_alias(const setting *s, const char *name, size_t length)
{
    if (!s->alias)
        return 0;
    size_t alias_length = strlen(s->alias);
    if (length == alias_length && strncasecmp(name, s->alias, length) == 0)
        return 1;
    size_t prefix = (size_t)(config_short_name(s) - s->name); /* "module." */
    return length == prefix + alias_length && strncasecmp(name, s->name, prefix) == 0 &&
           strncasecmp(name + prefix, s->alias, alias_length) == 0;
}

setting *config_find(const char *name)
{
    config_state *cs = state();
    size_t length = strlen(name);
    for (size_t i = 0; i < cs->settings.length; i++)
        if (strcasecmp(cs->settings.items[i].name, name) == 0)
            return &cs->settings.items[i];
    /* A module setting by its short name or an alias, when exactly one
     * module has it. */
    setting *found = NULL;
    for (size_t i = 0; i < cs->settings.length; i++) {
        setting *s = &cs->settings.items[i];
        if (!s->owner ||
            (strcasecmp(config_short_name(s), name) != 0 && !config_is_alias(s, name, length)))
            continue;
        if (found)
            return NULL;
        found = s;
    }
    return found;
}

size_t config_setting_count(void)
{
    return state()->settings.length;
}
setting *config_setting_at(size_t index)
{
    return &state()->settings.items[index];
}

static int parse_boolean(const char *text, int *value)
{
    if (strcasecmp(text, "yes") == 0 || strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0)
        *value = 1;
    else if (strcasecmp(text, "no") == 0 || strcasecmp(text, "false") == 0 ||
             strcmp(text, "0") == 0)
        *value = 0;
    else
        return -1;
    return 0;
}

int config_set_value(setting *s, const char *text, char *error, size_t error_size)
{
    char *new_text = strdup(text);
    if (!new_text) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    long long number = 0;
    int flag = 0, old_int = 0;
    long long old_number = 0;
    char *old_string = NULL;
    switch (s->kind) {
        case SETTING_INTEGER:
        case SETTING_MEMORY: {
            int ok = s->kind == SETTING_MEMORY ? parse_memory_size(text, &number)
                                               : parse_long_long(text, strlen(text), &number);
            if (!ok) {
                snprintf(error, error_size, "argument couldn't be parsed into an integer");
                free(new_text);
                return -1;
            }
            if (number < s->min || number > s->max) {
                snprintf(error, error_size, "argument must be between %lld and %lld inclusive",
                         s->min, s->max);
                free(new_text);
                return -1;
            }
            old_number = *(long long *)s->storage;
            *(long long *)s->storage = number;
            if (s->apply && s->apply(s, error, error_size) != 0) {
                *(long long *)s->storage = old_number;
                free(new_text);
                return -1;
            }
            /* CONFIG GET shows sizes in bytes, as Redis does, and a value the
         * hook clamped (hz) as it is in force. */
            if (s->kind == SETTING_MEMORY || *(long long *)s->storage != number) {
                char shown[32];
                snprintf(shown, sizeof(shown), "%lld", *(long long *)s->storage);
                char *normalized = strdup(shown);
                if (!normalized) {
                    *(long long *)s->storage = old_number;
                    free(new_text);
                    snprintf(error, error_size, "out of memory");
                    return -1;
                }
                free(new_text);
                new_text = normalized;
            }
            break;
        }
        case SETTING_BOOLEAN:
            if (parse_boolean(text, &flag) != 0) {
                snprintf(error, error_size, "argument must be 'yes' or 'no'");
                free(new_text);
                return -1;
            }
            old_int = *(int *)s->storage;
            *(int *)s->storage = flag;
            break;
        case SETTING_ENUM: {
            int index = -1;
            for (int i = 0; s->choices[i]; i++)
                if (strcasecmp(s->choices[i], text) == 0)
                    index = i;
            if (index < 0) {
                size_t used = (size_t)snprintf(error, error_size,
                                               "argument(s) must be one of the following:");
                for (int i = 0; s->choices[i] && used < error_size; i++)
                    used += (size_t)snprintf(error + used, error_size - used, " %s", s->choices[i]);
                free(new_text);
                return -1;
            }
            old_int = *(int *)s->storage;
            *(int *)s->storage = index;
            free(new_text);
            new_text = strdup(s->choices[index]);
            if (!new_text)
                return -1;
            break;
        }
        case SETTING_FLAGS: {
            int flags = parse_flags(s->choices, text);
            if (flags < 0) {
                size_t used = (size_t)snprintf(error, error_size,
                                               "argument(s) must be one of the following:");
                for (int i = 0; s->choices[i] && used < error_size; i++)
                    used += (size_t)snprintf(error + used, error_size - used, "%s %s", i ? "," : "",
                                             s->choices[i]);
                free(new_text);
                return -1;
            }
            free(new_text);
            new_text = format_flags(s->choices, flags);
            if (!new_text) {
                snprintf(error, error_size, "out of memory");
                return -1;
            }
            old_int = *(int *)s->storage;
            *(int *)s->storage = flags;
            break;
        }
        case SETTING_STRING: {
            if (s->file_name && strpbrk(text, "/\\") != NULL) {
                snprintf(error, error_size, "%s can't be a path, just a filename",
                         config_short_name(s));
                free(new_text);
                return -1;
            }
            char *copy = server_strdup(text);
            if (!copy) {
                free(new_text);
                snprintf(error, error_size, "out of memory");
                return -1;
            }
            old_string = *(char **)s->storage; /* freed once the value is kept */
            *(char **)s->storage = copy;
            break;
        }
    }
    /* Integers ran their apply hook above (it may clamp them); the other
     * kinds run it now, then a module's check may still refuse the value,
     * which leaves the old one in force. */
    int refused = s->apply && s->kind != SETTING_INTEGER && s->kind != SETTING_MEMORY &&
                  s->apply(s, error, error_size) != 0;
    if (!refused && s->check) {
        error[0] = '\0';
        refused = s->check(config_short_name(s), error, error_size, s->check_privdata) != DBLITE_OK;
        if (refused && !error[0])
            snprintf(error, error_size, "the module refused the value");
    }
    if (refused) {
        if (s->kind == SETTING_STRING) {
            server_free(*(char **)s->storage);
            *(char **)s->storage = old_string;
        } else if (s->kind == SETTING_INTEGER || s->kind == SETTING_MEMORY) {
            /* refused after a successful apply: apply the old value again */
            *(long long *)s->storage = old_number;
            char apply_error[64];
            if (s->apply)
                s->apply(s, apply_error, sizeof(apply_error));
        } else {
            *(int *)s->storage = old_int;
        }
        free(new_text);
        return -1;
    }
    server_free(old_string);
    /* apply may have normalised a string (dir becomes absolute). */
    if (s->kind == SETTING_STRING && strcmp(*(char **)s->storage, new_text) != 0) {
        char *normalized = strdup(*(char **)s->storage);
        if (normalized) {
            free(new_text);
            new_text = normalized;
        }
    }
    free(s->text);
    s->text = new_text;
    return 0;
}

/* ---- ini reading ---- */

static char *read_counted_line(char *buffer, int size, void *stream)
{
    config_state *cs = stream;
    if (!fgets(buffer, size, cs->stream))
        return NULL;
    cs->line++;
    size_t length = strlen(buffer);
    if (length == (size_t)size - 1 && buffer[length - 1] != '\n' && !feof(cs->stream)) {
        /* Longer than inih accepts: swallow the rest and report it. */
        int ch;
        while ((ch = fgetc(cs->stream)) != EOF && ch != '\n') {
        }
        if (!cs->line_too_long)
            cs->line_too_long = cs->line;
        buffer[0] = '\0';
    }
    return buffer;
}

static char *unquote(const char *value)
{
    size_t length = strlen(value);
    if (length >= 2 && ((value[0] == '"' && value[length - 1] == '"') ||
                        (value[0] == '\'' && value[length - 1] == '\'')))
        return strndup(value + 1, length - 2);
    return strdup(value);
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    config_state *cs = user;
    if (cs->error[0])
        return 0; /* keep the first error's message */
    char *text = unquote(value);
    if (!text)
        return 0;
    int ok = 1;
    if (strcasecmp(section, "server") == 0) {
        setting *s = config_find(name);
        char reason[256];
        if (!s || s->owner) {
            snprintf(cs->error, sizeof(cs->error), "%s:%d: unknown key '%s' in section [server]",
                     cs->file, cs->line, name);
            ok = 0;
        } else if (config_set_value(s, text, reason, sizeof(reason)) != 0) {
            snprintf(cs->error, sizeof(cs->error), "%s:%d: bad value '%s' for '%s': %s", cs->file,
                     cs->line, text, name, reason);
            ok = 0;
        }
    } else if (strcasecmp(section, "modules") == 0) {
        if (strcasecmp(name, "load") != 0) {
            snprintf(cs->error, sizeof(cs->error),
                     "%s:%d: unknown key '%s' in section [modules] (expected 'load = NAME')",
                     cs->file, cs->line, name);
            ok = 0;
        } else {
            module_request request = {strdup(text), strdup(cs->file), cs->line};
            if (!request.name || !request.origin || ARRAY_PUSH(cs->modules, request) != 0)
                ok = 0;
        }
    } else if (section[0] == '\0') {
        snprintf(cs->error, sizeof(cs->error), "%s:%d: key '%s' outside any section", cs->file,
                 cs->line, name);
        ok = 0;
    } else {
        pending_entry entry = {strdup(section),  strdup(name), strdup(text),
                               strdup(cs->file), cs->line,     0};
        if (!entry.section || !entry.name || !entry.value || !entry.origin ||
            ARRAY_PUSH(cs->pending, entry) != 0)
            ok = 0;
    }
    free(text);
    if (!ok && cs->error[0] == '\0')
        snprintf(cs->error, sizeof(cs->error), "%s:%d: out of memory", cs->file, cs->line);
    if (!ok)
        cs->error_line = cs->line;
    return ok;
}

static int config_load_file(const char *path)
{
    config_state *cs = state();
    cs->stream = fopen(path, "r");
    if (!cs->stream) {
        fprintf(stderr, "dblite: cannot open config file '%s': %m\n", path);
        return -1;
    }
    cs->file = path;
    cs->line = 0;
    cs->error[0] = '\0';
    cs->error_line = 0;
    int result = ini_parse_stream(read_counted_line, cs, config_ini_handler, cs);
    fclose(cs->stream);
    cs->stream = NULL;
    if (cs->line_too_long && (result == 0 || cs->line_too_long <= result)) {
        fprintf(stderr, "dblite: %s:%d: line too long (the ini reader accepts %d bytes per line)\n",
                path, cs->line_too_long, INI_MAX_LINE - 1);
        return -1;
    }
    if (result != 0) {
        if (cs->error[0] && cs->error_line == result)
            fprintf(stderr, "dblite: %s\n", cs->error);
        else if (result > 0)
            fprintf(stderr, "dblite: %s:%d: syntax error (expected [section] or name = value)\n",
                    path, result);
        else
            fprintf(stderr, "dblite: %s: cannot read the file\n", path);
        return -1;
    }
    return 0;
}

int config_load_all(int argc, char **argv)
{
    config_state *cs = state();
    int index = 0;
    if (index < argc && strncmp(argv[index], "--", 2) != 0) {
        server.config_file = strdup(argv[index]);
        if (config_load_file(argv[index]) != 0)
            return -1;
        index++;
    }
    while (index < argc) {
        if (strncmp(argv[index], "--", 2) != 0 || argv[index][2] == '\0') {
            fprintf(
                stderr,
                "dblite: unexpected argument '%s' (usage: dblite-server [CONFIG.ini] [--name value ...])\n",
                argv[index]);
            return -1;
        }
        const char *name = argv[index] + 2;
        index++;
        /* Like redis-server, a value runs until the next --option. */
        char value[4096] = "";
        size_t used = 0;
        while (index < argc && strncmp(argv[index], "--", 2) != 0) {
            used += (size_t)snprintf(value + used, used < sizeof(value) ? sizeof(value) - used : 0,
                                     "%s%s", used ? " " : "", argv[index]);
            index++;
            if (used >= sizeof(value)) {
                fprintf(stderr, "dblite: value of --%s is too long\n", name);
                return -1;
            }
        }
        const char *dot = strchr(name, '.');
        if (strcmp(name, "load-module") == 0) {
            module_request request = {strdup(value), strdup("command line"), 0};
            if (!request.name || !request.origin || ARRAY_PUSH(cs->modules, request) != 0)
                return -1;
        } else if (dot) {
            pending_entry entry = {strndup(name, (size_t)(dot - name)),
                                   strdup(dot + 1),
                                   strdup(value),
                                   strdup("command line"),
                                   0,
                                   0};
            if (!entry.section || !entry.name || !entry.value || !entry.origin ||
                ARRAY_PUSH(cs->pending, entry) != 0)
                return -1;
        } else {
            setting *s = config_find(name);
            char reason[256];
            if (!s) {
                fprintf(stderr, "dblite: command line: unknown option '--%s'\n", name);
                return -1;
            }
            if (config_set_value(s, value, reason, sizeof(reason)) != 0) {
                fprintf(stderr, "dblite: command line: bad value '%s' for '--%s': %s\n", value,
                        name, reason);
                return -1;
            }
        }
    }
    return 0;
}

size_t config_module_request_count(void)
{
    return state()->modules.length;
}
const module_request *config_module_request(size_t index)
{
    return &state()->modules.items[index];
}

static void describe_origin(const pending_entry *entry, char *buffer, size_t size)
{
    if (entry->line > 0)
        snprintf(buffer, size, "%s:%d", entry->origin, entry->line);
    else
        snprintf(buffer, size, "%s", entry->origin);
}

int config_apply_module_section(module *m)
{
    config_state *cs = state();
    for (size_t i = 0; i < cs->pending.length; i++) {
        pending_entry *entry = &cs->pending.items[i];
        if (strcasecmp(entry->section, m->name) != 0)
            continue;
        entry->used = 1;
        char origin[512], full[256], reason[256];
        describe_origin(entry, origin, sizeof(origin));
        snprintf(full, sizeof(full), "%s.%s", m->name, entry->name);
        setting *s = config_find(full);
        if (!s) {
            fprintf(
                stderr,
                "dblite: %s: unknown key '%s' in section [%s] (module '%s' has no such setting)\n",
                origin, entry->name, entry->section, m->name);
            return -1;
        }
        if (config_set_value(s, entry->value, reason, sizeof(reason)) != 0) {
            fprintf(stderr, "dblite: %s: bad value '%s' for '%s': %s\n", origin, entry->value, full,
                    reason);
            return -1;
        }
    }
    return 0;
}

int config_check_leftovers(void)
{
    config_state *cs = state();
    for (size_t i = 0; i < cs->pending.length; i++) {
        pending_entry *entry = &cs->pending.items[i];
        if (entry->used)
            continue;
        char origin[512];
        describe_origin(entry, origin, sizeof(origin));
        if (entry->line == 0) {
            fprintf(stderr, "dblite: %s: '--%s.%s' names no loaded module\n", origin,
                    entry->section, entry->name);
            return -1;
        }
        /* A section left behind by a module that was taken out of [modules]
         * is harmless: warn, so removing a module stays a one-line change. */
        server_log(LOG_WARNING, "%s: section [%s] matches no loaded module; ignored", origin,
                   entry->section);
        entry->used = 1;
    }
    return 0;
}

/* ---- the public registration API ---- */

static int module_setting(module *m, const char *name, setting_kind kind, void *storage,
                          long long min, long long max, const char *const *choices, int flags,
                          const char *default_text)
{
    char full[256];
    if (!name || !name[0] || strchr(name, '.') ||
        strlen(name) + strlen(m->name) + 2 > sizeof(full)) {
        dblite_module_fail(m, "bad setting name '%s'", name ? name : "");
        return DBLITE_ERR_INVALID;
    }
    if (snprintf(full, sizeof(full), "%s.%s", m->name, name) >= (int)sizeof(full))
        return DBLITE_ERR_INVALID;
    if (config_find(full)) {
        dblite_module_fail(m, "setting '%s' registered twice", full);
        return DBLITE_ERR_EXISTS;
    }
    int status = add_setting(full, kind, storage, min, max, choices, flags & SETTING_FLAG_BITS,
                             default_text, m);
    if (status != DBLITE_OK)
        dblite_module_fail(m, "cannot register setting '%s' with default '%s'", full, default_text);
    return status;
}

int dblite_config_integer(dblite_module *module, const char *name, long long *storage,
                          long long default_value, long long min, long long max, int flags)
{
    char text[32];
    snprintf(text, sizeof(text), "%lld", default_value);
    return module_setting(module, name, SETTING_INTEGER, storage, min, max, NULL, flags, text);
}

int dblite_config_boolean(dblite_module *module, const char *name, int *storage, int default_value,
                          int flags)
{
    return module_setting(module, name, SETTING_BOOLEAN, storage, 0, 1, NULL, flags,
                          default_value ? "yes" : "no");
}

int dblite_config_string(dblite_module *module, const char *name, char **storage,
                         const char *default_value, int flags)
{
    *storage = NULL;
    return module_setting(module, name, SETTING_STRING, storage, 0, 0, NULL, flags,
                          default_value ? default_value : "");
}

int dblite_config_enum(dblite_module *module, const char *name, int *storage,
                       const char *const *choices, int default_index, int flags)
{
    if (!choices || default_index < 0)
        return DBLITE_ERR_INVALID;
    for (int i = 0; i <= default_index; i++)
        if (!choices[i])
            return DBLITE_ERR_INVALID;
    return module_setting(module, name, SETTING_ENUM, storage, 0, 0, choices, flags,
                          choices[default_index]);
}

int dblite_config_check(dblite_module *module, const char *name, dblite_config_check_fn fn,
                        void *privdata)
{
    char full[256];
    if (!module || !name || !fn)
        return DBLITE_ERR_INVALID;
    if (snprintf(full, sizeof(full), "%s.%s", module->name, name) >= (int)sizeof(full))
        return DBLITE_ERR_INVALID;
    setting *s = config_find(full);
    if (!s || s->owner != module)
        return DBLITE_ERR_NOTFOUND;
    if (s->check)
        return DBLITE_ERR_INVALID;
    s->check = fn;
    s->check_privdata = privdata;
    return DBLITE_OK;
}

int dblite_config_alias(dblite_module *module, const char *name, const char *alias)
{
    char full[256];
    if (!module || !name || !alias || !alias[0] || strchr(alias, '.'))
        return DBLITE_ERR_INVALID;
    if (snprintf(full, sizeof(full), "%s.%s", module->name, name) >= (int)sizeof(full))
        return DBLITE_ERR_INVALID;
    setting *s = config_find(full);
    if (!s || s->owner != module)
        return DBLITE_ERR_NOTFOUND;
    if (s->alias || config_find(alias))
        return DBLITE_ERR_EXISTS;
    s->alias = strdup(alias);
    return s->alias ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

const char *dblite_config_server_value(const char *name)
{
    setting *s = config_find(name);
    return s ? s->text : NULL;
}

/* The typed getters share one lookup: the setting of that kind, or why not. */
static int typed_server_setting(const char *name, setting_kind kind, const setting **found)
{
    const setting *s = name ? config_find(name) : NULL;
    if (!s)
        return DBLITE_ERR_NOTFOUND;
    if (s->kind != kind)
        return DBLITE_ERR_INVALID;
    *found = s;
    return DBLITE_OK;
}

int dblite_config_server_integer(const char *name, long long *value)
{
    const setting *s;
    int status = typed_server_setting(name, SETTING_INTEGER, &s);
    if (status == DBLITE_OK)
        *value = *(const long long *)s->storage;
    return status;
}

int dblite_config_server_memory(const char *name, long long *bytes)
{
    const setting *s;
    int status = typed_server_setting(name, SETTING_MEMORY, &s);
    if (status == DBLITE_OK)
        *bytes = *(const long long *)s->storage;
    return status;
}

int dblite_config_server_boolean(const char *name, int *value)
{
    const setting *s;
    int status = typed_server_setting(name, SETTING_BOOLEAN, &s);
    if (status == DBLITE_OK)
        *value = *(const int *)s->storage != 0;
    return status;
}
