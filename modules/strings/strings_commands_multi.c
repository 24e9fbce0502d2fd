/*
 * strings_commands_multi.c - MSET and MSETNX.
 *
 * Every value is built before the first key changes, so running out of
 * memory answers an error without leaving half of the keys written.
 */
#include "string_access.h"
#include "string_value.h"
#include "strings.h"

/* Values prepared on the stack before falling back to a heap array. */
#define STACK_VALUES 32

/* Builds the values of argv's key/value pairs into values[]; DBLITE_OK, or
 * DBLITE_ERR with nothing left allocated. */
static int create_values(dblite_ctx *ctx, int argc, const dblite_bytes *argv, void **values)
{
    int count = 0;
    for (int index = 2; index < argc; index += 2) {
        values[count] = string_create_from_argument(ctx, argv, index);
        if (values[count] == NULL) {
            while (count > 0)
                string_value_free(values[--count]);
            return DBLITE_ERR;
        }
        count++;
    }
    return DBLITE_OK;
}

/* Stores every pair; DBLITE_OK or DBLITE_ERR after replying. */
static int store_pairs(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int pairs = (argc - 1) / 2;
    void *stack_values[STACK_VALUES];
    void **values = stack_values;
    if (pairs > STACK_VALUES) {
        values = dblite_alloc(sizeof(void *) * (size_t)pairs);
        if (values == NULL) {
            string_reply_out_of_memory(ctx);
            return DBLITE_ERR;
        }
    }
    int status = create_values(ctx, argc, argv, values);
    if (status != DBLITE_OK) {
        string_reply_out_of_memory(ctx);
    } else {
        int pair = 0;
        /* The store owns each value even when it fails, so the remaining
         * ones are freed here if one store is refused. */
        for (; pair < pairs; pair++) {
            status =
                string_store_or_reply(ctx, argv[1 + 2 * pair], values[pair], DBLITE_SET_DEFAULT);
            if (status != DBLITE_OK)
                break;
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "set", argv[1 + 2 * pair]);
        }
        for (pair++; status != DBLITE_OK && pair < pairs; pair++)
            string_value_free(values[pair]);
    }
    if (values != stack_values)
        dblite_free(values);
    return status;
}

void strings_mset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc % 2 == 0) {
        dblite_reply_wrong_arity(ctx);
        return;
    }
    if (store_pairs(ctx, argc, argv) == DBLITE_OK)
        dblite_reply_ok(ctx);
}

void strings_msetnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc % 2 == 0) {
        dblite_reply_wrong_arity(ctx);
        return;
    }
    for (int index = 1; index < argc; index += 2) {
        if (dblite_key_type(ctx, argv[index], DBLITE_LOOKUP_WRITE) != NULL) {
            dblite_reply_integer(ctx, 0);
            return;
        }
    }
    if (store_pairs(ctx, argc, argv) == DBLITE_OK)
        dblite_reply_integer(ctx, 1);
}
