# Plugins of older API versions keep loading (binary compatibility): the
# bloom example's sources built against the frozen API version 3 header
# (tests/api_compat/v3/dblite_module.h) into build/api-compat-v3/bloom.so,
# beside links to the bundled modules, then the bloom plugin and
# persistence tests and test_api_v3_plugin run against that folder.
set(api_v3_module_dir ${CMAKE_BINARY_DIR}/api-compat-v3)
file(GLOB api_v3_bloom_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/bloom/*.c)
add_library(api_v3_bloom MODULE ${api_v3_bloom_sources})
target_include_directories(api_v3_bloom PRIVATE ${CMAKE_CURRENT_LIST_DIR}/v3)
target_link_libraries(api_v3_bloom PRIVATE m)
set_target_properties(api_v3_bloom PROPERTIES
  OUTPUT_NAME bloom
  PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${api_v3_module_dir}
  C_VISIBILITY_PRESET hidden)
# The bundled modules the tests load beside it (bloom.ini loads strings).
set(api_v3_peer_modules strings)
if(TARGET persistence)
  list(APPEND api_v3_peer_modules persistence)
endif()
foreach(peer ${api_v3_peer_modules})
  add_custom_command(TARGET api_v3_bloom POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E create_symlink $<TARGET_FILE:${peer}> ${api_v3_module_dir}/${peer}.so
    VERBATIM)
  add_dependencies(api_v3_bloom ${peer})
endforeach()

set(api_v3_env "DBLITE_MODULE_PATH=${api_v3_module_dir}")
foreach(bloom_test bloom_plugin_test bloom_persistence_test)
  add_test(NAME api_v3_${bloom_test} COMMAND $<TARGET_FILE:${bloom_test}>)
  set_tests_properties(api_v3_${bloom_test} PROPERTIES LABELS integration TIMEOUT 600
    ENVIRONMENT "${DBLITE_TEST_ENV};${api_v3_env}")
endforeach()

dblite_add_integration_test(test_api_v3_plugin ${CMAKE_CURRENT_LIST_DIR}/test_api_v3_plugin.c)
add_dependencies(test_api_v3_plugin api_v3_bloom apiv5)
set_property(TEST test_api_v3_plugin APPEND PROPERTY ENVIRONMENT "${api_v3_env}")
