# bench_common.sh - sourced (bash) by every benchmark in bench/: the
# settings they all take (which dblite-server and config, which reference
# redis-server, core pinning), the checks before a run, and the small
# measuring tools (server CPU time and resident memory from /proc, medians,
# running the client on its own core).  Each benchmark keeps only what it
# measures.
#
# CPU time is the sum over all of the process's threads.  The per-thread
# scheduler run time (/proc/PID/task/TID/schedstat, nanoseconds) is used when
# the kernel provides it, because utime+stime from /proc/PID/stat only moves
# in clock ticks (10 ms) and a pipelined benchmark run may take well under a
# second of server CPU; otherwise utime+stime is used.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$BENCH_DIR/.." && pwd)
. "$SOURCE_DIR/scripts/lib/server_launch.sh"
# The python parts import resp_client.py from here.
export PYTHONPATH="$BENCH_DIR${PYTHONPATH:+:$PYTHONPATH}"

dblite_binary=${DBLITE_SERVER:-$SOURCE_DIR/build/dblite-server}
dblite_config=$SOURCE_DIR/config/dblite.ini
redis_binary=$(command -v redis-server || true)
pin=1

# The usage lines of the shared options.
shared_usage() {
    cat <<USAGE
      --no-pin          do not pin servers and clients to cores
      --dblite PATH     server binary (default $dblite_binary)
      --config PATH     its config (default $dblite_config)
      --redis PATH      reference redis-server (default ${redis_binary:-none found})
USAGE
}

# shared_option OPTION VALUE: takes a shared option; returns how many
# arguments it used (1 or 2), or 0 when OPTION is not a shared one.
shared_option() {
    case "$1" in
        --no-pin) pin=0; return 1 ;;
        --dblite) dblite_binary=$2; return 2 ;;
        --config) dblite_config=$2; return 2 ;;
        --redis) redis_binary=$2; return 2 ;;
    esac
    return 0
}

# parse_options ARG...: the command line.  The script defines usage and
# own_option OPTION VALUE, which takes one of its own options and returns
# how many arguments it used (0: not one of its options), as shared_option.
parse_options() {
    local used
    while [ $# -gt 0 ]; do
        case "$1" in -h|--help) usage; exit 0 ;; esac
        shared_option "$@"
        used=$?
        if [ "$used" -eq 0 ]; then
            own_option "$@"
            used=$?
        fi
        if [ "$used" -eq 0 ] || [ "$used" -gt $# ]; then
            echo "$(basename "$0"): unknown option or missing value: $1" >&2
            usage >&2
            exit 2
        fi
        shift "$used"
    done
}

# check_setup NAME TOOL...: the tools and both servers are there (else a
# message prefixed NAME and exit 2); dblite finds the modules built beside
# its binary; pinning is off on a one-core machine.
check_setup() {
    local name=$1 tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$name: missing $tool (run scripts/install-deps.sh)" >&2; exit 2; }
    done
    [ -x "$dblite_binary" ] || { echo "$name: no server at $dblite_binary (build it first: scripts/run-server.sh or cmake --build build)" >&2; exit 2; }
    [ -n "$redis_binary" ] && [ -x "$redis_binary" ] || { echo "$name: redis-server not found (run scripts/install-deps.sh)" >&2; exit 2; }
    export DBLITE_MODULE_PATH=${DBLITE_MODULE_PATH:-$(dirname "$dblite_binary")/modules}
    if [ "$pin" = 1 ] && { [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; }; then
        pin=0
    fi
}

# positive_numbers NAME VALUE...: exit 2 unless every VALUE is a positive integer.
positive_numbers() {
    local name=$1 number
    shift
    for number in "$@"; do
        [[ "$number" =~ ^[1-9][0-9]*$ ]] || { echo "$name: not a positive number: $number" >&2; exit 2; }
    done
}

# pin_server PID: the server runs on core 0 (when pinning).
pin_server() {
    [ "$pin" = 1 ] && taskset -a -p -c 0 "$1" >/dev/null
    return 0
}

# client COMMAND...: runs a benchmark client on core 1 (when pinning).
client() {
    if [ "$pin" = 1 ]; then
        taskset -c 1 "$@"
    else
        "$@"
    fi
}

# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

CLOCK_TICKS=$(getconf CLK_TCK 2>/dev/null || echo 100)

# cpu_source PID: "schedstat" or "stat", the source cpu_ns will use.
cpu_source() {
    if ls /proc/"$1"/task/*/schedstat >/dev/null 2>&1; then
        echo schedstat
    else
        echo stat
    fi
}

# cpu_ns PID: CPU time used so far by the whole process, in nanoseconds.
cpu_ns() {
    local pid=$1
    if [ "$(cpu_source "$pid")" = schedstat ]; then
        cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ sum += $1 } END { printf "%.0f\n", sum }'
    else
        # The command name (field 2) may hold spaces: cut after its ')'.
        sed 's/^.*) //' /proc/"$pid"/stat |
            awk -v ticks="$CLOCK_TICKS" '{ printf "%.0f\n", ($12 + $13) * 1e9 / ticks }'
    fi
}

# rss_kb PID: resident set size (VmRSS) in kB.
rss_kb() {
    awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status
}

# start_both [ARG...]: a fresh dblite-server (DBLITE_PID, DBLITE_PORT ...,
# with dblite_extra_args too) and redis-server (REDIS_*), each given ARGs,
# both pinned; they are stopped at exit.  stop_both stops them earlier.
dblite_extra_args=()
start_both() {
    trap stop_both EXIT
    launch_server DBLITE "$dblite_binary" "$dblite_config" "${dblite_extra_args[@]}" "$@" || exit 1
    launch_server REDIS "$redis_binary" "" "$@" || exit 1
    pin_server "$DBLITE_PID"
    pin_server "$REDIS_PID"
}

stop_both() {
    stop_server DBLITE || echo "bench: dblite-server exited with status $? on SIGTERM" >&2
    stop_server REDIS || true
}
