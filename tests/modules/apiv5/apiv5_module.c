/*
 * apiv5_module.c - apiv5.so (and apiv5peer.so, the same source built with
 * APIV5_PEER): exercises each call added in module API version 5, one
 * command per call, for test_module_api_v5.
 *
 * apiv5.so registers its table with dblite_command_register_table and
 * DBLITE_COMMAND rows, keeps its state as module data freed by the server
 * (dblite_module_set_data_free, no SHUTDOWN hook), stores a "v5box" type
 * looked up with the *_or_reply calls, and exports a service whose function
 * finds the exporter's state with dblite_service_data.  apiv5peer.so only
 * sets data with a destructor, so the test can see the reverse load order
 * of the destructors in the log.
 */
#include <string.h>

#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

#ifdef APIV5_PEER
#define APIV5_NAME "apiv5peer"
#else
#define APIV5_NAME "apiv5"
#endif

#define APIV5_SERVICE "apiv5.state/1"

typedef struct apiv5_state {
    dblite_module *module;
    dblite_type *box_type;
    long long live_boxes; /* boxes allocated and not freed yet */
    long long service_calls;
    dblite_timer_id timer; /* an hourly timer, still pending at exit */
} apiv5_state;

/* The destructor given to dblite_module_set_data_free: the log line lets
 * the test check it ran once, after every value was freed, and in which
 * order relative to the other module's. */
static void state_free(void *data)
{
    apiv5_state *state = data;
    /* Timers are gone by now: cancelling must answer, not crash. */
    int cancelled = dblite_timer_cancel(state->timer);
    dblite_log(state->module, "notice", "%s data freed with %lld live boxes (timer cancel %d)",
               APIV5_NAME, state->live_boxes, cancelled);
    dblite_free(state);
}

static long long hourly(dblite_ctx *ctx, void *privdata)
{
    (void)ctx, (void)privdata;
    return 3600 * 1000;
}

#ifndef APIV5_PEER

/* ---- the v5box type: a copied byte string ---- */

typedef struct box {
    apiv5_state *state;
    size_t length;
    char bytes[];
} box;

static void box_free(void *value)
{
    box *b = value;
    b->state->live_boxes--;
    dblite_free(b);
}

static const dblite_type_methods box_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = box_free,
};

/* apiv5.set key value: stores a box (any old value of the key is replaced). */
static void set_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    apiv5_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    box *b = dblite_alloc(sizeof(*b) + argv[2].len);
    if (b == NULL) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    b->state = state;
    b->length = argv[2].len;
    memcpy(b->bytes, argv[2].ptr, argv[2].len);
    state->live_boxes++;
    if (dblite_key_set(ctx, argv[1], state->box_type, b, DBLITE_SET_DEFAULT) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_ok(ctx);
}

/* apiv5.get key: the box's bytes, null for a missing key; WRONGTYPE comes
 * from dblite_key_lookup_or_reply. */
static void get_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    apiv5_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], state->box_type, DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    const box *b = value;
    dblite_reply_bulk(ctx, b->bytes, b->length);
}

/* apiv5.truncate key: shortens the box in place to its first byte through
 * the slot form; 0 for a missing key, else the new length. */
static void truncate_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    apiv5_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, argv[1], state->box_type, DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return;
    if (slot == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    box *b = *slot;
    if (b->length > 1)
        b->length = 1;
    dblite_key_modified(ctx, argv[1]);
    dblite_reply_integer(ctx, (long long)b->length);
}

/* apiv5.privdata: the text its row's privdata points to. */
static void privdata_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    const char *text = dblite_ctx_command_privdata(ctx);
    if (text == NULL)
        dblite_reply_null(ctx);
    else
        dblite_reply_simple(ctx, text);
}

/* apiv5.setting kind name: the typed getter of kind (integer, memory,
 * boolean) for name: its value, or the status code as an error. */
static void setting_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    char name[128];
    if (argv[2].len >= sizeof(name)) {
        dblite_reply_error(ctx, "ERR name too long");
        return;
    }
    memcpy(name, argv[2].ptr, argv[2].len);
    name[argv[2].len] = '\0';
    long long number = -12345;
    int flag = -12345;
    int status;
    if (dblite_bytes_equal_nocase(argv[1], "integer"))
        status = dblite_config_server_integer(name, &number);
    else if (dblite_bytes_equal_nocase(argv[1], "memory"))
        status = dblite_config_server_memory(name, &number);
    else if (dblite_bytes_equal_nocase(argv[1], "boolean")) {
        status = dblite_config_server_boolean(name, &flag);
        number = flag;
    } else {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (status != DBLITE_OK) {
        /* The untouched sentinel shows a failed getter left it alone. */
        dblite_reply_error_format(ctx, "ERR status %d value %lld", status, number);
        return;
    }
    dblite_reply_integer(ctx, number);
}

/* apiv5.loaded name: dblite_module_loaded. */
static void loaded_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    char name[128];
    if (argv[1].len >= sizeof(name)) {
        dblite_reply_error(ctx, "ERR name too long");
        return;
    }
    memcpy(name, argv[1].ptr, argv[1].len);
    name[argv[1].len] = '\0';
    dblite_reply_integer(ctx, dblite_module_loaded(name));
}

/* ---- the service: its function reaches the exporter's state ---- */

typedef struct apiv5_service {
    int version;
    long long (*call)(dblite_ctx *ctx);
} apiv5_service;

static long long service_call(dblite_ctx *ctx)
{
    (void)ctx;
    apiv5_state *state = dblite_service_data(APIV5_SERVICE);
    return state ? ++state->service_calls : -1;
}

static const apiv5_service service = {1, service_call};

/* apiv5.service: calls the service as another module would, through its
 * table; answers how many calls the exporter's state counted. */
static void service_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    const apiv5_service *found = dblite_service_lookup(APIV5_SERVICE);
    if (found == NULL || dblite_service_data("apiv5.no-such-service") != NULL) {
        dblite_reply_error(ctx, "ERR service lookup failed");
        return;
    }
    dblite_reply_integer(ctx, found->call(ctx));
}

static const char privdata_text[] = "privdata reached the handler";

static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "apiv5.set", .arity = 3, .flags = "write deny-oom", .first_key = 1,
                   .last_key = 1, .key_step = 1, .handler = set_command),
    DBLITE_COMMAND(.name = "apiv5.get", .arity = 2, .flags = "readonly fast", .first_key = 1,
                   .last_key = 1, .key_step = 1, .handler = get_command),
    DBLITE_COMMAND(.name = "apiv5.truncate", .arity = 2, .flags = "write", .first_key = 1,
                   .last_key = 1, .key_step = 1, .handler = truncate_command),
    DBLITE_COMMAND(.name = "apiv5.privdata", .arity = 1, .flags = "readonly fast",
                   .handler = privdata_command, .privdata = (void *)privdata_text),
    DBLITE_COMMAND(.name = "apiv5.noprivdata", .arity = 1, .flags = "readonly fast",
                   .handler = privdata_command),
    DBLITE_COMMAND(.name = "apiv5.setting", .arity = 3, .flags = "readonly",
                   .handler = setting_command),
    DBLITE_COMMAND(.name = "apiv5.loaded", .arity = 2, .flags = "readonly fast",
                   .handler = loaded_command),
    DBLITE_COMMAND(.name = "apiv5.service", .arity = 1, .flags = "readonly",
                   .handler = service_command),
};

#endif /* !APIV5_PEER */

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    apiv5_state *state = dblite_calloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->module = module;
    /* From here on the server frees state, whatever else fails. */
    dblite_module_set_data_free(module, state, state_free);
    state->timer = dblite_timer_create(module, 3600 * 1000, hourly, NULL);
    if (state->timer == 0) {
        dblite_module_fail(module, "cannot create a timer");
        return DBLITE_ERR;
    }
#ifdef APIV5_PEER
    return DBLITE_OK;
#else
    state->box_type = dblite_type_register(module, "v5box", "apiv5-box", 0, -1, &box_methods);
    if (state->box_type == NULL)
        return DBLITE_ERR;
    int status = dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
    if (status != DBLITE_OK)
        return status;
    return dblite_service_export(module, APIV5_SERVICE, (void *)&service);
#endif
}
