# Hardening tests of issue 19, unbounded resource use (items 10-13): string
# growth, huge random counts under a memory limit, the integer fuzz of the
# command layer, and the timer heap.

# String growth: the value code compiled into the test with a counting
# allocator (deterministic counts, no clock).
dblite_add_unit_test(test_string_growth
  ${CMAKE_CURRENT_LIST_DIR}/test_string_growth.c
  ${PROJECT_SOURCE_DIR}/modules/strings/string_value.c)
target_include_directories(test_string_growth PRIVATE ${PROJECT_SOURCE_DIR}/modules
  ${PROJECT_SOURCE_DIR}/include)

# Timer heap: removal of arbitrary timers keeps deadline order, ids are never
# reused, removal cost counted by the id index's probes.
dblite_add_unit_test(test_timer_heap ${CMAKE_CURRENT_LIST_DIR}/test_timer_heap.c)

# Huge SRANDMEMBER/HRANDFIELD counts: refused when the reply cannot fit
# proto-max-bulk-len; under an address-space limit the greedy client is
# dropped and the server stays idle and quiet.  Skipped (77) in the
# sanitizer build, whose shadow memory cannot live under RLIMIT_AS.
if(DBLITE_SANITIZE)
  set(DBLITE_HUGE_COUNTS_ARGS --sanitized)
endif()
dblite_add_script_test(huge_counts python3 ${CMAKE_CURRENT_LIST_DIR}/huge_counts.py
  ${DBLITE_HUGE_COUNTS_ARGS})
set_tests_properties(huge_counts PROPERTIES SKIP_RETURN_CODE 77)

# The log collapses a storm of identical lines.
dblite_add_unit_test(test_log_repeats ${CMAKE_CURRENT_LIST_DIR}/test_log_repeats.c)

# Extreme integers in every numeric position of every command (about 1.6M
# commands, ~20 s in the sanitizer build, where a signed overflow aborts the
# server and fails the test).
dblite_add_script_test(integer_fuzz python3 ${CMAKE_CURRENT_LIST_DIR}/integer_fuzz.py)
