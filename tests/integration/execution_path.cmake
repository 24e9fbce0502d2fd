# Integration test of the one execution path (core/commands/context.c)
# through the append-only file: a hook's, served blocked clients', a
# timer's and an unblocked client's pipelined writes reach the log in order
# and replay after kill -9.  Needs the lists module and hooktest.so
# (tests/modules, defined after this fragment: dependencies resolve late).
if(TARGET lists)
  dblite_add_integration_test(test_execution_path
    ${CMAKE_CURRENT_LIST_DIR}/test_execution_path.c
    ${PROJECT_SOURCE_DIR}/tests/persistence/persistence_test_support.c)
  target_include_directories(test_execution_path PRIVATE ${PROJECT_SOURCE_DIR}/tests/persistence)
  target_link_libraries(test_execution_path PRIVATE dblite_test_reply_checks)
  add_dependencies(test_execution_path persistence strings expiry lists hooktest probe)
  foreach(optional_module hashes sets)
    if(TARGET ${optional_module})
      add_dependencies(test_execution_path ${optional_module})
    endif()
  endforeach()
  set_property(TEST test_execution_path APPEND PROPERTY ENVIRONMENT
    "DBLITE_PROBE_MODULE=$<TARGET_FILE:probe>")
endif()
