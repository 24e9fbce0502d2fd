/*
 * strings_commands_set.c - SET and the commands that are special cases of
 * it: SETNX, SETEX, PSETEX and GETSET.
 *
 * One routine does the work so the order of checks is Redis's for all of
 * them: options, then the time argument, then (GET) the old value and its
 * type, then the NX/XX condition, then the store and the deadline.
 * Replication sees SET with an absolute PXAT deadline in place of relative
 * times, and SET without GET in place of GET variants, as Redis 7.0 sends.
 */
#include "expire_options.h"
#include "string_access.h"
#include "string_value.h"
#include "strings.h"

/* Arguments of the propagated command kept on the stack; longer SET GET
 * commands (GET repeated many times) take a heap array. */
#define PROPAGATE_STACK_ARGS 16

typedef struct set_request {
    dblite_bytes key;
    dblite_bytes value;
    int value_index; /* where value is in argv (for its integer mark) */
    expire_options options;
    const char *command_name; /* for the invalid expire time error */
    int answers_integer;      /* SETNX: :1 and :0 instead of OK and nil */
    int argc;                 /* the command as received */
    const dblite_bytes *argv;
} set_request;

static int is_get_word(dblite_bytes arg)
{
    return dblite_bytes_equal_nocase(arg, "GET");
}

/* Replicates the command as SET without its GET words (Redis 7.0 does the
 * same so replicas need not answer).  If memory runs short the command goes
 * out as received, which replays to the same result. */
static void propagate_without_get(dblite_ctx *ctx, const set_request *request)
{
    dblite_bytes stack_args[PROPAGATE_STACK_ARGS];
    dblite_bytes *args = stack_args;
    int extra = request->argc > 3 ? request->argc - 3 : 0;
    if (3 + extra > PROPAGATE_STACK_ARGS) {
        args = dblite_alloc(sizeof(dblite_bytes) * (size_t)(3 + extra));
        if (args == NULL)
            return;
    }
    int count = 0;
    args[count++] = (dblite_bytes){"SET", 3};
    args[count++] = request->key;
    args[count++] = request->value;
    for (int index = 3; index < request->argc; index++)
        if (!is_get_word(request->argv[index]))
            args[count++] = request->argv[index];
    string_propagate_as(ctx, count, args);
    if (args != stack_args)
        dblite_free(args);
}

static void propagate_with_deadline(dblite_ctx *ctx, const set_request *request,
                                    long long deadline_ms)
{
    char deadline_text[DBLITE_LONG_LONG_TEXT_SIZE];
    dblite_bytes args[5] = {
        {"SET", 3},
        request->key,
        request->value,
        {"PXAT", 4},
        {deadline_text, dblite_format_long_long(deadline_text, sizeof deadline_text, deadline_ms)},
    };
    string_propagate_as(ctx, 5, args);
}

static void reply_not_done(dblite_ctx *ctx, const set_request *request)
{
    if (request->answers_integer)
        dblite_reply_integer(ctx, 0);
    else
        dblite_reply_null(ctx);
}

static void reply_done(dblite_ctx *ctx, const set_request *request)
{
    if (request->answers_integer)
        dblite_reply_integer(ctx, 1);
    else
        dblite_reply_ok(ctx);
}

/* SET's notifications: "set", and "expire" when it gave a deadline. */
static void announce_set(dblite_ctx *ctx, dblite_bytes key, int with_deadline)
{
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "set", key);
    if (with_deadline)
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "expire", key);
}

static void set_generic(dblite_ctx *ctx, const set_request *request)
{
    int flags = request->options.flags;
    long long deadline_ms = 0;
    const dblite_expiry_service *expiry = NULL;
    if (request->options.time != NULL) {
        if (expire_options_deadline(ctx, &request->options, request->command_name, &deadline_ms) !=
            DBLITE_OK)
            return;
        expiry = expiry_service_or_reply(ctx);
        if (expiry == NULL)
            return;
    }

    void *old = NULL;
    int found = 0;
    if (flags & (EXPIRE_OPTION_NX | EXPIRE_OPTION_XX | EXPIRE_OPTION_GET)) {
        int lookup_flags = (flags & EXPIRE_OPTION_GET) ? DBLITE_LOOKUP_READ : DBLITE_LOOKUP_WRITE;
        int status = dblite_key_lookup(ctx, request->key, string_type(ctx), lookup_flags, &old);
        if (status == DBLITE_ERR_WRONGTYPE) {
            /* GET must read the old value; NX and XX only ask whether the
             * key exists, and a key of another type does. */
            if (flags & EXPIRE_OPTION_GET) {
                dblite_reply_wrongtype(ctx);
                return;
            }
            old = NULL;
            found = 1;
        } else {
            found = old != NULL;
        }
    }
    if (((flags & EXPIRE_OPTION_NX) && found) || ((flags & EXPIRE_OPTION_XX) && !found)) {
        if (flags & EXPIRE_OPTION_GET)
            string_reply_value_or_null(ctx, old);
        else
            reply_not_done(ctx, request);
        return;
    }

    void *value = string_create_from_argument(ctx, request->argv, request->value_index);
    if (value == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    /* The store frees the old value, so GET answers from a detached copy
     * (free for inline values); storing first lets a failed store still
     * answer with an error rather than a stale reply. */
    void *previous = NULL;
    if (old != NULL && (flags & EXPIRE_OPTION_GET)) {
        previous = string_value_copy(old);
        if (previous == NULL) {
            string_value_free(value);
            string_reply_out_of_memory(ctx);
            return;
        }
    }
    int store_flags = (flags & EXPIRE_OPTION_KEEPTTL) ? DBLITE_SET_KEEP : DBLITE_SET_DEFAULT;
    if (string_store_or_reply(ctx, request->key, value, store_flags) != DBLITE_OK)
        goto done;
    int expires_at_once = 0;
    if (expiry != NULL) {
        /* Redis keeps a key SET with a time already past until it expires,
         * so it counts in expired_keys; expire_now does that at once (after
         * the reply: Redis announces "expired" at the next access). */
        if (deadline_ms <= dblite_time_ms() && expiry->version >= 2)
            expires_at_once = 1;
        else if (expiry_set_deadline_or_reply(ctx, expiry, request->key, deadline_ms) != DBLITE_OK)
            goto done;
        propagate_with_deadline(ctx, request, deadline_ms);
    } else if (flags & EXPIRE_OPTION_GET) {
        propagate_without_get(ctx, request);
    }

    /* Redis's order: GET's old value is replied before the store and its
     * notifications, OK after them. */
    if (flags & EXPIRE_OPTION_GET) {
        string_reply_value_or_null(ctx, previous);
        announce_set(ctx, request->key, expiry != NULL);
    } else {
        announce_set(ctx, request->key, expiry != NULL);
        reply_done(ctx, request);
    }
    if (expires_at_once)
        expiry->expire_now(ctx, request->key);
done:
    if (previous != NULL)
        string_value_free(previous);
}

void strings_set_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc == 3) {
        /* Plain SET: no lookup needed, the store replaces whatever is there. */
        void *value = string_create_from_argument(ctx, argv, 2);
        if (value == NULL) {
            string_reply_out_of_memory(ctx);
            return;
        }
        if (string_store_or_reply(ctx, argv[1], value, DBLITE_SET_DEFAULT) != DBLITE_OK)
            return;
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "set", argv[1]);
        dblite_reply_ok(ctx);
        return;
    }
    set_request request = {
        .key = argv[1],
        .value = argv[2],
        .value_index = 2,
        .command_name = "set",
        .argc = argc,
        .argv = argv,
    };
    if (expire_options_parse(ctx, argc, argv, 3, EXPIRE_GRAMMAR_SET, &request.options) != DBLITE_OK)
        return;
    set_generic(ctx, &request);
}

void strings_setnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    set_request request = {
        .key = argv[1],
        .value = argv[2],
        .value_index = 2,
        .options = {.flags = EXPIRE_OPTION_NX},
        .command_name = "setnx",
        .answers_integer = 1,
        .argc = argc,
        .argv = argv,
    };
    set_generic(ctx, &request);
}

static void set_with_time(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int time_flag,
                          const char *command_name)
{
    set_request request = {
        .key = argv[1],
        .value = argv[3],
        .value_index = 3,
        .options = {.flags = time_flag, .time = &argv[2]},
        .command_name = command_name,
        .argc = argc,
        .argv = argv,
    };
    set_generic(ctx, &request);
}

void strings_setex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    set_with_time(ctx, argc, argv, EXPIRE_OPTION_EX, "setex");
}

void strings_psetex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    set_with_time(ctx, argc, argv, EXPIRE_OPTION_PX, "psetex");
}

void strings_getset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    set_request request = {
        .key = argv[1],
        .value = argv[2],
        .value_index = 2,
        .options = {.flags = EXPIRE_OPTION_GET},
        .command_name = "getset",
        .argc = argc,
        .argv = argv,
    };
    set_generic(ctx, &request);
}
