/*
 * pubsub_commands.c - SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
 * SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB with Redis 7.0's
 * replies: every confirmation is a push frame (an array in RESP2) with the
 * client's subscription count, and messages go to other clients through
 * dblite_client_deliver, so they take the core's reply path.
 */
#include <stdint.h>
#include <string.h>

#include "pubsub/pubsub.h"

static const char *const subscribe_words[KIND_COUNT] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const unsubscribe_words[KIND_COUNT] = {"unsubscribe", "punsubscribe",
                                                          "sunsubscribe"};

static pubsub_state *state_of(dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* [word, name or null, count] */
static void reply_confirmation(dblite_ctx *ctx, const char *word, const char *name, size_t length,
                               long long count)
{
    dblite_reply_push(ctx, 3);
    dblite_reply_bulk_cstring(ctx, word);
    if (name)
        dblite_reply_bulk(ctx, name, length);
    else
        dblite_reply_null(ctx);
    dblite_reply_integer(ctx, count);
}

static void subscribe_kind(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                           subscription_kind kind)
{
    pubsub_state *state = state_of(ctx);
    subscriber *s = subscriber_of(state, ctx, 1);
    if (!s) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    for (int i = 1; i < argc; i++) {
        if (subscriber_add(s, kind, argv[i].ptr, argv[i].len) < 0) {
            dblite_reply_error(ctx, "ERR out of memory");
            break;
        }
        reply_confirmation(ctx, subscribe_words[kind], argv[i].ptr, argv[i].len,
                           subscriber_count_for(s, kind));
    }
    subscriber_release_if_idle(s, ctx);
}

static void unsubscribe_kind(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                             subscription_kind kind)
{
    pubsub_state *state = state_of(ctx);
    subscriber *s = subscriber_of(state, ctx, 0);
    if (argc == 1) {
        /* Every subscription of the kind, oldest first; none: one reply. */
        if (!s || s->counts[kind] == 0) {
            reply_confirmation(ctx, unsubscribe_words[kind], NULL, 0,
                               subscriber_count_for(s, kind));
            return;
        }
        while (s->counts[kind]) {
            channel *ch = s->subscriptions[kind][0];
            /* The name outlives the channel only if copied: the channel may
             * be freed by the removal, so reply first with the count after. */
            long long count = subscriber_count_for(s, kind) - 1;
            reply_confirmation(ctx, unsubscribe_words[kind], ch->name, ch->length, count);
            subscriber_remove(s, kind, ch);
        }
    } else {
        for (int i = 1; i < argc; i++) {
            channel *ch = channel_find(&state->tables[kind], argv[i].ptr, argv[i].len);
            if (s && ch)
                subscriber_remove(s, kind, ch);
            reply_confirmation(ctx, unsubscribe_words[kind], argv[i].ptr, argv[i].len,
                               subscriber_count_for(s, kind));
        }
    }
    subscriber_release_if_idle(s, ctx);
}

/* The six (un)subscribe commands are two handlers: the table row's
 * privdata says which kind of subscription the command works on. */
#define KIND_PRIVDATA(kind) ((void *)(intptr_t)(kind))
static subscription_kind command_kind(const dblite_ctx *ctx)
{
    return (subscription_kind)(intptr_t)dblite_ctx_command_privdata(ctx);
}
static void command_subscribe(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    subscribe_kind(ctx, argc, argv, command_kind(ctx));
}
static void command_unsubscribe(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    unsubscribe_kind(ctx, argc, argv, command_kind(ctx));
}

/* What one delivery writes on a subscriber's output. */
typedef struct message {
    const char *word; /* message, pmessage, smessage */
    const char *pattern;
    size_t pattern_length;
    const char *channel;
    size_t channel_length;
    const char *payload;
    size_t payload_length;
} message;

static void write_message(dblite_ctx *ctx, void *privdata)
{
    const message *m = privdata;
    dblite_reply_push(ctx, m->pattern ? 4 : 3);
    dblite_reply_bulk_cstring(ctx, m->word);
    if (m->pattern)
        dblite_reply_bulk(ctx, m->pattern, m->pattern_length);
    dblite_reply_bulk(ctx, m->channel, m->channel_length);
    dblite_reply_bulk(ctx, m->payload, m->payload_length);
}

long long pubsub_publish(pubsub_state *state, subscription_kind kind, const char *channel_name,
                         size_t channel_length, const char *payload, size_t payload_length)
{
    long long receivers = 0;
    message m = {kind == KIND_SHARD ? "smessage" : "message",
                 NULL,
                 0,
                 channel_name,
                 channel_length,
                 payload,
                 payload_length};
    channel *ch = channel_find(&state->tables[kind], channel_name, channel_length);
    if (ch) {
        for (size_t i = 0; i < ch->subscriber_count; i++) {
            subscriber *s = ch->subscribers[i];
            dblite_client_deliver(s->client, write_message, &m);
            receivers++;
        }
    }
    if (kind == KIND_SHARD)
        return receivers;
    m.word = "pmessage";
    for (channel *p = state->tables[KIND_PATTERN].all; p; p = p->all_next) {
        if (!dblite_glob_match(p->name, p->length, channel_name, channel_length, 0))
            continue;
        m.pattern = p->name;
        m.pattern_length = p->length;
        for (size_t i = 0; i < p->subscriber_count; i++) {
            subscriber *s = p->subscribers[i];
            dblite_client_deliver(s->client, write_message, &m);
            receivers++;
        }
    }
    return receivers;
}

static void command_publish(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    dblite_reply_integer(ctx, pubsub_publish(state_of(ctx), KIND_CHANNEL, argv[1].ptr, argv[1].len,
                                             argv[2].ptr, argv[2].len));
}

static void command_spublish(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    dblite_reply_integer(ctx, pubsub_publish(state_of(ctx), KIND_SHARD, argv[1].ptr, argv[1].len,
                                             argv[2].ptr, argv[2].len));
}

/* PUBSUB CHANNELS / SHARDCHANNELS [pattern] */
static void reply_channel_list(dblite_ctx *ctx, channel_table *table, const dblite_bytes *pattern)
{
    void *length = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    long long count = 0;
    for (channel *ch = table->all; ch; ch = ch->all_next) {
        if (pattern && !dblite_glob_match(pattern->ptr, pattern->len, ch->name, ch->length, 0))
            continue;
        dblite_reply_bulk(ctx, ch->name, ch->length);
        count++;
    }
    dblite_reply_set_length(ctx, length, count);
}

/* PUBSUB NUMSUB / SHARDNUMSUB channel... : [name, count, ...] */
static void reply_subscriber_counts(dblite_ctx *ctx, channel_table *table, int argc,
                                    const dblite_bytes *argv)
{
    dblite_reply_array(ctx, (long long)(argc - 2) * 2);
    for (int i = 2; i < argc; i++) {
        channel *ch = channel_find(table, argv[i].ptr, argv[i].len);
        dblite_reply_bulk(ctx, argv[i].ptr, argv[i].len);
        dblite_reply_integer(ctx, ch ? (long long)ch->subscriber_count : 0);
    }
}

static const char *const pubsub_help[] = {
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
};

static void command_pubsub(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    pubsub_state *state = state_of(ctx);
    const dblite_bytes *sub = &argv[1];
    if (argc == 2 && dblite_bytes_equal_nocase(*sub, "help")) {
        size_t lines = sizeof pubsub_help / sizeof *pubsub_help;
        dblite_reply_array(ctx, (long long)lines);
        for (size_t i = 0; i < lines; i++)
            dblite_reply_simple(ctx, pubsub_help[i]);
    } else if ((argc == 2 || argc == 3) && dblite_bytes_equal_nocase(*sub, "channels")) {
        reply_channel_list(ctx, &state->tables[KIND_CHANNEL], argc == 3 ? &argv[2] : NULL);
    } else if ((argc == 2 || argc == 3) && dblite_bytes_equal_nocase(*sub, "shardchannels")) {
        reply_channel_list(ctx, &state->tables[KIND_SHARD], argc == 3 ? &argv[2] : NULL);
    } else if (dblite_bytes_equal_nocase(*sub, "numsub")) {
        reply_subscriber_counts(ctx, &state->tables[KIND_CHANNEL], argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "shardnumsub")) {
        reply_subscriber_counts(ctx, &state->tables[KIND_SHARD], argc, argv);
    } else if (argc == 2 && dblite_bytes_equal_nocase(*sub, "numpat")) {
        dblite_reply_integer(ctx, (long long)state->tables[KIND_PATTERN].count);
    } else if (dblite_bytes_equal_nocase(*sub, "channels") ||
               dblite_bytes_equal_nocase(*sub, "shardchannels")) {
        /* Past the subcommand's arity (-2): the handler's own error. */
        dblite_reply_error_format(ctx,
                                  "ERR unknown subcommand or wrong number of arguments for "
                                  "'%.*s'. Try PUBSUB HELP.",
                                  (int)(sub->len > 128 ? 128 : sub->len), sub->ptr);
    } else if (dblite_bytes_equal_nocase(*sub, "help") ||
               dblite_bytes_equal_nocase(*sub, "numpat")) {
        /* Known subcommand, wrong arity: Redis names it pubsub|sub. */
        char name[32];
        size_t length = sub->len < sizeof name - 1 ? sub->len : sizeof name - 1;
        for (size_t i = 0; i < length; i++) {
            char c = sub->ptr[i];
            name[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        name[length] = '\0';
        dblite_reply_error_format(ctx, "ERR wrong number of arguments for 'pubsub|%s' command",
                                  name);
    } else {
        dblite_reply_error_format(ctx, "ERR unknown subcommand '%.*s'. Try PUBSUB HELP.",
                                  (int)(sub->len > 128 ? 128 : sub->len), sub->ptr);
    }
}

static const dblite_command_spec pubsub_command_table[] = {
    DBLITE_COMMAND(.name = "subscribe", .arity = -2, .flags = "noscript loading stale",
                   .handler = command_subscribe, .privdata = KIND_PRIVDATA(KIND_CHANNEL),
                   .summary = "Listen for messages published to the given channels",
                   .since = "2.0.0", .group = "pubsub", .arguments = "channel [channel ...]"),
    DBLITE_COMMAND(.name = "unsubscribe", .arity = -1, .flags = "noscript loading stale",
                   .handler = command_unsubscribe, .privdata = KIND_PRIVDATA(KIND_CHANNEL),
                   .summary = "Stop listening for messages posted to the given channels",
                   .since = "2.0.0", .group = "pubsub", .arguments = "[channel [channel ...]]"),
    DBLITE_COMMAND(.name = "psubscribe", .arity = -2, .flags = "noscript loading stale",
                   .handler = command_subscribe, .privdata = KIND_PRIVDATA(KIND_PATTERN),
                   .summary =
                       "Listen for messages published to channels matching the given patterns",
                   .since = "2.0.0", .group = "pubsub", .arguments = "pattern [pattern ...]"),
    DBLITE_COMMAND(.name = "punsubscribe", .arity = -1, .flags = "noscript loading stale",
                   .handler = command_unsubscribe, .privdata = KIND_PRIVDATA(KIND_PATTERN),
                   .summary =
                       "Stop listening for messages posted to channels matching the given patterns",
                   .since = "2.0.0", .group = "pubsub", .arguments = "[pattern [pattern ...]]"),
    DBLITE_COMMAND(.name = "ssubscribe", .arity = -2, .flags = "noscript loading stale",
                   .handler = command_subscribe, .privdata = KIND_PRIVDATA(KIND_SHARD),
                   .summary = "Listen for messages published to the given shard channels",
                   .since = "7.0.0", .group = "pubsub",
                   .arguments = "shardchannel [shardchannel ...]"),
    DBLITE_COMMAND(.name = "sunsubscribe", .arity = -1, .flags = "noscript loading stale",
                   .handler = command_unsubscribe, .privdata = KIND_PRIVDATA(KIND_SHARD),
                   .summary = "Stop listening for messages posted to the given shard channels",
                   .since = "7.0.0", .group = "pubsub",
                   .arguments = "[shardchannel [shardchannel ...]]"),
    DBLITE_COMMAND(.name = "publish", .arity = 3, .flags = "loading stale fast may-replicate",
                   .handler = command_publish, .summary = "Post a message to a channel",
                   .since = "2.0.0", .group = "pubsub", .arguments = "channel message"),
    DBLITE_COMMAND(.name = "spublish", .arity = 3, .flags = "loading stale fast",
                   .handler = command_spublish, .summary = "Post a message to a shard channel",
                   .since = "7.0.0", .group = "pubsub", .arguments = "shardchannel message"),
    DBLITE_COMMAND(.name = "pubsub", .arity = -2, .flags = "loading stale",
                   .handler = command_pubsub, .summary = "A container for Pub/Sub commands",
                   .since = "2.8.0", .group = "pubsub", .arguments = "subcommand [argument ...]"),
};

int pubsub_commands_register(dblite_module *module)
{
    return dblite_command_register_table(
        module, pubsub_command_table, sizeof pubsub_command_table / sizeof *pubsub_command_table);
}
