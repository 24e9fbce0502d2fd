# Real applications driven by their own libraries (RQ, Celery,
# django-redis, redis-py, ioredis, node-redis, Sidekiq), each against
# dblite and, as the check that the test itself is right, against a stock
# redis-server 7.0 (the *_redis twins).  A test whose application needs
# commands dblite does not have yet prints "needs: ..." and exits 77,
# which ctest reports as skipped (see app_support.py).
#
# The Python applications are Debian packages, installed for the system
# interpreter: prefer /usr/bin/python3 over whatever python3 comes first
# in PATH (a pyenv or virtualenv one would not see them).
find_program(DBLITE_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DBLITE_SYSTEM_PYTHON3)
  set(DBLITE_SYSTEM_PYTHON3 python3)
endif()

function(dblite_add_app_test name)
  dblite_add_script_test(${name} ${ARGN})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS "integration;apps")
  dblite_add_script_test(${name}_redis ${ARGN} --server redis)
  set_tests_properties(${name}_redis PROPERTIES SKIP_RETURN_CODE 77 LABELS "integration;apps")
endfunction()

dblite_add_app_test(apps_redis_py ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_redis_py.py)
# redis-py's Lock: acquire/extend/reacquire/release (Lua scripts through EVALSHA).
dblite_add_app_test(apps_redis_py_lock ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_redis_py_lock.py)
dblite_add_app_test(apps_rq ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_rq.py)
dblite_add_app_test(apps_django_redis ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_django_redis.py)
dblite_add_app_test(apps_celery ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_celery.py)
# Sidekiq (ruby-sidekiq): the `sidekiq` processor and a ruby client driver.
dblite_add_app_test(apps_sidekiq ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_sidekiq.py)

# The node applications (ioredis, node-redis): their npm packages come from
# the committed package-lock.json, installed by `npm ci` into this build
# tree once (the apps_node fixture), so a clean clone needs no hand setup.
set(DBLITE_APPS_NODE_DIR ${CMAKE_BINARY_DIR}/apps-node)
add_test(NAME apps_node_setup COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/node/setup.sh ${DBLITE_APPS_NODE_DIR})
set_tests_properties(apps_node_setup PROPERTIES FIXTURES_SETUP apps_node LABELS "integration;apps" TIMEOUT 600)
foreach(library ioredis node_redis)
  dblite_add_app_test(apps_${library} ${DBLITE_SYSTEM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_node.py test_${library}.js)
  set_tests_properties(apps_${library} apps_${library}_redis PROPERTIES
    FIXTURES_REQUIRED apps_node
    ENVIRONMENT_MODIFICATION "DBLITE_APPS_NODE_MODULES=set:${DBLITE_APPS_NODE_DIR}/node_modules")
endforeach()
