/*
 * sets_service.c - the set-value service (dblite_sets_service.h) that
 * sets.so exports: other modules (the sorted-set algebra, which takes sets
 * as inputs) read set members through it and never see set_value.c's
 * encodings.
 *
 * The table is constant; its functions reach sets.so's state (the type
 * handle) through dblite_service_data, since they run with the caller's
 * context.
 */
#include "sets_service.h"

#include "dblite_sets_service.h"
#include "set_value.h"
#include "sets.h"

static const dblite_type *service_set_type(void)
{
    const sets_state *state = dblite_service_data(DBLITE_SETS_SERVICE);
    return state != NULL ? state->type : NULL;
}

static size_t service_length(const void *set)
{
    return set_value_length(set);
}

static int service_contains(const void *set, dblite_bytes member)
{
    return set_value_contains(set, member);
}

static int service_foreach(const void *set, dblite_sets_visit_fn visit, void *privdata)
{
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    while (set_iterator_next(&iterator, &member)) {
        int answer = visit(member.bytes, privdata);
        if (answer != 0)
            return answer;
    }
    return 0;
}

static const dblite_sets_service sets_service = {
    .version = 1,
    .type = service_set_type,
    .length = service_length,
    .contains = service_contains,
    .foreach = service_foreach,
};

int sets_service_export(dblite_module *module)
{
    return dblite_service_export(module, DBLITE_SETS_SERVICE, (void *)&sets_service);
}
