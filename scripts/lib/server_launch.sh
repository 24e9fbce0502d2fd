# server_launch.sh - sourced (bash) by the redis-cli tests and the benchmark:
# starts a server binary (dblite-server or a stock redis-server) on a free
# loopback port in a fresh temporary directory, waits for PING, stops it.
#
#   launch_server PREFIX BINARY CONFIG [EXTRA_ARGS...]
#       sets PREFIX_PID, PREFIX_PORT, PREFIX_DIR, PREFIX_LOG; returns 1 (log
#       shown) when the server does not answer PING within 10 s.  CONFIG may
#       be "" (none); it is ignored for redis-server, which instead gets
#       --save '' --appendonly no.  dblite gets --module-path
#       $DBLITE_MODULE_PATH when that is set.
#   stop_server PREFIX
#       SIGTERM, waits up to 30 s (then SIGKILL), removes the directory and
#       returns the server's exit status (137 when it had to be killed).
#
# Never touches port 6379: the port always comes from the kernel's free
# ephemeral range, so a system redis-server service is left alone.

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

is_redis_server() {
    case "$(basename "$1")" in
        redis-server*) return 0 ;;
        *) return 1 ;;
    esac
}

# ping_port PORT: true when a server on PORT answers PONG within 1 s.
ping_port() {
    [ "$(timeout 2 redis-cli -p "$1" --no-raw PING 2>/dev/null)" = "PONG" ]
}

launch_server() {
    local prefix=$1 binary=$2 config=$3
    shift 3
    local dir log port pid attempt deadline module_path=${DBLITE_MODULE_PATH:-}
    # The server runs inside its temporary directory: make paths absolute.
    case "$binary" in */*) binary=$(realpath -s "$binary") ;; esac
    [ -n "$config" ] && config=$(realpath -s "$config")
    [ -n "$module_path" ] && module_path=$(realpath -s "$module_path")
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dblite-${prefix,,}-XXXXXX") || return 1
    log="$dir/server.log"
    for attempt in 1 2 3 4 5; do
        port=$(free_port) || return 1
        local command=("$binary")
        if is_redis_server "$binary"; then
            command+=(--port "$port" --bind 127.0.0.1 --dir "$dir"
                      --save "" --appendonly no --daemonize no)
        else
            [ -n "$config" ] && command+=("$config")
            command+=(--port "$port" --bind 127.0.0.1 --dir "$dir")
            [ -n "$module_path" ] && command+=(--module-path "$module_path")
        fi
        command+=("$@")
        echo "---- launch_server: ${command[*]}" >>"$log"
        (cd "$dir" && exec "${command[@]}") </dev/null >>"$log" 2>&1 &
        pid=$!
        deadline=$((SECONDS + 10))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
            if ping_port "$port" && kill -0 "$pid" 2>/dev/null; then
                printf -v "${prefix}_PID" '%s' "$pid"
                printf -v "${prefix}_PORT" '%s' "$port"
                printf -v "${prefix}_DIR" '%s' "$dir"
                printf -v "${prefix}_LOG" '%s' "$log"
                return 0
            fi
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        grep -qi "already in use" "$log" || break
    done
    echo "launch_server: $binary did not start; its log:" >&2
    cat "$log" >&2
    rm -rf "$dir"
    return 1
}

stop_server() {
    local prefix=$1
    local pid_var="${prefix}_PID" dir_var="${prefix}_DIR"
    local pid=${!pid_var:-} dir=${!dir_var:-} status=0 waited=0
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "stop_server: $prefix (pid $pid) ignored SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
        status=$?
    fi
    [ -n "$dir" ] && rm -rf "$dir"
    printf -v "$pid_var" '%s' ""
    printf -v "$dir_var" '%s' ""
    return "$status"
}
