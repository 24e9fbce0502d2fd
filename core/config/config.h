/*
 * config.h - server and module settings: ini files (read with inih), the
 * command line (--name value), CONFIG GET/SET.
 */
#ifndef DBLITE_CONFIG_H
#define DBLITE_CONFIG_H

#include <stddef.h>

/* SETTING_FLAGS: words of choices (separated by spaces), stored as an int
 * with bit i-1 for choices[i]; choices[0] names the empty set ("default"). */
typedef enum {
    SETTING_INTEGER,
    SETTING_MEMORY,
    SETTING_BOOLEAN,
    SETTING_STRING,
    SETTING_ENUM,
    SETTING_FLAGS
} setting_kind;

struct dblite_module;
typedef struct setting {
    char *name; /* "port", or "strings.max-size" for a module's */
    setting_kind kind;
    void *storage; /* long long*, int* or char** */
    long long min, max;
    const char *const *choices; /* SETTING_ENUM and SETTING_FLAGS, NULL-terminated */
    int mutable;
    /* Redis's PROTECTED_CONFIG: CONFIG SET only as enable-protected-configs
     * allows (dir, dbfilename: the write-any-file attack needs them). */
    int protected_config;
    /* A plain file name inside 'dir': no '/' or '\\' (dbfilename). */
    int file_name;
    int (*apply)(const struct setting *setting, char *error, size_t error_size);
    /* A module's check of a stored value (dblite_config_check); refusing
     * restores the previous value, as a failing apply does. */
    int (*check)(const char *name, char *error, size_t error_size, void *privdata);
    void *check_privdata;
    struct dblite_module *owner;
    char *text; /* the value as text, for CONFIG GET */
    /* A module setting's second short name (dblite_config_alias), or NULL:
     * Redis's old names ("zset-max-ziplist-entries") stay usable. */
    char *alias;
} setting;

typedef struct module_request {
    char *name;
    char *origin;
    int line;
} module_request;

int config_init(void);
void config_free(void);
/* argv after the program name; sets the config file and collects overrides.
 * Returns 0, or -1 after printing an error. */
int config_load_all(int argc, char **argv);
/* Apply the [NAME] section and --NAME.key options after the module's init. */
int config_apply_module_section(struct dblite_module *module);
/* Warn about sections that matched no module. Returns -1 on a fatal leftover. */
int config_check_leftovers(void);
size_t config_module_request_count(void);
const module_request *config_module_request(size_t index);

setting *config_find(const char *name);
const char *config_short_name(const setting *s);
/* Whether name is s's alias, bare or as "module.alias". */
int config_is_alias(const setting *s, const char *name, size_t length);
size_t config_setting_count(void);
setting *config_setting_at(size_t index);
/* Parses and stores text into the setting; on failure returns -1 with a reason. */
int config_set_value(setting *s, const char *text, char *error, size_t error_size);
/* Whether CONFIG SET may change a protected setting for a client whose
 * connection is local (loopback) or not, under enable-protected-configs. */
int config_protected_allowed(int client_is_local);

#endif
