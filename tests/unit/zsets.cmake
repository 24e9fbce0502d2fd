# Unit tests of the sorted-set encodings (modules/zsets: the packed list of
# member/score pairs, the span skiplist over element_table nodes, and the
# zset_value that switches between them) and of the zset type's methods.
# The sources are compiled straight into the test, which supplies the
# module API functions they link against: the allocator (counting live
# blocks and bytes, failing on demand), type registration, a replaying
# rewriter, and stand-ins for the snapshot methods (zset_snapshot.c is
# tested with the persistence module, which writes and reads its payload).
set(DBLITE_ZSETS_MODULES_DIR ${PROJECT_SOURCE_DIR}/modules)
dblite_add_unit_test(test_zset
  ${CMAKE_CURRENT_LIST_DIR}/test_zset.c
  ${DBLITE_ZSETS_MODULES_DIR}/common/random_source.c
  ${DBLITE_ZSETS_MODULES_DIR}/common/packed_list.c
  ${DBLITE_ZSETS_MODULES_DIR}/common/element_table.c
  ${DBLITE_ZSETS_MODULES_DIR}/zsets/zset_packed.c
  ${DBLITE_ZSETS_MODULES_DIR}/zsets/zset_skiplist.c
  ${DBLITE_ZSETS_MODULES_DIR}/zsets/zset_value.c
  ${DBLITE_ZSETS_MODULES_DIR}/zsets/zset_type.c)
target_include_directories(test_zset PRIVATE ${DBLITE_ZSETS_MODULES_DIR})
target_link_libraries(test_zset PRIVATE m)
