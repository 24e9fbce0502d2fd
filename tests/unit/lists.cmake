# Unit tests of the lists module's element encoding (packed lists as lists
# use them, node chains and the value that switches between them).  The
# encoding sources are compiled straight into the test: they need no running
# server, only an allocator, which the test supplies itself (counting, and
# failing on demand) in place of the server's.
set(DBLITE_LISTS_SOURCE_DIR ${PROJECT_SOURCE_DIR}/modules/lists)
dblite_add_unit_test(test_list_encoding
  ${CMAKE_CURRENT_LIST_DIR}/test_list_encoding.c
  ${PROJECT_SOURCE_DIR}/modules/common/packed_list.c
  ${DBLITE_LISTS_SOURCE_DIR}/list_chain.c
  ${DBLITE_LISTS_SOURCE_DIR}/list_value.c)
target_include_directories(test_list_encoding PRIVATE ${DBLITE_LISTS_SOURCE_DIR}
  ${PROJECT_SOURCE_DIR}/modules)
