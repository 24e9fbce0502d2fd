# Unit tests of the module API's utilities (glob, number formatting and
# parsing, keyed hash, SCAN cursors, memory sizes): they live in the core
# library, which every unit test links, and are called under their public
# dblite_* names.
dblite_add_unit_test(test_utilities ${CMAKE_CURRENT_LIST_DIR}/test_utilities.c)
