/*
 * module_loader.c - dlopen the modules named in the config, in order.
 *
 * A module is found as NAME.so in module-path (default: the modules folder
 * beside the binary in a build tree, else the installed module folder), or
 * at an explicit path.  Before its entry point runs, the loader checks that
 * the module exports the API version it was built for and that this server
 * provides it: read from the file before dlopen binds any symbol
 * (module_version.c), and again with dlsym once it is loaded.  Any failure
 * stops startup naming the module and the reason.
 * Modules are never unloaded while the server runs (their types may still
 * hold values); loading over the network is deliberately not offered.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "modules/module_version.h"
#include "server.h"

#ifndef DBLITE_RELATIVE_MODULE_DIR
#define DBLITE_RELATIVE_MODULE_DIR "../lib/dblite/modules"
#endif

typedef int (*module_init_fn)(dblite_module *module);

static int directory_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The modules folder: the setting, else beside the binary, else installed. */
static void default_module_path(char *buffer, size_t size)
{
    if (server.settings.module_path && server.settings.module_path[0]) {
        snprintf(buffer, size, "%s", server.settings.module_path);
        return;
    }
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof(executable) - 1);
    if (length > 0) {
        executable[length] = '\0';
        char *slash = strrchr(executable, '/');
        if (slash) {
            *slash = '\0';
            char candidate[PATH_MAX + 16];
            /* A build tree keeps modules beside the binary; an installed
             * tree that was moved keeps them at bin/../lib/dblite/modules. */
            const char *const relative[] = {"modules", DBLITE_RELATIVE_MODULE_DIR};
            for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++) {
                if (snprintf(candidate, sizeof(candidate), "%s/%s", executable, relative[i]) <
                        (int)sizeof(candidate) &&
                    directory_exists(candidate) &&
                    snprintf(buffer, size, "%s", candidate) < (int)size)
                    return;
            }
        }
    }
    snprintf(buffer, size, "%s", DBLITE_INSTALL_MODULE_DIR);
}

static void report_unsupported_version(const char *where, const char *name, int version)
{
    fprintf(stderr,
            "dblite: %s: module '%s' was built for module API version %d, but this server provides "
            "versions 1 to %d\n",
            where, name, version, DBLITE_API_VERSION);
}

static void module_free(module *m)
{
    if (!m)
        return;
    server_free(m->name);
    server_free(m->path);
    server_free(m->failure);
    server_free(m);
}

static int load_one(const module_request *request)
{
    char where[512];
    if (request->line > 0)
        snprintf(where, sizeof(where), "%s:%d", request->origin, request->line);
    else
        snprintf(where, sizeof(where), "%s", request->origin);

    const char *spec = request->name;
    char path[PATH_MAX + 64];
    char name[256];
    size_t spec_length = strlen(spec);
    int explicit_path = strchr(spec, '/') != NULL ||
                        (spec_length > 3 && strcmp(spec + spec_length - 3, ".so") == 0);
    if (explicit_path) {
        snprintf(path, sizeof(path), "%s", spec);
        const char *base = strrchr(spec, '/');
        base = base ? base + 1 : spec;
        snprintf(name, sizeof(name), "%s", base);
        char *dot = strstr(name, ".so");
        if (dot)
            *dot = '\0';
    } else {
        char directory[PATH_MAX];
        default_module_path(directory, sizeof(directory));
        snprintf(path, sizeof(path), "%s/%s.so", directory, spec);
        snprintf(name, sizeof(name), "%s", spec);
    }
    if (module_find(name)) {
        fprintf(stderr, "dblite: %s: module '%s' is loaded twice\n", where, name);
        return -1;
    }
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "dblite: %s: module '%s': file %s not found (module-path is %s)\n", where,
                name, path, explicit_path ? "not used for explicit paths" : "searched");
        return -1;
    }
    /* The version first, from the file: binding a module built for a newer
     * API would fail on the first function this server lacks. */
    int declared_version;
    if (module_file_api_version(path, &declared_version) == 0 &&
        (declared_version < 1 || declared_version > DBLITE_API_VERSION)) {
        report_unsupported_version(where, name, declared_version);
        return -1;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fprintf(stderr, "dblite: %s: module '%s': cannot load %s: %s\n", where, name, path,
                dlerror());
        return -1;
    }
    const int *version = dlsym(handle, "dblite_module_api_version");
    if (!version) {
        fprintf(stderr,
                "dblite: %s: module '%s' (%s) is not a dblite module: it does not export "
                "dblite_module_api_version (put DBLITE_MODULE_DECLARE() in its source)\n",
                where, name, path);
        dlclose(handle);
        return -1;
    }
    if (*version < 1 || *version > DBLITE_API_VERSION) {
        report_unsupported_version(where, name, *version);
        dlclose(handle);
        return -1;
    }
    module_init_fn init;
    *(void **)&init = dlsym(handle, "dblite_module_init");
    if (!init) {
        fprintf(stderr, "dblite: %s: module '%s' (%s) has no entry point dblite_module_init\n",
                where, name, path);
        dlclose(handle);
        return -1;
    }
    module *m = server_calloc(sizeof(*m));
    if (!m || !(m->name = server_strdup(name)) || !(m->path = server_strdup(path)) ||
        ARRAY_PUSH(server.modules, m) != 0) {
        fprintf(stderr, "dblite: out of memory loading module '%s'\n", name);
        module_free(m);
        dlclose(handle);
        return -1;
    }
    m->handle = handle;
    m->api_version = *version;
    int status = init(m);
    if (status != DBLITE_OK || m->failure) {
        fprintf(stderr, "dblite: %s: module '%s' failed to initialise: %s\n", where, name,
                m->failure ? m->failure : "its init returned an error without a reason");
        return -1;
    }
    if (config_apply_module_section(m) != 0)
        return -1;
    server_log(LOG_NOTICE, "Module '%s' loaded from %s", name, path);
    return 0;
}

int modules_load_from_config(void)
{
    for (size_t i = 0; i < config_module_request_count(); i++)
        if (load_one(config_module_request(i)) != 0)
            return -1;
    return config_check_leftovers();
}

module *module_find(const char *name)
{
    for (size_t i = 0; i < server.modules.length; i++)
        if (strcmp(server.modules.items[i]->name, name) == 0)
            return server.modules.items[i];
    return NULL;
}

/* Only at exit: handles stay open (types may outlive a module's code), the
 * bookkeeping is released so leak checkers see a clean shutdown. */
void modules_unload_all(void)
{
    /* Module data last to first: a module loaded later may hold pointers
     * into the data of one it was loaded after (a service), never the
     * other way round.  The keyspace is already freed (see main.c). */
    for (size_t i = server.modules.length; i-- > 0;) {
        module *m = server.modules.items[i];
        if (m->data_free)
            m->data_free(m->data);
        m->data_free = NULL;
        m->data = NULL;
    }
    for (size_t i = 0; i < server.modules.length; i++)
        module_free(server.modules.items[i]);
    free(server.modules.items);
    server.modules.items = NULL;
    server.modules.length = server.modules.capacity = 0;
    for (size_t i = 0; i < server.services.length; i++)
        server_free(server.services.items[i].name);
    free(server.services.items);
    server.services.items = NULL;
    server.services.length = 0;
    for (size_t i = 0; i < server.info_extensions.length; i++)
        server_free(server.info_extensions.items[i].section);
    free(server.info_extensions.items);
    server.info_extensions.items = NULL;
    server.info_extensions.length = 0;
    for (int k = 0; k < DBLITE_EVENT_KIND_COUNT; k++) {
        free(server.event_handlers[k].items);
        server.event_handlers[k].items = NULL;
        server.event_handlers[k].length = 0;
    }
    free(server.propagation_subscribers.items);
    server.propagation_subscribers.items = NULL;
    server.propagation_subscribers.length = 0;
    free(server.write_gates.items);
    server.write_gates.items = NULL;
    server.write_gates.length = 0;
}
