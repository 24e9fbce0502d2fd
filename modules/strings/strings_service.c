/*
 * strings_service.c - the string-value service (dblite_strings_service.h)
 * that strings.so exports: other modules read and store string values
 * through it and never see string_value.c's encoding.
 *
 * The table lives in the module's state (no globals).  Its functions run with the caller's context, so they reach strings.so's
 * state (the type handle) through dblite_service_data.
 */
#include "strings_service.h"

#include "dblite_strings_service.h"
#include "string_value.h"
#include "strings.h"

static const dblite_type *service_string_type(void)
{
    const strings_state *state = dblite_service_data(DBLITE_STRINGS_SERVICE);
    return state != NULL ? state->type : NULL;
}

static int service_read(dblite_ctx *ctx, dblite_bytes key, int flags,
                        char scratch[DBLITE_STRINGS_SCRATCH_SIZE], dblite_bytes *bytes)
{
    void *value = NULL;
    bytes->ptr = NULL;
    bytes->len = 0;
    const dblite_type *type = service_string_type();
    if (type == NULL)
        return DBLITE_ERR;
    int status = dblite_key_lookup(ctx, key, type, flags, &value);
    if (status != DBLITE_OK)
        return status;
    if (value != NULL)
        *bytes = string_value_bytes(value, scratch);
    return DBLITE_OK;
}

static int service_store(dblite_ctx *ctx, dblite_bytes key, const char *ptr, size_t len, int flags)
{
    const dblite_type *type = service_string_type();
    if (type == NULL)
        return DBLITE_ERR;
    void *value = string_value_create(ptr, len);
    if (value == NULL)
        return DBLITE_ERR_NOMEM;
    return dblite_key_set(ctx, key, type, value, flags);
}

int strings_service_export(dblite_module *module, strings_state *state)
{
    state->service.version = 1;
    state->service.read = service_read;
    state->service.store = service_store;
    return dblite_service_export(module, DBLITE_STRINGS_SERVICE, &state->service);
}
