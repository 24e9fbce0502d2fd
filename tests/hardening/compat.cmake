# compat.cmake - tests of the smaller differences from Redis 7.0 (issue 19):
# requests of more than a million arguments compared with redis-server.
# Most of this area's checks are differential cases in tests/diff/cases/.
dblite_add_script_test(compat_big_request python3 ${CMAKE_CURRENT_LIST_DIR}/test_compat_big_request.py)
# CLIENT LIST/KILL filters and INFO's sections on both servers, by structure.
dblite_add_script_test(compat_replies python3 ${CMAKE_CURRENT_LIST_DIR}/test_compat_replies.py)
