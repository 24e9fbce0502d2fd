# Effects replication of Lua scripts side by side with redis-server: a
# script's writes reach the append-only file as its commands (MULTI/EXEC
# around more than one), never as the script; set_repl, EVAL_RO, refused
# writes; replay after kill -9 (see the script's header).  Standard library
# only.
dblite_add_script_test(scripting_effects python3 ${CMAKE_CURRENT_LIST_DIR}/test_scripting_effects.py)
