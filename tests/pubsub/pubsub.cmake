# pubsub.so over several connections, against a stock redis-server where
# the bytes must match: delivery order, RESP3 pushes among replies, 10,000
# channels, a subscriber that disconnects, and the module left out.
dblite_add_script_test(pubsub_clients python3 ${CMAKE_CURRENT_LIST_DIR}/test_pubsub.py)
