# Integration tests of the persistence module (RDB snapshots, the
# append-only file) against the real server and a stock redis-server, plus
# the probe test module whose type is stored as a Redis module value.
set(persistence_test_dir ${PROJECT_SOURCE_DIR}/tests/persistence)

add_library(probe MODULE ${persistence_test_dir}/probe_module.c)
set_target_properties(probe PROPERTIES
  PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test-modules
  C_VISIBILITY_PRESET hidden)
target_include_directories(probe PRIVATE ${PROJECT_SOURCE_DIR}/include)

foreach(persistence_test test_persistence_rdb test_persistence_aof
    test_persistence_aof_transactions test_persistence_aof_dir)
  dblite_add_integration_test(${persistence_test}
    ${CMAKE_CURRENT_LIST_DIR}/${persistence_test}.c
    ${persistence_test_dir}/persistence_test_support.c)
  target_include_directories(${persistence_test} PRIVATE ${persistence_test_dir})
  target_link_libraries(${persistence_test} PRIVATE dblite_test_reply_checks)
  add_dependencies(${persistence_test} persistence strings expiry probe)
  foreach(optional_module lists hashes sets zsets)
    if(TARGET ${optional_module})
      add_dependencies(${persistence_test} ${optional_module})
    endif()
  endforeach()
  set_property(TEST ${persistence_test} APPEND PROPERTY ENVIRONMENT
    "DBLITE_PROBE_MODULE=$<TARGET_FILE:probe>")
endforeach()
