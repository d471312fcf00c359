# shellcheck shell=bash
# Helpers for the bench scripts (bench/run.sh and bench/run-more.sh). Source it, then set WORK (the run's work directory) before starting anything:
#
#   BENCH_SCRIPT=run-more.sh; . "$BENCH_DIR/lib.sh"
#
# Processes are started with `start NAME CMD...` and recorded in PID[NAME]; `bench_cleanup`, set as
# the EXIT trap, stops every one of them (by its own pid), whatever way the script ends.

BENCH_SCRIPT=${BENCH_SCRIPT:-bench}
declare -A PID=()                 # name -> pid of every long-running process we started
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$BENCH_SCRIPT" "$*" >&2; }
die() { log "error: $*"; exit 1; }

running() {                       # running PID: alive and not a zombie waiting to be reaped
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

children_of() {                   # children_of PID: direct children's pids (nsd forks its servers)
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+$' || true
}

stop() {                          # stop NAME: SIGTERM, at most 5 s, then SIGKILL (with its children); reaps it
  local name=$1 pid=${PID[$1]} i kids comm
  kids=$(children_of "$pid"); comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do running "$pid" || break; sleep 0.1; done
  if running "$pid"; then
    log "$name ($pid) did not stop, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # children that outlived their parent (they normally exit with it), by their own pids
  for i in $kids; do
    if running "$i" && [ "$(cat "/proc/$i/comm" 2>/dev/null)" = "$comm" ]; then kill -KILL "$i" 2>/dev/null || true; fi
  done
  unset "PID[$name]"
  return 0
}

bench_cleanup_hook() { :; }       # redefine for script-specific clean-up (runs before the exit)
bench_cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null || true; done
  for name in "${!PID[@]}"; do stop "$name"; done
  bench_cleanup_hook
  [ "$rc" = 0 ] || log "failed (exit $rc); logs and configs are in ${WORK:-?}"
  exit "$rc"
}
bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

start() {                         # start NAME COMMAND...: in the background, output to $WORK/NAME.out
  local name=$1; shift
  "$@" >"$WORK/$name.out" 2>&1 &
  PID[$name]=$!
  log "started $name (pid ${PID[$name]}): $*"
}

alive() { running "${PID[$1]}" || die "$1 exited; see $WORK/$1.log and $WORK/$1.out"; }

# utime+stime of a process, all its threads, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat") || die "process $1 is gone"
  stat=${stat##*) }                          # drop "pid (comm) ": field 3 becomes word 1
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# Uptime and idle seconds summed over all cores (noise indicator: busy share = 1 - idle / (uptime * cores)).
machine_clock() { cut -d' ' -f1,2 /proc/uptime; }

# in_use ADDR:PORT: something listens there (TCP or UDP)
in_use() { ss -Hlntu "( sport = :${1##*:} )" | awk -v a="$1" '$5 == a {f = 1} END {exit !f}'; }

# make_ca DIR NAME: throwaway CA (DIR/ca.pem) and an EC P-256 server certificate for NAME (DIR/server.pem, .key)
make_ca() {
  local dir=$1 name=$2
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 2 -subj "/CN=Palisade bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem" 2>/dev/null
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/server.key" 2>/dev/null
  openssl req -new -key "$dir/server.key" -subj "/CN=$name" -out "$dir/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:$name" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 2 -sha256 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  openssl verify -CAfile "$dir/ca.pem" -verify_hostname "$name" "$dir/server.pem" >/dev/null || die "certificate check failed"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
fmt() { awk -v x="$1" -v f="$2" 'BEGIN {if (x == "nan" || x == "") print "n/a"; else printf f, x}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0 && a != "nan") printf "%.2f", a / b; else print "n/a"}'; }

# unbound_common NAME: the server settings every unbound the scripts start shares: in the
# foreground, no privileges dropped, no files outside $WORK (log $WORK/NAME.log), loopback clients
# allowed, and never a query sent off loopback unless the caller configures one.
unbound_common() {
  cat <<EOF
  verbosity: 1
  do-daemonize: no
  chroot: ""
  username: ""
  pidfile: ""
  directory: "$WORK"
  use-syslog: no
  logfile: "$WORK/$1.log"
  log-time-ascii: yes
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  local-zone: "test." nodefault
EOF
}
