# A deployment without zsets.so (and hashes.so): their commands are absent,
# SORT names the missing family its patterns need, and a snapshot holding a
# sorted set is refused at startup.  redis-py is a Debian package: run it
# with the system interpreter.
find_program(DBLITE_DEPLOY_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DBLITE_DEPLOY_PYTHON3)
  set(DBLITE_DEPLOY_PYTHON3 python3)
endif()
dblite_add_script_test(deploy_without_zsets ${DBLITE_DEPLOY_PYTHON3}
  ${CMAKE_CURRENT_LIST_DIR}/test_deploy_without_zsets.py)
