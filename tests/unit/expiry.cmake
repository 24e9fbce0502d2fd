# Unit tests of the expiry module's TTL index (hash table + deadline heap).
# ttl_index.c is compiled straight into the test, which supplies the
# allocator it links against (counting live memory, failing on demand)
# instead of the server's.
set(DBLITE_EXPIRY_SOURCE_DIR ${PROJECT_SOURCE_DIR}/modules/expiry)
dblite_add_unit_test(test_ttl_index
  ${CMAKE_CURRENT_LIST_DIR}/test_ttl_index.c
  ${DBLITE_EXPIRY_SOURCE_DIR}/ttl_index.c)
target_include_directories(test_ttl_index PRIVATE ${DBLITE_EXPIRY_SOURCE_DIR})
