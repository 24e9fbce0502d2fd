# The core sorted-set commands against a python model: random writes
# across the packed/skiplist conversion (by size and by member length),
# every reply and every range form checked (see the script's header).
# redis-py is a Debian package: run it with the system interpreter.
find_program(DBLITE_ZSETS_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DBLITE_ZSETS_PYTHON3)
  set(DBLITE_ZSETS_PYTHON3 python3)
endif()
dblite_add_script_test(zsets_model ${DBLITE_ZSETS_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_zsets.py)
