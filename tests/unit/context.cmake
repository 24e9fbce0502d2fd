# Unit test of the execution contexts (core/commands/context.c): the order
# of what commands run in a context, or nested in one, propagate.  The
# allocator is wrapped so a nested hand-over can be made to fail.
dblite_add_unit_test(test_context ${CMAKE_CURRENT_LIST_DIR}/test_context.c)
target_link_options(test_context PRIVATE "LINKER:--wrap=server_alloc" "LINKER:--wrap=server_strndup")
