# Unit tests of WATCH's bookkeeping and the modified-key signal (core/keyspace/
# watch.c).  malloc, calloc and realloc are wrapped and counted: signalling a
# write nobody watches must allocate nothing.
dblite_add_unit_test(test_watch ${CMAKE_CURRENT_LIST_DIR}/test_watch.c)
target_link_options(test_watch PRIVATE "LINKER:--wrap=malloc" "LINKER:--wrap=calloc" "LINKER:--wrap=realloc")
