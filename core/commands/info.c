/*
 * info.c - INFO's text: "# Section" headers and "key:value" lines as Redis
 * writes them, for the core's sections and those modules add or extend;
 * and single figures by their INFO name for modules that report statistics
 * in their own shape (dblite_server_statistic).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "server.h"

struct dblite_info {
    char *text;
    size_t length, capacity;
    int failed;
};

static void info_append(dblite_info *info, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void info_append(dblite_info *info, const char *format, ...)
{
    if (info->failed)
        return;
    for (;;) {
        va_list args;
        va_start(args, format);
        size_t room = info->capacity - info->length;
        int written = vsnprintf(info->text + info->length, room, format, args);
        va_end(args);
        if (written < 0) {
            info->failed = 1;
            return;
        }
        if ((size_t)written < room) {
            info->length += (size_t)written;
            return;
        }
        size_t capacity = info->capacity * 2 + (size_t)written;
        char *grown = server_realloc(info->text, capacity);
        if (!grown) {
            info->failed = 1;
            return;
        }
        info->text = grown;
        info->capacity = capacity;
    }
}

void dblite_info_field(dblite_info *info, const char *name, const char *format, ...)
{
    char value[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(value, sizeof(value), format, args);
    va_end(args);
    info_append(info, "%s:%s\r\n", name, value);
}

int dblite_server_statistic(dblite_ctx *ctx, const char *name, long long *value)
{
    if (strcmp(name, "keys") == 0) {
        fire_event(ctx, DBLITE_EVENT_BEFORE_COUNT, ctx->db->id, NULL, 0, -1, NULL, 0);
        *value = database_live_keys(ctx->db);
    } else if (strcmp(name, "connected_clients") == 0) {
        *value = server.client_count;
    } else if (strcmp(name, "total_connections_received") == 0) {
        *value = server.stats.connections_received;
    } else if (strcmp(name, "total_commands_processed") == 0) {
        *value = server.stats.commands_processed;
    } else if (strcmp(name, "total_error_replies") == 0) {
        *value = server.stats.command_errors;
    } else {
        return DBLITE_ERR_NOTFOUND;
    }
    return DBLITE_OK;
}

static void extensions_for(dblite_info *info, const char *section)
{
    for (size_t i = 0; i < server.info_extensions.length; i++) {
        info_extension *e = &server.info_extensions.items[i];
        if (strcasecmp(e->section, section) == 0)
            e->fn(info, e->privdata);
    }
}

static void section_server(dblite_info *info)
{
    struct utsname name;
    uname(&name);
    long long uptime = (monotonic_us() - server.start_monotonic_us) / 1000000;
    info_append(
        info,
        "redis_version:%s\r\ndblite_version:%s\r\nredis_mode:standalone\r\nos:%s %s %s\r\n"
        "arch_bits:%d\r\nmultiplexing_api:epoll\r\nprocess_id:%d\r\nrun_id:%s\r\ntcp_port:%lld\r\n"
        "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:%lld\r\n"
        "executable:%s\r\nconfig_file:%s\r\n",
        DBLITE_REDIS_COMPAT_VERSION, DBLITE_VERSION, name.sysname, name.release, name.machine,
        (int)(sizeof(void *) * 8), (int)getpid(), server.run_id, server.settings.port,
        wall_clock_ms() * 1000, uptime, uptime / 86400, server.settings.hz,
        server.executable ? server.executable : "", server.config_file ? server.config_file : "");
}

static void section_clients(dblite_info *info)
{
    info_append(info,
                "connected_clients:%lld\r\nmaxclients:%lld\r\nblocked_clients:%lld\r\n"
                "tracking_clients:%lld\r\n",
                server.client_count, server.settings.maxclients, blocked_client_count(),
                tracking_clients_count());
}

static size_t resident_memory(void)
{
    FILE *file = fopen("/proc/self/statm", "r");
    if (!file)
        return 0;
    unsigned long pages = 0, resident = 0;
    int matched = fscanf(file, "%lu %lu", &pages, &resident);
    fclose(file);
    return matched == 2 ? resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static void human_bytes(char *buffer, size_t size, double bytes)
{
    const char *units = "BKMGTP";
    int unit = 0;
    while (bytes >= 1024 && unit < 5) {
        bytes /= 1024;
        unit++;
    }
    if (unit == 0)
        snprintf(buffer, size, "%.0fB", bytes);
    else
        snprintf(buffer, size, "%.2f%c", bytes, units[unit]);
}

static void section_memory(dblite_info *info)
{
    char used_human[32], rss_human[32];
    size_t rss = resident_memory();
    human_bytes(used_human, sizeof(used_human), (double)server.used_memory);
    human_bytes(rss_human, sizeof(rss_human), (double)rss);
    /* The tables' entries and buckets come from the counted allocator too:
     * used_memory_keyspace is the part of used_memory they take. */
    size_t keyspace = 0;
    for (int i = 0; i < server.database_count; i++)
        keyspace += keytable_memory_usage(server.databases[i].keys);
    info_append(
        info,
        "used_memory:%zu\r\nused_memory_human:%s\r\nused_memory_rss:%zu\r\nused_memory_rss_human:%s\r\n"
        "used_memory_keyspace:%zu\r\nmem_fragmentation_ratio:%.2f\r\nmem_allocator:libc\r\n"
        "lazyfree_pending_objects:%lld\r\nlazyfreed_objects:%lld\r\n",
        server.used_memory, used_human, rss, rss_human, keyspace,
        server.used_memory ? (double)rss / (double)server.used_memory : 0.0,
        lazy_free_pending_keys(), server.stats.lazyfreed_objects);
}

static void section_stats(dblite_info *info)
{
    info_append(
        info,
        "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
        "total_net_input_bytes:%lld\r\ntotal_net_output_bytes:%lld\r\nrejected_connections:%lld\r\n"
        "keyspace_hits:%lld\r\nkeyspace_misses:%lld\r\n"
        "tracking_total_keys:%lld\r\ntracking_total_items:%lld\r\ntracking_total_prefixes:%lld\r\n"
        "total_error_replies:%lld\r\nunexpected_error_replies:%lld\r\n",
        server.stats.connections_received, server.stats.commands_processed,
        server.stats.net_input_bytes, server.stats.net_output_bytes,
        server.stats.rejected_connections, server.stats.keyspace_hits, server.stats.keyspace_misses,
        tracking_total_keys(), tracking_total_items(), tracking_total_prefixes(),
        server.stats.command_errors, server.stats.unexpected_error_replies);
}

static void section_persistence(dblite_info *info)
{
    info_append(info, "loading:%d\r\n", server.loading);
    if (server.loading) {
        double percent = server.loading_total
                             ? 100.0 * (double)server.loading_done / (double)server.loading_total
                             : 0;
        info_append(
            info,
            "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\nloading_loaded_bytes:%llu\r\n"
            "loading_loaded_perc:%.2f\r\n",
            server.loading_start_ms / 1000, (unsigned long long)server.loading_total,
            (unsigned long long)server.loading_done, percent);
    }
}

static void section_keyspace(dblite_info *info)
{
    for (int i = 0; i < server.database_count; i++) {
        fire_event(NULL, DBLITE_EVENT_BEFORE_COUNT, i, NULL, 0, -1, NULL, 0);
        long long keys = database_live_keys(&server.databases[i]);
        if (!keys)
            continue;
        long long expires = 0, avg_ttl = 0;
        if (server.keyspace_info)
            server.keyspace_info(i, &expires, &avg_ttl, server.keyspace_info_privdata);
        info_append(info, "db%d:keys=%lld,expires=%lld,avg_ttl=%lld\r\n", i, keys, expires,
                    avg_ttl);
    }
}

static void section_modules(dblite_info *info)
{
    for (size_t i = 0; i < server.modules.length; i++)
        info_append(info,
                    "module:name=%s,ver=%d,api=%d,filters=0,usedby=[],using=[],options=[]\r\n",
                    server.modules.items[i]->name, server.modules.items[i]->api_version,
                    server.modules.items[i]->api_version);
}

static void section_commandstats(dblite_info *info)
{
    for (size_t i = 0; i < command_count(); i++) {
        command *cmd = command_at(i);
        if (!cmd->calls && !cmd->rejected_calls)
            continue;
        info_append(
            info,
            "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld\r\n",
            cmd->name, cmd->calls, cmd->microseconds,
            cmd->calls ? (double)cmd->microseconds / (double)cmd->calls : 0.0, cmd->rejected_calls,
            cmd->failed_calls);
    }
}

static void section_cpu(dblite_info *info)
{
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    info_append(info, "used_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n",
                (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec,
                (long)self.ru_utime.tv_usec);
}

/* Always standalone, but cluster-aware clients and exporters read this
 * field before anything else, and Redis writes the section in every mode. */
static void section_cluster(dblite_info *info)
{
    info_append(info, "cluster_enabled:0\r\n");
}

typedef struct core_section {
    const char *name;
    void (*write)(dblite_info *info);
    int in_default;
} core_section;

static const core_section core_sections[] = {
    {"Server", section_server, 1},   {"Clients", section_clients, 1},
    {"Memory", section_memory, 1},   {"Persistence", section_persistence, 1},
    {"Stats", section_stats, 1},     {"CPU", section_cpu, 1},
    {"Modules", section_modules, 1}, {"Commandstats", section_commandstats, 0},
    {"Cluster", section_cluster, 1}, {"Keyspace", section_keyspace, 1},
};

static int requested(const char *wanted, const char *name, int in_default)
{
    if (!wanted)
        return in_default;
    /* wanted is a space-separated list of section names. */
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", wanted);
    char *saveptr = NULL;
    for (char *word = strtok_r(copy, " ", &saveptr); word; word = strtok_r(NULL, " ", &saveptr)) {
        if (strcasecmp(word, "all") == 0 || strcasecmp(word, "everything") == 0)
            return 1;
        if (strcasecmp(word, "default") == 0 && in_default)
            return 1;
        if (strcasecmp(word, name) == 0)
            return 1;
    }
    return 0;
}

char *info_generate(const char *wanted, size_t *length)
{
    dblite_info info = {0};
    info.capacity = 4096;
    info.text = server_alloc(info.capacity);
    if (!info.text)
        return NULL;
    info.text[0] = '\0';
    int first = 1;
    for (size_t i = 0; i < sizeof(core_sections) / sizeof(core_sections[0]); i++) {
        const core_section *s = &core_sections[i];
        if (!requested(wanted, s->name, s->in_default))
            continue;
        info_append(&info, "%s# %s\r\n", first ? "" : "\r\n", s->name);
        first = 0;
        s->write(&info);
        extensions_for(&info, s->name);
    }
    /* Sections that modules introduced, after the core's (in Redis's order). */
    for (size_t i = 0; i < server.info_extensions.length; i++) {
        info_extension *e = &server.info_extensions.items[i];
        int core = 0;
        for (size_t k = 0; k < sizeof(core_sections) / sizeof(core_sections[0]); k++)
            if (strcasecmp(core_sections[k].name, e->section) == 0)
                core = 1;
        int earlier = 0;
        for (size_t k = 0; k < i; k++)
            if (strcasecmp(server.info_extensions.items[k].section, e->section) == 0)
                earlier = 1;
        if (core || earlier || !requested(wanted, e->section, 1))
            continue;
        info_append(&info, "%s# %c%s\r\n", first ? "" : "\r\n",
                    e->section[0] >= 'a' && e->section[0] <= 'z' ? e->section[0] - 32
                                                                 : e->section[0],
                    e->section + 1);
        first = 0;
        extensions_for(&info, e->section);
    }
    if (info.failed) {
        server_free(info.text);
        return NULL;
    }
    *length = info.length;
    return info.text;
}
