# Tests of the bloom example plugin (examples/bloom): its commands against
# the real server with examples/bloom/bloom.ini, and its filters kept by the
# persistence module (RDB snapshots, the append-only file).  The persistence
# cases skip themselves while persistence.so is not built.
foreach(bloom_test bloom_plugin_test bloom_persistence_test)
  dblite_add_integration_test(${bloom_test}
    ${CMAKE_CURRENT_LIST_DIR}/${bloom_test}.c
    ${CMAKE_CURRENT_LIST_DIR}/bloom_test_support.c)
  target_link_libraries(${bloom_test} PRIVATE dblite_test_reply_checks)
  add_dependencies(${bloom_test} dblite_example_bloom strings)
  if(TARGET persistence)
    add_dependencies(${bloom_test} persistence)
  endif()
endforeach()

# bloom built out of tree against a staged install, with make (gcc and
# clang) and its standalone CMake project, then loaded by the installed
# server.
dblite_add_script_test(bloom_sdk_build bash ${CMAKE_CURRENT_LIST_DIR}/bloom_sdk_build.sh)
