# Hardening tests of issue 19's data-loss items: appendfsync always never
# acknowledges before the log is written, AOF replay across passed deadlines,
# SHUTDOWN/SIGTERM with a failing final save, appendonly on an unwritable
# directory and the back-off of failed background jobs, LZF-compressed RDB
# strings.  They use the persistence tests' support code.
set(durability_support_dir ${PROJECT_SOURCE_DIR}/tests/persistence)
dblite_add_integration_test(test_durability
  ${CMAKE_CURRENT_LIST_DIR}/test_durability.c
  ${durability_support_dir}/persistence_test_support.c)
target_include_directories(test_durability PRIVATE ${durability_support_dir})
target_link_libraries(test_durability PRIVATE dblite_test_reply_checks)
add_dependencies(test_durability persistence strings expiry)
foreach(optional_module lists hashes sets)
  if(TARGET ${optional_module})
    add_dependencies(test_durability ${optional_module})
  endif()
endforeach()
