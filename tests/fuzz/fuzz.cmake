# Fuzzing smoke test of the request parser, only when clang (libFuzzer) is
# available: 10 seconds, label "fuzz".  Longer campaigns:
# tests/fuzz/run-fuzz.sh <seconds>.
find_program(DBLITE_FUZZ_CLANG NAMES clang)
if(DBLITE_FUZZ_CLANG)
  add_test(NAME fuzz_request_parser COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run-fuzz.sh 10)
  set_tests_properties(fuzz_request_parser PROPERTIES
    LABELS fuzz
    TIMEOUT 180
    ENVIRONMENT "DBLITE_FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz;DBLITE_FUZZ_CC=${DBLITE_FUZZ_CLANG}")
endif()
