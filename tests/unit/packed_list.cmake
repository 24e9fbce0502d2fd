# Unit tests of the packed encoding shared by lists, hashes, sets and sorted
# sets (modules/common/packed_list.c), in each of its flag combinations.
# The source is compiled straight into the test, which supplies the
# allocator (counting live blocks, failing on demand).
dblite_add_unit_test(test_packed_list
  ${CMAKE_CURRENT_LIST_DIR}/test_packed_list.c
  ${PROJECT_SOURCE_DIR}/modules/common/packed_list.c)
target_include_directories(test_packed_list PRIVATE ${PROJECT_SOURCE_DIR}/modules)
