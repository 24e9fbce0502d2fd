# Fuzzing smoke test of the persistence loaders (RDB, append-only file,
# DUMP payloads), only when clang (libFuzzer) is available: 10 seconds,
# label "fuzz".  Longer campaigns:
# tests/persistence/run-persistence-fuzz.sh <seconds>.
find_program(DBLITE_PERSISTENCE_FUZZ_CLANG NAMES clang)
if(DBLITE_PERSISTENCE_FUZZ_CLANG)
  add_test(NAME fuzz_rdb_loader
    COMMAND sh ${PROJECT_SOURCE_DIR}/tests/persistence/run-persistence-fuzz.sh 10)
  set_tests_properties(fuzz_rdb_loader PROPERTIES
    LABELS fuzz
    TIMEOUT 180
    ENVIRONMENT "DBLITE_FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz;DBLITE_FUZZ_CC=${DBLITE_PERSISTENCE_FUZZ_CLANG}")
endif()
