# A deployment without scripting.so: EVAL and friends are absent, and come
# with the module.  redis-py is a Debian package: the system interpreter.
find_program(DBLITE_DEPLOY_SCRIPTING_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DBLITE_DEPLOY_SCRIPTING_PYTHON3)
  set(DBLITE_DEPLOY_SCRIPTING_PYTHON3 python3)
endif()
dblite_add_script_test(deploy_without_scripting ${DBLITE_DEPLOY_SCRIPTING_PYTHON3}
  ${CMAKE_CURRENT_LIST_DIR}/test_deploy_without_scripting.py)
