# proc_stats.sh - sourced by bench.sh: reads a process's CPU time and
# resident memory from /proc.
#
# CPU time is the sum over all of the process's threads.  The per-thread
# scheduler run time (/proc/PID/task/TID/schedstat, nanoseconds) is used when
# the kernel provides it, because utime+stime from /proc/PID/stat only moves
# in clock ticks (10 ms) and a pipelined benchmark run may take well under a
# second of server CPU; otherwise utime+stime is used.

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
