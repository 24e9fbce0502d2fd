/*
 * persistence_test_support.c - see persistence_test_support.h.
 */
#define _GNU_SOURCE
#include "persistence_test_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>
#include <unistd.h>

static void report(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("persistence_test: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

void sleep_milliseconds(long ms)
{
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) == -1 && errno == EINTR) {
    }
}

long long now_milliseconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

const char *path_in(const char *dir, const char *name, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s/%s", dir, name);
    return buffer;
}

/* ---- config ---- */

int module_available(const char *name)
{
    const char *dir = getenv("DBLITE_MODULE_PATH");
    char path[4096];
    if (dir == NULL)
        return 0;
    snprintf(path, sizeof(path), "%s/%s.so", dir, name);
    return access(path, R_OK) == 0;
}

/* The config files written below, removed when the test process ends. */
static char config_files[2][4200];

static void remove_config_files(void)
{
    for (int i = 0; i < 2; i++) {
        if (config_files[i][0] == '\0')
            continue;
        unlink(config_files[i]);
        char *slash = strrchr(config_files[i], '/');
        if (slash != NULL) {
            *slash = '\0';
            rmdir(config_files[i]);
        }
    }
}

int persistence_config_write(const char *path, int with_probe, const char *persistence_lines)
{
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        report("cannot write %s", path);
        return -1;
    }
    fprintf(file, "[server]\nbind = 127.0.0.1\ndatabases = 16\n\n[modules]\n");
    static const char *const modules[] = {"strings", "expiry", "lists", "hashes", "sets", "zsets"};
    for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
        if (module_available(modules[i]))
            fprintf(file, "load = %s\n", modules[i]);
    const char *probe = getenv("DBLITE_PROBE_MODULE");
    if (with_probe && probe != NULL && *probe != '\0')
        fprintf(file, "load = %s\n", probe);
    fprintf(file, "load = persistence\n\n[persistence]\nsave =\n%s",
            persistence_lines ? persistence_lines : "");
    return fclose(file) == 0 ? 0 : -1;
}

static int write_config(char *path, size_t size, int with_probe)
{
    const char *base = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/dblite-persistence-config-XXXXXX",
             base && *base ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        report("mkdtemp: %s", strerror(errno));
        return -1;
    }
    snprintf(path, size, "%s/persistence.ini", dir);
    if (config_files[0][0] == '\0' && config_files[1][0] == '\0')
        atexit(remove_config_files);
    snprintf(config_files[with_probe], sizeof(config_files[with_probe]), "%s", path);
    return persistence_config_write(path, with_probe, NULL);
}

const char *persistence_config_path(void)
{
    static char path[4200];
    if (path[0] == '\0' && write_config(path, sizeof(path), 1) != 0)
        path[0] = '\0';
    return path[0] ? path : NULL;
}

const char *persistence_config_path_without_probe(void)
{
    static char path[4200];
    if (path[0] == '\0' && write_config(path, sizeof(path), 0) != 0)
        path[0] = '\0';
    return path[0] ? path : NULL;
}

server_process *start_dblite(const char *const *extra)
{
    const char *config = persistence_config_path();
    return config ? server_start(config, extra) : NULL;
}

/* ---- redis-server ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    close(fd);
    return port;
}

redisContext *connect_port(int port)
{
    struct timeval timeout = {5, 0};
    redisContext *context = redisConnectWithTimeout("127.0.0.1", port, timeout);
    if (context == NULL || context->err) {
        if (context != NULL)
            redisFree(context);
        return NULL;
    }
    struct timeval command_timeout = {60, 0};
    redisSetTimeout(context, command_timeout);
    return context;
}

redis_process *redis_start(const char *dir, const char *const *extra)
{
    redis_process *redis = calloc(1, sizeof(*redis));
    if (redis == NULL)
        return NULL;
    snprintf(redis->dir, sizeof(redis->dir), "%s", dir);
    for (int attempt = 0; attempt < 5; attempt++) {
        redis->port = free_port();
        char port_text[16];
        snprintf(port_text, sizeof(port_text), "%d", redis->port);
        const char *argv[64] = {"redis-server", "--port",      port_text, "--bind", "127.0.0.1",
                                "--dir",        dir,           "--save",  "",       "--appendonly",
                                "no",           "--daemonize", "no"};
        size_t used = 13;
        for (size_t i = 0; extra != NULL && extra[i] != NULL && used < 63; i++)
            argv[used++] = extra[i];
        argv[used] = NULL;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
                _exit(126);
            char log_path[4200];
            snprintf(log_path, sizeof(log_path), "%s/redis.log", dir);
            int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (log >= 0) {
                dup2(log, STDOUT_FILENO);
                dup2(log, STDERR_FILENO);
            }
            execvp(argv[0], (char *const *)argv);
            _exit(127);
        }
        redis->pid = pid;
        long long deadline = now_milliseconds() + 10000;
        while (now_milliseconds() < deadline) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                redis->pid = 0;
                break;
            }
            redisContext *context = connect_port(redis->port);
            if (context != NULL) {
                redisReply *reply = redisCommand(context, "PING");
                int ok = reply != NULL && reply->type == REDIS_REPLY_STATUS;
                freeReplyObject(reply);
                redisFree(context);
                if (ok)
                    return redis;
            }
            sleep_milliseconds(20);
        }
        if (redis->pid != 0) {
            kill(redis->pid, SIGKILL);
            waitpid(redis->pid, NULL, 0);
            redis->pid = 0;
        }
    }
    report("redis-server did not start in %s (see redis.log there)", dir);
    free(redis);
    return NULL;
}

void redis_stop(redis_process *redis)
{
    if (redis == NULL)
        return;
    if (redis->pid > 0) {
        redisContext *context = connect_port(redis->port);
        if (context != NULL) {
            redisReply *reply = redisCommand(context, "SHUTDOWN NOSAVE");
            freeReplyObject(reply);
            redisFree(context);
        }
        long long deadline = now_milliseconds() + 10000;
        int status;
        while (waitpid(redis->pid, &status, WNOHANG) == 0) {
            if (now_milliseconds() > deadline) {
                kill(redis->pid, SIGKILL);
                waitpid(redis->pid, &status, 0);
                break;
            }
            sleep_milliseconds(10);
        }
    }
    free(redis);
}

/* ---- replies ---- */

redisReply *command_ok(redisContext *context, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    redisReply *reply = redisvCommand(context, format, args);
    va_end(args);
    if (reply == NULL) {
        report("'%s': connection error %s", format, context->errstr);
        return NULL;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        report("'%s': %s", format, reply->str);
        freeReplyObject(reply);
        return NULL;
    }
    return reply;
}

long long info_number(redisContext *context, const char *field)
{
    redisReply *reply = redisCommand(context, "INFO persistence");
    if (reply == NULL)
        return -1;
    long long value = -1;
    if (reply->type == REDIS_REPLY_STRING) {
        size_t length = strlen(field);
        for (const char *line = reply->str; line != NULL && *line; line = strchr(line, '\n')) {
            if (*line == '\n')
                line++;
            if (strncmp(line, field, length) == 0 && line[length] == ':') {
                value = strtoll(line + length + 1, NULL, 10);
                break;
            }
        }
    }
    freeReplyObject(reply);
    return value;
}

int wait_info_field(redisContext *context, const char *field, const char *value, long timeout_ms)
{
    long long deadline = now_milliseconds() + timeout_ms;
    char wanted[256];
    snprintf(wanted, sizeof(wanted), "%s:%s\r", field, value);
    while (now_milliseconds() < deadline) {
        redisReply *reply = redisCommand(context, "INFO persistence");
        int found = reply != NULL && reply->str != NULL && strstr(reply->str, wanted) != NULL;
        freeReplyObject(reply);
        if (found)
            return 0;
        sleep_milliseconds(20);
    }
    report("INFO field %s never became %s", field, value);
    return -1;
}

/* ---- dataset description ---- */

typedef struct text {
    char *data;
    size_t length, capacity;
} text;

static int text_append(text *out, const char *bytes, size_t length)
{
    if (out->length + length + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 4096;
        while (capacity < out->length + length + 1)
            capacity *= 2;
        char *grown = realloc(out->data, capacity);
        if (grown == NULL)
            return -1;
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, bytes, length);
    out->length += length;
    out->data[out->length] = '\0';
    return 0;
}

static int text_hex(text *out, const char *bytes, size_t length)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < length; i++) {
        char pair[2] = {digits[(unsigned char)bytes[i] >> 4], digits[(unsigned char)bytes[i] & 15]};
        if (text_append(out, pair, 2) != 0)
            return -1;
    }
    return 0;
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Elements of an array reply as hex, sorted when unordered (pairs kept
 * together for hashes). */
static int describe_elements(text *out, redisReply *reply, int sort, int pairs)
{
    size_t step = pairs ? 2 : 1;
    size_t count = reply->elements / step;
    char **items = calloc(count ? count : 1, sizeof(char *));
    if (items == NULL)
        return -1;
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        text item = {0};
        for (size_t j = 0; j < step; j++) {
            redisReply *element = reply->element[i * step + j];
            status |= text_hex(&item, element->str, element->len);
            status |= text_append(&item, j + 1 < step ? "=" : "", j + 1 < step ? 1 : 0);
        }
        items[i] = item.data ? item.data : strdup("");
    }
    if (sort)
        qsort(items, count, sizeof(char *), compare_lines);
    for (size_t i = 0; i < count; i++) {
        if (status == 0)
            status |= text_append(out, items[i], strlen(items[i])) | text_append(out, ",", 1);
        free(items[i]);
    }
    free(items);
    return status;
}

static int describe_key(text *line, redisContext *context, const char *key, size_t key_length)
{
    redisReply *type = redisCommand(context, "TYPE %b", key, key_length);
    if (type == NULL || type->type != REDIS_REPLY_STATUS) {
        freeReplyObject(type);
        return -1;
    }
    int status = text_append(line, type->str, strlen(type->str)) | text_append(line, " ", 1);
    redisReply *value = NULL;
    if (strcmp(type->str, "string") == 0) {
        value = redisCommand(context, "GET %b", key, key_length);
        if (value != NULL && value->type == REDIS_REPLY_STRING)
            status |= text_hex(line, value->str, value->len);
    } else if (strcmp(type->str, "list") == 0) {
        value = redisCommand(context, "LRANGE %b 0 -1", key, key_length);
        if (value != NULL && value->type == REDIS_REPLY_ARRAY)
            status |= describe_elements(line, value, 0, 0);
    } else if (strcmp(type->str, "hash") == 0) {
        value = redisCommand(context, "HGETALL %b", key, key_length);
        if (value != NULL && value->type == REDIS_REPLY_ARRAY)
            status |= describe_elements(line, value, 1, 1);
    } else if (strcmp(type->str, "set") == 0) {
        value = redisCommand(context, "SMEMBERS %b", key, key_length);
        if (value != NULL && value->type == REDIS_REPLY_ARRAY)
            status |= describe_elements(line, value, 1, 0);
    } else if (strcmp(type->str, "zset") == 0) {
        /* In order, scores as the server prints them (17 digits), and the
         * encoding, which loading must choose as Redis does. */
        value = redisCommand(context, "ZRANGE %b 0 -1 WITHSCORES", key, key_length);
        if (value != NULL && value->type == REDIS_REPLY_ARRAY)
            status |= describe_elements(line, value, 0, 1);
        redisReply *encoding = redisCommand(context, "OBJECT ENCODING %b", key, key_length);
        if (encoding != NULL && encoding->type == REDIS_REPLY_STRING)
            status |= text_append(line, " ", 1) | text_append(line, encoding->str, encoding->len);
        else
            status = -1;
        freeReplyObject(encoding);
    } else {
        status |= text_append(line, "?", 1);
    }
    freeReplyObject(value);
    freeReplyObject(type);
    redisReply *deadline = redisCommand(context, "PEXPIRETIME %b", key, key_length);
    if (deadline == NULL || deadline->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(deadline);
        return -1;
    }
    char number[40];
    snprintf(number, sizeof(number), " deadline=%lld", deadline->integer);
    status |= text_append(line, number, strlen(number));
    freeReplyObject(deadline);
    return status;
}

char *dataset_describe(redisContext *context)
{
    text out = {0};
    text_append(&out, "", 0);
    for (int db = 0; db < TEST_DATABASES; db++) {
        redisReply *selected = redisCommand(context, "SELECT %d", db);
        int ok = selected != NULL && selected->type == REDIS_REPLY_STATUS;
        freeReplyObject(selected);
        if (!ok)
            goto failed;
        redisReply *keys = redisCommand(context, "KEYS *");
        if (keys == NULL || keys->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(keys);
            goto failed;
        }
        char **lines = calloc(keys->elements ? keys->elements : 1, sizeof(char *));
        int status = lines == NULL ? -1 : 0;
        for (size_t i = 0; status == 0 && i < keys->elements; i++) {
            text line = {0};
            char prefix[16];
            snprintf(prefix, sizeof(prefix), "db%d ", db);
            status |= text_append(&line, prefix, strlen(prefix));
            status |= text_hex(&line, keys->element[i]->str, keys->element[i]->len);
            status |= text_append(&line, " ", 1);
            status |= describe_key(&line, context, keys->element[i]->str, keys->element[i]->len);
            lines[i] = line.data;
        }
        if (lines != NULL)
            qsort(lines, keys->elements, sizeof(char *), compare_lines);
        for (size_t i = 0; lines != NULL && i < keys->elements; i++) {
            if (status == 0 && lines[i] != NULL)
                status |=
                    text_append(&out, lines[i], strlen(lines[i])) | text_append(&out, "\n", 1);
            free(lines[i]);
        }
        free(lines);
        freeReplyObject(keys);
        if (status != 0)
            goto failed;
    }
    redisReply *back = redisCommand(context, "SELECT 0");
    freeReplyObject(back);
    return out.data;
failed:
    report("could not describe the dataset");
    free(out.data);
    return NULL;
}

/* ---- programs and files ---- */

int run_program(const char *const *argv, const char *cwd, char *output, size_t size)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        if (cwd != NULL && chdir(cwd) != 0)
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipe_fds[1]);
    size_t used = 0;
    char discard[4096];
    for (;;) {
        char *target = used + 1 < size ? output + used : discard;
        size_t room = used + 1 < size ? size - used - 1 : sizeof(discard);
        ssize_t n = read(pipe_fds[0], target, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (target == output + used)
            used += (size_t)n;
    }
    if (size > 0)
        output[used < size ? used : size - 1] = '\0';
    close(pipe_fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t capacity = 65536, used = 0;
    char *data = malloc(capacity);
    while (data != NULL) {
        size_t n = fread(data + used, 1, capacity - used, file);
        used += n;
        if (used < capacity)
            break;
        capacity *= 2;
        char *grown = realloc(data, capacity);
        if (grown == NULL) {
            free(data);
            data = NULL;
        } else {
            data = grown;
        }
    }
    fclose(file);
    if (data != NULL)
        *length = used;
    return data;
}

int write_file(const char *path, const void *data, size_t length)
{
    FILE *file = fopen(path, "wb");
    if (file == NULL)
        return -1;
    int status = fwrite(data, 1, length, file) == length ? 0 : -1;
    if (fclose(file) != 0)
        status = -1;
    return status;
}

int copy_file(const char *from, const char *to)
{
    size_t length;
    char *data = read_file(from, &length);
    if (data == NULL)
        return -1;
    int status = write_file(to, data, length);
    free(data);
    return status;
}

/* ---- datasets ---- */

/* A command that must succeed, else the fill fails. */
#define REQUIRE(context, ...)                                    \
    do {                                                         \
        redisReply *required = command_ok(context, __VA_ARGS__); \
        if (required == NULL)                                    \
            return -1;                                           \
        freeReplyObject(required);                               \
    } while (0)

/* Deterministic bytes (xorshift), so failures reproduce. */
void fill_bytes(char *buffer, size_t length, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < length; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buffer[i] = (char)(x >> 24);
    }
}

/* The same dataset on any server: every type in small (compact in Redis)
 * and large forms, integers that Redis stores in binary, binary and
 * compressible strings, deadlines, keys in all 16 databases. */
int fill_dataset(redisContext *c)
{
    char binary[300];
    fill_bytes(binary, sizeof(binary), 7);
    REQUIRE(c, "SET %b %b", "bin\0key", (size_t)7, binary, sizeof(binary));
    REQUIRE(c, "SET empty %s", "");
    static const char *const integers[] = {"0",
                                           "1",
                                           "-1",
                                           "127",
                                           "-128",
                                           "128",
                                           "32767",
                                           "-32768",
                                           "40000",
                                           "-2147483648",
                                           "2147483647",
                                           "2147483648",
                                           "9223372036854775807",
                                           "-9223372036854775808",
                                           "007",
                                           "-0",
                                           "+5",
                                           "1e3",
                                           " 12"};
    for (size_t i = 0; i < sizeof(integers) / sizeof(integers[0]); i++)
        REQUIRE(c, "SET int:%d %s", (int)i, integers[i]);
    size_t long_length = 100000;
    char *compressible = malloc(long_length);
    if (compressible == NULL)
        return -1;
    for (size_t i = 0; i < long_length; i++)
        compressible[i] = "abcdefgh"[(i / 3) % 8];
    REQUIRE(c, "SET compressible %b", compressible, long_length);
    fill_bytes(compressible, long_length, 99);
    REQUIRE(c, "SET random %b", compressible, long_length);
    free(compressible);
    REQUIRE(c, "SET counter 12345");
    REQUIRE(c, "INCRBY counter 100");
    REQUIRE(c, "SET with:ttl v PX 3600000");
    REQUIRE(c, "SET with:ttl2 v EX 100000");
    if (module_available("lists")) {
        REQUIRE(c, "RPUSH list:small a b 1 -2 300 70000 -70000 4294967296 %b", binary, (size_t)40);
        for (int i = 0; i < 1200; i++)
            REQUIRE(c, "RPUSH list:big element-%d %d", i, i * 7);
        REQUIRE(c, "RPUSH list:ttl x y z");
        REQUIRE(c, "PEXPIRE list:ttl 7200000");
        REQUIRE(c, "LPUSH list:long %b", binary, sizeof(binary));
    }
    if (module_available("hashes")) {
        REQUIRE(c, "HSET hash:small f1 v1 f2 2 num -77 %b %b", binary, (size_t)10, binary + 10,
                (size_t)20);
        for (int i = 0; i < 600; i++)
            REQUIRE(c, "HSET hash:big field-%d value-%d", i, i);
        REQUIRE(c, "HSET hash:ttl a b");
        REQUIRE(c, "EXPIRE hash:ttl 9000");
    }
    if (module_available("sets")) {
        REQUIRE(c, "SADD set:ints 1 2 3 -100 100000 5000000000 -9223372036854775808");
        REQUIRE(c, "SADD set:strings apple banana cherry %b", binary, (size_t)8);
        for (int i = 0; i < 500; i++)
            REQUIRE(c, "SADD set:bigints %d", i * 13);
        for (int i = 0; i < 300; i++)
            REQUIRE(c, "SADD set:big member-%d", i);
    }
    if (module_available("zsets")) {
        REQUIRE(c, "ZADD zset:small 1 a 2.5 b -3 c inf d -inf e 0.1 f 1e-300 g -0 h 12 70000");
        REQUIRE(c, "ZADD zset:binary 1 %b 2 %b", binary, (size_t)20, binary + 20, (size_t)64);
        for (int i = 0; i < 300; i++)
            REQUIRE(c, "ZADD zset:big %d.%d member-%d", i % 37 - 18, i % 4 * 25, i);
        REQUIRE(c, "ZADD zset:wide 1 short 2 %b", binary, (size_t)100);
        REQUIRE(c, "ZADD zset:ttl 1 x 2 y");
        REQUIRE(c, "PEXPIRE zset:ttl 8000000");
    }
    for (int db = 1; db < TEST_DATABASES; db++) {
        REQUIRE(c, "SELECT %d", db);
        REQUIRE(c, "SET db:%d value-%d", db, db);
        REQUIRE(c, "SET db:%d:ttl x PX %d", db, 5000000 + db);
        if (module_available("lists"))
            REQUIRE(c, "RPUSH db:%d:list %d", db, db);
    }
    REQUIRE(c, "SELECT 0");
    return 0;
}

int add_filler_keys(redisContext *c, int count)
{
    for (int i = 0; i < count; i++)
        redisAppendCommand(c, "SET filler:%d %d", i, i);
    int status = 0;
    for (int i = 0; i < count; i++) {
        redisReply *reply;
        if (redisGetReply(c, (void **)&reply) != REDIS_OK)
            return -1;
        if (reply->type == REDIS_REPLY_ERROR)
            status = -1;
        freeReplyObject(reply);
    }
    return status;
}

char *dataset_describe_or_fail(redisContext *context)
{
    char *text = dataset_describe(context);
    assert_non_null(text);
    return text;
}

void assert_same_dataset(const char *expected, const char *actual)
{
    if (strcmp(expected, actual) != 0) {
        /* Show the first differing line. */
        const char *a = expected, *b = actual;
        while (*a && *a == *b)
            a++, b++;
        while (a > expected && a[-1] != '\n')
            a--, b--;
        fail_msg("datasets differ at:\n  expected: %.300s\n  actual:   %.300s", a, b);
    }
}

long long path_size(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 ? (long long)info.st_size : -1;
}
