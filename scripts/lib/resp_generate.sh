# resp_generate.sh - sourced (bash): writes SET commands in RESP for
# `redis-cli --pipe` mass insertion, used by the redis-cli tests and by the
# benchmark's memory comparison.
#
#   resp_set_commands COUNT VALUE_SIZE > FILE
#       SET key:NNNNNNNNN <value> for N in 0..COUNT-1; each value is
#       VALUE_SIZE bytes: "v" + N, padded with "x" (or cut) to that size,
#       so values differ but have one size.  Decode a key's expected value
#       with resp_expected_value N VALUE_SIZE.

resp_set_commands() {
    awk -v count="$1" -v size="$2" 'BEGIN {
        pad = ""
        while (length(pad) < size) pad = pad "x"
        for (i = 0; i < count; i++) {
            key = sprintf("key:%09d", i)
            value = substr("v" i pad, 1, size)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(value), value
        }
    }'
}

resp_expected_value() {
    awk -v n="$1" -v size="$2" 'BEGIN {
        pad = ""
        while (length(pad) < size) pad = pad "x"
        print substr("v" n pad, 1, size)
    }'
}
