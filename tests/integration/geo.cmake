# Geo commands against a stock redis-server: random points and random
# searches (GEOSEARCH, GEORADIUS..., STORE variants, GEODIST, GEOHASH,
# GEOPOS) must get byte-identical replies in RESP2 and RESP3.
dblite_add_script_test(geo_random python3 ${CMAKE_CURRENT_LIST_DIR}/test_geo.py)
