#!/usr/bin/env bash
# transactions.sh - MULTI/EXEC of three commands (SET, INCR, LPUSH), for
# dblite-server and a stock redis-server side by side (issue 12).
#
# bench/transaction_client.py runs CLIENTS connections, each sending P
# transactions at a time and waiting for their replies (P1 and P16 by
# default); it fails on any error reply or aborted EXEC and checks at the
# end that the INCR counter and the list length equal the transactions
# sent.  Both servers run at once (no persistence), the same load goes to
# each in turn, the order alternating per round; the table shows median
# transactions/s and the server CPU microseconds per transaction (5
# commands).  The client is python on its own core: at P1 it is the
# bottleneck long before either server, so CPU per transaction is the
# number that compares the servers.
#
# Run `bench/transactions.sh --help` for the options.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

transactions=50000
clients=50
pipelines="1,16"
rounds=3

usage() {
    cat <<USAGE
Usage: bench/transactions.sh [options]
  -n, --transactions N  transactions per run (default $transactions)
  -c, --clients N       parallel connections (default $clients)
  -P, --pipelines L     comma-separated pipeline depths, in transactions (default $pipelines)
  -r, --rounds N        rounds, results are medians (default $rounds)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -n|--transactions) transactions=$2; return 2 ;;
        -c|--clients) clients=$2; return 2 ;;
        -P|--pipelines) pipelines=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers transactions "$transactions" "$clients" "$rounds" ${pipelines//,/ }
check_setup transactions python3 awk

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-transactions-XXXXXX")
cleanup() {
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    rm -rf "$WORK_DIR"
}
trap 'exit 130' INT TERM

# run_one SIDE PIPELINE ROUND: appends "side p tx/s cpu_us_per_tx" to results.
run_one() {
    local side=$1 pipeline=$2 round=$3
    local pid_var="${side}_PID" port_var="${side}_PORT"
    local pid=${!pid_var} port=${!port_var} cpu_before cpu_after output
    cpu_before=$(cpu_ns "$pid")
    output=$(client timeout 600 python3 "$BENCH_DIR/transaction_client.py" "$port" "$transactions" \
        "$clients" "$pipeline" "$pipeline.$round") || {
        echo "transactions: ${side,,} P$pipeline round $round failed" >&2
        exit 1
    }
    cpu_after=$(cpu_ns "$pid")
    kill -0 "$pid" 2>/dev/null || { echo "transactions: $side died" >&2; exit 1; }
    awk -v s="$side" -v p="$pipeline" -v tps="${output%% *}" -v cpu=$((cpu_after - cpu_before)) \
        -v n="$transactions" 'BEGIN { printf "%s %d %s %.3f\n", s, p, tps, cpu / n / 1000 }' >>"$WORK_DIR/results"
}

start_both
trap cleanup EXIT
echo "dblite-server pid $DBLITE_PID port $DBLITE_PORT; redis-server pid $REDIS_PID port $REDIS_PORT"
echo "MULTI; SET; INCR; LPUSH; EXEC: transactions $transactions, clients $clients, rounds $rounds, pinned $pin"
: >"$WORK_DIR/results"
for round in $(seq 1 "$rounds"); do
    for pipeline in ${pipelines//,/ }; do
        printf '\rround %d/%d: P%-3s' "$round" "$rounds" "$pipeline" >&2
        if [ $((round % 2)) = 1 ]; then
            run_one DBLITE "$pipeline" "$round"; run_one REDIS "$pipeline" "$round"
        else
            run_one REDIS "$pipeline" "$round"; run_one DBLITE "$pipeline" "$round"
        fi
    done
done
printf '\r%40s\r' "" >&2

printf '\n%3s %12s %12s %6s %9s %9s %6s\n' P "dblite tx/s" "redis tx/s" ratio "d us/tx" "r us/tx" cpu
for pipeline in ${pipelines//,/ }; do
    v=()
    for side in DBLITE REDIS; do
        for column in 3 4; do
            v+=("$(awk -v s="$side" -v p="$pipeline" -v k="$column" '$1 == s && $2 == p { print $k }' \
                "$WORK_DIR/results" | median)")
        done
    done
    awk -v p="$pipeline" -v dt="${v[0]}" -v dc="${v[1]}" -v rt="${v[2]}" -v rc="${v[3]}" 'BEGIN {
        printf "%3d %12.0f %12.0f %6.2f %9.3f %9.3f %6.2f\n", p, dt, rt, dt / rt, dc, rc, rc / dc }'
done
cat <<NOTE

tx/s = transactions (5 commands each) per second; us/tx = server CPU
microseconds per transaction ($(cpu_source "$DBLITE_PID") source).  ratio = dblite tx/s / redis
tx/s; cpu = redis us/tx / dblite us/tx (higher is better for dblite).  Every
run's transactions all executed once (counter and list length checked).
NOTE
stop_both
exit 0
