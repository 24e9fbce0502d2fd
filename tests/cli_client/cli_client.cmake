# dblite-cli (cli/) tests.  Unit tests link the client's library; the
# script tests run the real dblite-cli binary against real servers and
# compare it with the stock redis-cli (redis-tools) byte for byte.
dblite_add_unit_test(test_cli_resp_reader ${CMAKE_CURRENT_LIST_DIR}/test_resp_reader.c)
target_link_libraries(test_cli_resp_reader PRIVATE dblite_cli_lib)
target_link_options(test_cli_resp_reader PRIVATE
  "LINKER:--wrap=malloc" "LINKER:--wrap=calloc" "LINKER:--wrap=realloc")

dblite_add_unit_test(test_cli_text ${CMAKE_CURRENT_LIST_DIR}/test_cli_text.c)
target_link_libraries(test_cli_text PRIVATE dblite_cli_lib)

# Output identical to redis-cli: every reply shape, RESP2/RESP3, raw and
# terminal forms, stdin, -n, -a, help.
dblite_add_script_test(cli_client_output python3 ${CMAKE_CURRENT_LIST_DIR}/test_output.py)
# --pipe, --stat and the interactive prompt (driven through a pseudo-terminal).
dblite_add_script_test(cli_client_modes python3 ${CMAKE_CURRENT_LIST_DIR}/test_modes.py)
