# Unit tests of the request parser (core/protocol/request_parser.c): test
# vectors fed whole, byte by byte and in random pieces, pipelining, limits.
# malloc and realloc are wrapped so the test can make allocations fail.
dblite_add_unit_test(test_request_parser ${CMAKE_CURRENT_LIST_DIR}/test_request_parser.c)
target_link_options(test_request_parser PRIVATE "LINKER:--wrap=malloc" "LINKER:--wrap=realloc")
