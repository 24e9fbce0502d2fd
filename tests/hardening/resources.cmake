# Hardening tests of issue 19, unbounded resource use (items 10-13): string
# growth, huge random counts under a memory limit, the integer fuzz of the
# command layer, and the timer heap.

# String growth: the value code compiled into the test with a counting
# allocator (deterministic counts, no clock).
dblite_add_unit_test(test_string_growth
  ${CMAKE_CURRENT_LIST_DIR}/test_string_growth.c
  ${PROJECT_SOURCE_DIR}/modules/strings/string_value.c
  ${PROJECT_SOURCE_DIR}/modules/strings/integer_text.c)
target_include_directories(test_string_growth PRIVATE ${PROJECT_SOURCE_DIR}/modules
  ${PROJECT_SOURCE_DIR}/include)

# Timer heap: removal of arbitrary timers keeps deadline order, ids are never
# reused, removal cost counted by the id index's probes.
dblite_add_unit_test(test_timer_heap ${CMAKE_CURRENT_LIST_DIR}/test_timer_heap.c)
