# Integration test of the bitmap commands (strings module): the 512 MB
# offset edge, growth at rising offsets, persistence and WATCH, against the
# real server with the default config.
dblite_add_integration_test(test_bitmaps ${CMAKE_CURRENT_LIST_DIR}/test_bitmaps.c)
add_dependencies(test_bitmaps strings persistence)
target_link_libraries(test_bitmaps PRIVATE dblite_test_reply_checks)
