# Tests of the example plugins (examples/): the hello plugin against the real
# server with its own config, and the SDK as users get it: install, build
# hello out of tree with make and with CMake, load it into the installed
# server.
dblite_add_integration_test(hello_plugin_test ${CMAKE_CURRENT_LIST_DIR}/hello_plugin_test.c)
target_link_libraries(hello_plugin_test PRIVATE dblite_test_reply_checks)
add_dependencies(hello_plugin_test dblite_example_hello strings)

dblite_add_script_test(examples_sdk_install bash ${CMAKE_CURRENT_LIST_DIR}/test_sdk_install.sh)

# The examples need only the plugin author's header.
dblite_add_script_test(examples_plugin_header_only sh ${CMAKE_CURRENT_LIST_DIR}/plugin_header_only.sh
  ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER})
