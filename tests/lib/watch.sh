# tests/lib/watch.sh: `tshoot watch` in the network tests, started and ended
# on conditions rather than guessed delays. Sourced (POSIX sh; the functions
# keep their own variables under the _w_ prefix).
#   - a watch is ready once it says "tshoot: listening on IFACE ..." on
#     stderr, which it does once its capture filter is set (as tcpdump does);
#   - a watch runs with a long --duration (a safety net only) and is ended
#     with SIGINT once the client is done: it reports then, so its window
#     always covers the client's attempt however loaded the machine is.
# WATCH_READY_SECONDS bounds the wait for the line (default 20); WATCH_GRACE
# is the time the capture gets to read the last answers already on the wire
# before SIGINT (default 1 s).
WATCH_READY_SECONDS=${WATCH_READY_SECONDS:-20}
WATCH_GRACE=${WATCH_GRACE:-1}
WATCH_MAX_SECONDS=${WATCH_MAX_SECONDS:-120}

# watch_ready PID ERRFILE: waits for the watch PID to write its "listening on"
# line to ERRFILE; 1 if it ended first or did not say it in time.
watch_ready() {
    _w_i=0
    while [ $_w_i -lt $((WATCH_READY_SECONDS * 10)) ]; do
        grep -q '^tshoot: listening on ' "$2" 2>/dev/null && return 0
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1; _w_i=$((_w_i + 1))
    done
    grep -q '^tshoot: listening on ' "$2" 2>/dev/null
}

# watch_stop PID...: the traffic is over: after WATCH_GRACE s, SIGINT to each
# watch (each then prints its report; `wait PID` gives its exit status).
watch_stop() {
    sleep "$WATCH_GRACE"
    for _w_p in "$@"; do kill -INT "$_w_p" 2>/dev/null; done
}
