# Unit tests of the hashes and sets modules' encodings: integer sets, the
# element table, random draws, the hash and set values that convert between
# encodings, and the types' snapshot/rewrite methods (the packed lists have
# their own test, packed_list.cmake).  The sources are compiled straight into
# the test, which supplies the module API functions they link against: the
# allocator (counting live blocks, failing on demand), a recording snapshot
# stream, a replaying rewriter, and type registration.
set(DBLITE_COLLECTIONS_SOURCE_DIR ${PROJECT_SOURCE_DIR}/modules)
dblite_add_unit_test(test_hash_set_encodings
  ${CMAKE_CURRENT_LIST_DIR}/test_hash_set_encodings.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/common/random_source.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/common/random_sample.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/common/packed_list.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/common/element_table.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/hashes/hash_value.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/hashes/hash_type.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/sets/int_set.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/sets/set_value.c
  ${DBLITE_COLLECTIONS_SOURCE_DIR}/sets/set_type.c)
target_include_directories(test_hash_set_encodings PRIVATE ${DBLITE_COLLECTIONS_SOURCE_DIR})
