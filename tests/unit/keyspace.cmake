# Unit tests of the keyspace hash table (with its keyed hash) and of glob
# matching.  Paths are relative to this fragment so it can be included from
# anywhere.
dblite_add_unit_test(test_keytable ${CMAKE_CURRENT_LIST_DIR}/test_keytable.c)
# The table test interposes on the allocator to count live bytes and to make
# chosen allocations fail.
target_link_options(test_keytable PRIVATE -Wl,--wrap=dblite_alloc -Wl,--wrap=dblite_free)

dblite_add_unit_test(test_glob ${CMAKE_CURRENT_LIST_DIR}/test_glob.c)
