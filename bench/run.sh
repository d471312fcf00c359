#!/usr/bin/env bash
# Palisade benchmark: a DNS-over-TLS upstream (unbound) and three stub resolvers on loopback
# (Palisade, unbound as a DoT forwarder, Stubby), each loaded with dnsperf in turn. Measures QPS and
# each resolver's CPU milliseconds per 1000 queries; rewrites bench/RESULTS.md. See bench/README.md.
#
#   bench/run.sh            full run (about 5 min), rewrites bench/RESULTS.md
#   bench/run.sh --quick    smoke run (about 40 s), writes its report into its work directory only
#
# Only loopback addresses are used. Every process started here is stopped on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
JAR_SRC="$REPO_DIR/resolver/target/palisade.jar"

# ---- settings -----------------------------------------------------------------------------------
UPSTREAM_ADDR=127.0.0.20          # unbound serving DoT (8853) and plain DNS (8053, readiness only)
UPSTREAM_DOT_PORT=8853
UPSTREAM_PLAIN_PORT=8053
AUTH_NAME=dot.bench.test
NOWHERE=127.255.255.254           # the only "root server" unbound is told about; nothing listens there
PORT=5300                         # every resolver under test listens on its own address, this port
CLIENT_ADDR=127.0.0.30            # dig and dnsperf send from here (not from the wildcard address)
declare -A ADDR=([palisade]=127.0.0.21 [unbound]=127.0.0.22 [stubby]=127.0.0.23)
RESOLVERS=(palisade unbound stubby)
ZONE_NAMES=20000                  # n1..n20000.bench.test, static A records
REPEAT_NAMES=300                  # the "repeat" workload cycles over n1..n300
MISS_NAMES=1000000                # names per "miss" query file (never exhausted at < 100k qps for 10 s)
DURATION=10                       # seconds per measured dnsperf run
WARMUP=10                         # seconds of unrecorded warm-up per resolver (JIT for Palisade)
REPS=3                            # measured runs per resolver and workload; medians reported
CLIENTS=4                         # dnsperf -c
OUTSTANDING=100                   # dnsperf -q
PACED_QPS=5000                    # dnsperf -Q for the paced miss workload (below every resolver's maximum)
QUICK=0
# Palisade's JVM options: the recommended ones from deploy/jvm.options unless BENCH_JAVA_OPTS is set.
JAVA_OPTS=${BENCH_JAVA_OPTS:-$(grep -v '^#' "$REPO_DIR/deploy/jvm.options" | tr '\n' ' ')}
# Extra lines for palisade.yml, e.g. BENCH_PALISADE_EXTRA='tls_engine: jdk'.
PALISADE_EXTRA=${BENCH_PALISADE_EXTRA:-}
UNBOUND_MAX_REUSE=${BENCH_UNBOUND_MAX_REUSE:-1000000}   # unbound forwarder's max-reuse-tcp-queries (its default: 200)
RESULTS="$BENCH_DIR/RESULTS.md"

usage() {
  cat <<EOF
usage: bench/run.sh [--quick] [--duration S] [--reps N] [--outstanding Q] [--results FILE] [--jar FILE]
  --quick          3 s runs, 1 repetition, 3 s warm-up; results go to the work directory only
  --duration S     seconds per measured run (default $DURATION)
  --reps N         measured runs per resolver and workload, medians reported (default $REPS)
  --outstanding Q  dnsperf -q, queries in flight (default $OUTSTANDING)
  --results FILE   where to write the report (default bench/RESULTS.md; --quick: the work dir)
  --jar FILE       the Palisade jar to copy and run (default resolver/target/palisade.jar)
EOF
}

results_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; DURATION=3; REPS=1; WARMUP=3 ;;
    --duration) DURATION=${2:?}; shift ;;
    --reps) REPS=${2:?}; shift ;;
    --outstanding) OUTSTANDING=${2:?}; shift ;;
    --results) RESULTS=$(realpath -m -- "${2:?}"); results_given=1; shift ;;
    --jar) JAR_SRC=$(realpath -m -- "${2:?}"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
for v in "$DURATION" "$REPS" "$OUTSTANDING" "$WARMUP"; do
  [[ "$v" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "run.sh: expected a positive integer, got '$v'" >&2; exit 2; }
done

BENCH_SCRIPT=run.sh
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"    # log, die, start/stop/alive, cpu_ticks, rss_kib, machine_clock, median, fmt, ratio

for tool in unbound stubby dnsperf dig openssl java awk ss; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# Refuse to start if something already listens where we want to (e.g. a leftover of a killed run).
for a in "$UPSTREAM_ADDR:$UPSTREAM_DOT_PORT" "$UPSTREAM_ADDR:$UPSTREAM_PLAIN_PORT" \
         "${ADDR[palisade]}:$PORT" "${ADDR[unbound]}:$PORT" "${ADDR[stubby]}:$PORT"; do
  if ss -Hlntu "( sport = :${a##*:} )" | awk -v a="$a" '$5 == a {f = 1} END {exit !f}'; then
    die "$a is already in use (a leftover run?); stop it first"
  fi
done

# ---- work directory and cleanup -----------------------------------------------------------------
mkdir -p "$BENCH_DIR/out"
WORK=$(mktemp -d "$BENCH_DIR/out/run-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
[ "$QUICK" = 1 ] && [ "$results_given" = 0 ] && RESULTS="$WORK/RESULTS.md"
log "work directory $WORK"

bench_cleanup_hook() { rm -f "$WORK"/queries-miss-*.txt; }   # large and regenerated each run
bench_traps

# ---- helpers (the shared ones are in lib.sh) ------------------------------------------------------

# wait_answer NAME ADDR PORT: until dig gets n1.bench.test's address (at most ~60 s).
wait_answer() {
  local name=$1 addr=$2 port=$3 i
  for ((i = 0; i < 120; i++)); do
    alive "$name"
    if [ "$(dig -b "$CLIENT_ADDR" @"$addr" -p "$port" n1.bench.test A +short +time=1 +tries=1 2>/dev/null)" = "127.1.0.1" ]; then
      log "$name answers on $addr@$port"
      return 0
    fi
    sleep 0.5
  done
  die "$name did not answer n1.bench.test on $addr@$port within 60 s; last answer: $(dig -b "$CLIENT_ADDR" @"$addr" -p "$port" \
    n1.bench.test A +time=1 +tries=1 2>&1 | grep -E 'status:|timed out|refused' | head -1)"
}


# ---- 1. throwaway CA and server certificate ------------------------------------------------------
cd "$WORK"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=Palisade bench CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=$AUTH_NAME" -out server.csr 2>/dev/null
printf '%s\n' "subjectAltName=DNS:$AUTH_NAME" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
  -days 2 -sha256 -extfile server.ext -out server.pem 2>/dev/null
openssl verify -CAfile ca.pem -verify_hostname "$AUTH_NAME" server.pem >/dev/null || die "certificate check failed"

# ---- 2. the upstream ----------------------------------------------------------------------------
printf '. 3600000 IN NS root.\nroot. 3600000 IN A %s\n' "$NOWHERE" >root.hints
# n<i>.bench.test -> 127.1.<i/256>.<i%256>: addresses in answers are loopback too.
awk -v n="$ZONE_NAMES" 'BEGIN { for (i = 1; i <= n; i++)
  printf "  local-data: \"n%d.bench.test. 3600 IN A 127.1.%d.%d\"\n", i, int(i / 256), i % 256 }' >zone.conf
[ "$(awk 'NR == 1' zone.conf)" = '  local-data: "n1.bench.test. 3600 IN A 127.1.0.1"' ] || die "zone generation"

# Every unbound here iterates from root.hints (only loopback addresses in it); the rest is lib.sh's.
unbound_iterator() {                         # unbound_iterator NAME
  unbound_common "$1"
  printf '  module-config: "iterator"\n  root-hints: "%s/root.hints"\n' "$WORK"
}

cat >upstream.conf <<EOF
remote-control:
  control-enable: no
server:
$(unbound_iterator upstream)
  interface: $UPSTREAM_ADDR@$UPSTREAM_DOT_PORT
  interface: $UPSTREAM_ADDR@$UPSTREAM_PLAIN_PORT
  port: $UPSTREAM_PLAIN_PORT
  tls-port: $UPSTREAM_DOT_PORT
  tls-service-key: "$WORK/server.key"
  tls-service-pem: "$WORK/server.pem"
  outgoing-interface: $UPSTREAM_ADDR
  so-reuseport: no
  num-threads: 1
  incoming-num-tcp: 1000
  tcp-idle-timeout: 120000
  local-zone: "." refuse
  local-zone: "bench.test." static
  # every name under miss.bench.test gets the same A record: unlimited distinct names for "miss"
  local-zone: "miss.bench.test." redirect
  local-data: "miss.bench.test. 3600 IN A 127.2.0.1"
  include: "$WORK/zone.conf"
EOF

cat >unbound.conf <<EOF
remote-control:
  control-enable: no
server:
$(unbound_iterator unbound)
  interface: ${ADDR[unbound]}@$PORT
  port: $PORT
  outgoing-interface: ${ADDR[unbound]}
  # One thread: unbound's default, and Palisade's one event loop (its DNSSEC checks have threads of
  # their own). Both measured with one thread and with two in bench/README.md.
  so-reuseport: no
  num-threads: 1
  tls-cert-bundle: "$WORK/ca.pem"
  # unbound's default closes a DoT connection after 200 queries; Palisade and Stubby keep theirs.
  max-reuse-tcp-queries: $UNBOUND_MAX_REUSE
forward-zone:
  name: "."
  forward-tls-upstream: yes
  forward-addr: $UPSTREAM_ADDR@$UPSTREAM_DOT_PORT#$AUTH_NAME
EOF

for conf in upstream.conf unbound.conf; do
  unbound-checkconf "$conf" >/dev/null || die "unbound-checkconf $conf failed"
done

start upstream unbound -d -c "$WORK/upstream.conf"
for ((i = 0; i < 120; i++)); do
  alive upstream
  [ "$(dig -b $CLIENT_ADDR @$UPSTREAM_ADDR -p $UPSTREAM_PLAIN_PORT n1.bench.test A +short +time=1 +tries=1 2>/dev/null)" = 127.1.0.1 ] && break
  sleep 0.5
done
[ "$i" -lt 120 ] || die "upstream did not answer within 60 s"
[ "$(dig -b $CLIENT_ADDR @$UPSTREAM_ADDR -p $UPSTREAM_PLAIN_PORT x1.miss.bench.test A +short +time=1 +tries=1)" = 127.2.0.1 ] \
  || die "upstream's miss.bench.test redirect zone does not answer"
log "upstream answers on $UPSTREAM_ADDR@$UPSTREAM_PLAIN_PORT (DoT on $UPSTREAM_DOT_PORT)"

# ---- 3. the resolvers under test ----------------------------------------------------------------
# Palisade: copy the jar (the original may be rebuilt at any moment) and check the copy's config.
for ((i = 0; i < 3; i++)); do
  for ((j = 0; j < 60; j++)); do [ -f "$JAR_SRC" ] && break; sleep 2; done   # a build may be under way
  [ -f "$JAR_SRC" ] || die "$JAR_SRC not found (build it with mvn -B -DskipTests package)"
  cp -p "$JAR_SRC" "$WORK/palisade.jar"
  cat >palisade.yml <<EOF
listen_addresses:
  - ${ADDR[palisade]}@$PORT
upstream_recursive_servers:
  - address_data: $UPSTREAM_ADDR
    tls_port: $UPSTREAM_DOT_PORT
    tls_auth_name: $AUTH_NAME
dns_transport_list: [GETDNS_TRANSPORT_TLS]
tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
tls_ca_file: $WORK/ca.pem
idle_timeout: 10000
round_robin_upstreams: 1
log_level: GETDNS_LOG_ERR
# Several runs side by side: no fixed metrics port (the endpoint itself is measured in RESULTS.md).
metrics: {enabled: false}
# No DNSSEC validation, like the peers here (bench.test is unsigned and the upstream refuses the
# root). Builds from before validation existed accept this key with a warning.
dnssec: GETDNS_EXTENSION_FALSE
# The exfiltration policy answers special-use names (test.) with NXDOMAIN and would budget the miss
# workload's stream of new names as a tunnel; a local zone is forwarded, neither scored nor budgeted.
# (Builds from before the policy accept the section with a warning.)
policy:
  local_zones: [bench.test]
$PALISADE_EXTRA
EOF
  java -jar "$WORK/palisade.jar" -C "$WORK/palisade.yml" -i >palisade-effective.yml 2>palisade-check.err && break
  log "palisade -i failed (jar being rebuilt?), retrying in 20 s: $(head -c 300 palisade-check.err)"
  sleep 20
done
[ "$i" -lt 3 ] || die "java -jar palisade.jar -C palisade.yml -i failed: $(cat palisade-check.err)"
JAR_SHA=$(sha256sum "$WORK/palisade.jar" | cut -c1-16)
# Builds before the cache commit have no cache: section; later ones cache by default (size 0 = off).
PALISADE_CACHE=$(awk '/^cache:/ {c = 1; next} /^[^ #]/ {c = 0} c && $1 == "size:" {s = $2}
  END {if (s == "") print "none"; else if (s ~ /^0[^0-9.]*$/) print "off"; else print s}' palisade-effective.yml)
PALISADE_DNSSEC=$(awk '$1 == "dnssec:" {print $2}' palisade-effective.yml)
PALISADE_POLICY=$(grep -q '^policy:' palisade-effective.yml && echo yes || echo no)
log "palisade cache: $PALISADE_CACHE; dnssec: ${PALISADE_DNSSEC:-not in this build}"
case "$PALISADE_DNSSEC" in ''|GETDNS_EXTENSION_FALSE|false) ;; *) die "palisade would validate DNSSEC: $PALISADE_DNSSEC" ;; esac
JAR_TIME=$(date -u -r "$WORK/palisade.jar" +%Y-%m-%dT%H:%M:%SZ)

cat >stubby.yml <<EOF
resolution_type: GETDNS_RESOLUTION_STUB
dns_transport_list:
  - GETDNS_TRANSPORT_TLS
tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
tls_ca_file: "$WORK/ca.pem"
appdata_dir: "$WORK"
listen_addresses:
  - ${ADDR[stubby]}@$PORT
idle_timeout: 10000
round_robin_upstreams: 1
upstream_recursive_servers:
  - address_data: $UPSTREAM_ADDR
    tls_port: $UPSTREAM_DOT_PORT
    tls_auth_name: "$AUTH_NAME"
EOF
stubby -C "$WORK/stubby.yml" -i >stubby-effective.txt 2>&1 || die "stubby -i failed: $(cat stubby-effective.txt)"

# shellcheck disable=SC2086
start palisade java $JAVA_OPTS -jar "$WORK/palisade.jar" -C "$WORK/palisade.yml"
start unbound unbound -d -c "$WORK/unbound.conf"
start stubby stubby -C "$WORK/stubby.yml"
for r in "${RESOLVERS[@]}"; do
  wait_answer "$r" "${ADDR[$r]}" "$PORT"
  # what the process really is (java is started directly, not through a wrapper)
  log "$r pid ${PID[$r]} is $(cat "/proc/${PID[$r]}/comm")"
done
[ "$(cat "/proc/${PID[palisade]}/comm")" = java ] || die "palisade's pid is not the java process"

# ---- 4. workloads -------------------------------------------------------------------------------
# repeat: n1..n300, cycled. miss: names under miss.bench.test, each file used once, never repeated:
#   file "w" for the warm-ups, files 1..REPS for the measured runs. Each resolver is its own process
#   with its own cache, so the same file can be used for each resolver (the upstream answers these
#   from its local zone and caches nothing).
awk -v n="$REPEAT_NAMES" 'BEGIN { for (i = 1; i <= n; i++) printf "n%d.bench.test A\n", i }' >queries-repeat.txt
miss_file() {                                # miss_file TAG [COUNT] -> path; names m<i>.<TAG>.miss.bench.test
  local f="$WORK/queries-miss-$1.txt"
  [ -f "$f" ] || awk -v n="${2:-$MISS_NAMES}" -v t="$1" \
    'BEGIN { for (i = 1; i <= n; i++) printf "m%d.%s.miss.bench.test A\n", i, t }' >"$f"
  echo "$f"
}

DNSPERF_OPTS=(-a "$CLIENT_ADDR" -p "$PORT" -c "$CLIENTS" -q "$OUTSTANDING" -t 5)
RAW="$WORK/raw.csv"
echo "workload,resolver,rep,sent,completed,lost,noerror,runtime_s,qps,avg_latency_ms,cpu_ms,cpu_ms_per_1k,upstream_cpu_ms_per_1k,machine_busy_pct,dnsperf_cpu_ms,other_load_pct" >"$RAW"
TIME=/usr/bin/time                           # GNU time, for dnsperf's own CPU (optional)
[ -x "$TIME" ] || TIME=""

# measure WORKLOAD RESOLVER REP FILE [extra dnsperf options...]: one dnsperf run, one line of raw.csv.
measure() {
  local wl=$1 r=$2 rep=$3 file=$4; shift 4
  local pid=${PID[$r]} out="$WORK/dnsperf-$wl-$r-$rep.txt"
  local c0 u0 c1 u1 m0 m1
  alive "$r"; alive upstream
  c0=$(cpu_ticks "$pid"); u0=$(cpu_ticks "${PID[upstream]}"); m0=$(machine_clock)
  echo "nan nan" >"$out.time"
  ${TIME:+$TIME -f "%U %S" -o "$out.time"} dnsperf -s "${ADDR[$r]}" "${DNSPERF_OPTS[@]}" -d "$file" "$@" >"$out" 2>&1 \
    || die "dnsperf failed: $(tail -5 "$out")"
  c1=$(cpu_ticks "$pid"); u1=$(cpu_ticks "${PID[upstream]}"); m1=$(machine_clock)
  [ "$rep" = warmup ] && { log "$r warm-up ($(basename "$file")): $(awk '/Queries per second/ {printf "%.0f", $4}' "$out") qps"; return 0; }
  awk -v wl="$wl" -v r="$r" -v rep="$rep" -v tck="$CLK_TCK" -v dc=$((c1 - c0)) -v du=$((u1 - u0)) \
      -v m0="$m0" -v m1="$m1" -v ncpu="$NPROC" -v dp="$(tail -1 "$out.time")" '
    /Queries sent:/      { sent = $3 }
    /Queries completed:/ { done = $3 }
    /Queries lost:/      { lost = $3 }
    /Response codes:/    { for (i = 3; i < NF; i++) if ($i == "NOERROR") noerr = $(i + 1) }
    /Run time \(s\):/    { rt = $4 }
    /Queries per second:/ { qps = $4 }
    /Average Latency \(s\):/ { lat = $4 * 1000 }
    END {
      split(m0, a, " "); split(m1, b, " ")
      busy = (b[1] - a[1]) > 0 ? 100 * (1 - (b[2] - a[2]) / ((b[1] - a[1]) * ncpu)) : 0
      cpu = dc * 1000 / tck; up = du * 1000 / tck
      # other load: busy time of the machine not spent by the resolver, the upstream or dnsperf
      split(dp, d, " "); dcpu = (d[1] + d[2]) * 1000; wall = (b[1] - a[1]) * 1000 * ncpu
      other = (dp ~ /nan/ || wall <= 0) ? "nan" : sprintf("%.0f", 100 * (busy / 100 * wall - cpu - up - dcpu) / wall)
      if (other != "nan" && other < 0) other = 0
      printf "%s,%s,%s,%d,%d,%d,%d,%.2f,%.0f,%.3f,%.0f,%.2f,%.2f,%.0f,%s,%s\n", wl, r, rep, sent, done, lost, noerr + 0,
        rt, qps, lat, cpu, done ? cpu / (done / 1000) : 0, done ? up / (done / 1000) : 0, busy,
        (dp ~ /nan/) ? "nan" : sprintf("%.0f", dcpu), other
    }' "$out" | tee -a "$RAW" >&2
}

log "warm-up: ${WARMUP} s per resolver (not recorded)"
for r in "${RESOLVERS[@]}"; do measure warmup "$r" warmup "$(miss_file w)" -l "$WARMUP" -n 1; done

# Runs are interleaved (rep 1 of each resolver, then rep 2, ...) so that load from other processes
# on the machine spreads over all resolvers rather than landing on one.
for ((rep = 1; rep <= REPS; rep++)); do
  f=$(miss_file "$rep")
  for r in "${RESOLVERS[@]}"; do measure miss "$r" "$rep" "$f" -l "$DURATION" -n 1; done
done
for ((rep = 1; rep <= REPS; rep++)); do
  f=$(miss_file "p$rep" $((PACED_QPS * DURATION * 2)))
  for r in "${RESOLVERS[@]}"; do measure paced "$r" "$rep" "$f" -l "$DURATION" -n 1 -Q "$PACED_QPS"; done
done
# The repeat names once, unrecorded, right before their runs (the miss runs pushed older entries out
# of unbound's cache).
for r in "${RESOLVERS[@]}"; do measure warmup "$r" warmup "$WORK/queries-repeat.txt" -n 1; done
for ((rep = 1; rep <= REPS; rep++)); do
  for r in "${RESOLVERS[@]}"; do measure repeat "$r" "$rep" "$WORK/queries-repeat.txt" -l "$DURATION"; done
done

declare -A RSS=()
for r in "${RESOLVERS[@]}" upstream; do alive "$r"; RSS[$r]=$(rss_kib "${PID[$r]}"); done

# unbound logs its own counters when it stops: a check that the miss runs really missed its cache.
stop unbound
UB_STATS=$(awk '/server stats for thread [0-9]+: [0-9]+ queries/ {
    sub(/.*server stats for thread [0-9]+: /, ""); q += $1; c += $3; f += $7 }
  END { printf "%d queries, %d answered from its cache, %d forwarded", q, c, f }' "$WORK/unbound.log")

# A run that used up its file ended early; the figures stay valid (they are per query), but say so.
short=$(awk -F, -v d="$DURATION" 'NR > 1 && $1 != "repeat" && $8 < d - 0.5 {print $2 " rep " $3 " (" $8 " s)"}' "$RAW")
[ -z "$short" ] || log "note: runs that used up their query file before ${DURATION} s: $short"

# ---- 5. the report ------------------------------------------------------------------------------
col() { awk -F, -v w="$1" -v r="$2" -v c="$3" 'NR > 1 && $1 == w && $2 == r {print $c}' "$RAW"; }   # col WL R COLUMN
sumcol() { col "$@" | awk '{s += $1} END {print s + 0}'; }

declare -A M=()                              # M[wl,r,metric] = median (or total)
for wl in miss paced repeat; do
  for r in "${RESOLVERS[@]}"; do
    M[$wl,$r,qps]=$(col "$wl" "$r" 9 | median)
    M[$wl,$r,cpu]=$(col "$wl" "$r" 12 | median)
    M[$wl,$r,lat]=$(col "$wl" "$r" 10 | median)
    M[$wl,$r,up]=$(col "$wl" "$r" 13 | median)
    M[$wl,$r,busy]=$(col "$wl" "$r" 14 | median)
    M[$wl,$r,other]=$(col "$wl" "$r" 16 | median)
    M[$wl,$r,lost]=$(sumcol "$wl" "$r" 6)
    M[$wl,$r,done]=$(sumcol "$wl" "$r" 5)
    M[$wl,$r,noerr]=$(sumcol "$wl" "$r" 7)
  done
done

LABEL_palisade="Palisade"
LABEL_unbound="unbound (DoT forwarder, caching)"
LABEL_stubby="Stubby"
label() { local v="LABEL_$1"; echo "${!v}"; }

table() {                                    # table WORKLOAD
  local wl=$1 r
  echo "| resolver | QPS | CPU ms / 1000 queries | avg latency (ms) | lost / completed | upstream CPU ms / 1000 | other load | RSS after runs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for r in "${RESOLVERS[@]}"; do
    echo "| $(label "$r") | $(fmt "${M[$wl,$r,qps]}" %.0f) | $(fmt "${M[$wl,$r,cpu]}" %.1f) | $(fmt "${M[$wl,$r,lat]}" %.2f) | ${M[$wl,$r,lost]} / ${M[$wl,$r,done]} | $(fmt "${M[$wl,$r,up]}" %.1f) | $(fmt "${M[$wl,$r,other]}" %.0f)% | $(( RSS[$r] / 1024 )) MiB |"
  done
  echo
  for r in "${RESOLVERS[@]}"; do
    [ "$r" = palisade ] && continue
    echo "- Palisade vs $(label "$r"): CPU per 1000 queries **$(ratio "${M[$wl,palisade,cpu]}" "${M[$wl,$r,cpu]}")×**, QPS $(ratio "${M[$wl,palisade,qps]}" "${M[$wl,$r,qps]}")×"
  done
  for r in "${RESOLVERS[@]}"; do
    if [ "${M[$wl,$r,noerr]}" != "${M[$wl,$r,done]}" ]; then
      echo "- **$(label "$r"): only ${M[$wl,$r,noerr]} of ${M[$wl,$r,done]} answers were NOERROR** (see the dnsperf outputs)"
    fi
  done
}

JAVA_V=$(java -version 2>&1 | head -1)
JAVA_MAXHEAP=$(java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" {printf "%d", $4 / 1048576}')
UNBOUND_V="unbound $(unbound -V | head -1 | sed 's/^Version //')"
STUBBY_V="stubby $(dpkg-query -W -f='${Version}' stubby 2>/dev/null || echo '?') (stubby -V: $(stubby -V 2>&1 | head -1)), libgetdns $(dpkg-query -W -f='${Version}' libgetdns10 2>/dev/null || echo '?')"
DNSPERF_V=$(dnsperf -h 2>&1 | awk '/^Version/ {print $2}')
GIT_REV=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
# Reports this run (or bench/all.sh before it) rewrote do not count as changes to what was measured.
git -C "$REPO_DIR" diff --quiet HEAD -- . ':(exclude)bench/*.md' ':(exclude)bench/*.png' 2>/dev/null \
  || GIT_REV="$GIT_REV (working tree had changes)"
MODE="full"; [ "$QUICK" = 1 ] && MODE="quick (--quick: too short to quote)"

cache_words() {
  case "$PALISADE_CACHE" in
    none) echo "this build has no cache" ;;
    off) echo "its cache turned off in the config" ;;
    *[!0-9]*) echo "its cache on, default settings, size $PALISADE_CACHE" ;;
    *) echo "its cache on, default settings, size $((PALISADE_CACHE / 1048576)) MiB" ;;
  esac
}
repeat_note() {
  if [ "$PALISADE_CACHE" = none ] || [ "$PALISADE_CACHE" = off ]; then
    cat <<EOF
- **repeat** cycles over $REPEAT_NAMES names. unbound answers them from its cache, while Palisade
  ($(cache_words)) and Stubby (no cache at all) forward every query. This table shows what
  a cache is worth, not how efficient Palisade's forwarding is.
EOF
  else
    cat <<EOF
- **repeat** cycles over $REPEAT_NAMES names. unbound and Palisade answer them from their caches
  (Palisade: $(cache_words)); Stubby, which has no cache, forwards every query. unbound and
  Palisade are like for like here; the miss and paced runs exercise both caches too (every
  answer stored, none reused).
EOF
  fi
}

tmp="$RESULTS.tmp.$$"
{
cat <<EOF
# Benchmark results

Written by \`bench/run.sh\` (the whole file is regenerated each run; edit the notes in the script).

## How to read this

- **CPU ms / 1000 queries is the figure to compare**: the resolver's own CPU time (user + system,
  all threads, from \`/proc/PID/stat\`) divided by the answers it gave. Raw QPS moves a lot with
  whatever else runs on the machine (up to 2× on these 2-core machines); CPU per query much less.
  dnsperf and the upstream share the same 2 cores, so QPS is also bounded by them.
- **miss** is like for like: every query is a name the resolver has never seen, so all three
  forward every query to the upstream over DNS-over-TLS. dnsperf keeps $OUTSTANDING queries in
  flight, so each resolver runs flat out and its average latency is mostly queueing
  ($OUTSTANDING / QPS).
- **paced** is the same at a fixed $PACED_QPS queries per second, below every resolver's maximum:
  the same work for all three, closer to a stub's everyday load. Its latency is the real
  round trip through the resolver and the upstream; CPU per query is usually higher than flat out
  (less work per wake-up).
$(repeat_note)
- "lost" counts queries dnsperf gave up on (no answer within 5 s), summed over the runs. "other
  load" is the noise indicator: the share of the machine (100% = both cores) busy during the run
  with something other than the resolver, the upstream and dnsperf. Above ~20%, distrust QPS.
- Figures are medians of $REPS run(s) of ${DURATION} s each per resolver and workload; the runs were
  interleaved across the resolvers so that other load on the machine spreads over all three.

## Run

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $MODE
- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)
- Palisade: commit $GIT_REV, jar built $JAR_TIME (sha256 $JAR_SHA…), $JAVA_V, JVM options \`$JAVA_OPTS\`
- $UNBOUND_V; $STUBBY_V; dnsperf $DNSPERF_V

## miss: every query forwarded (like for like)

$(table miss)

## paced: every query forwarded, at a fixed $PACED_QPS queries per second

$(table paced)

## repeat: $REPEAT_NAMES names, repeated

$(table repeat)

## Setup

- Upstream: unbound, 1 thread, on $UPSTREAM_ADDR, DNS-over-TLS on port $UPSTREAM_DOT_PORT (EC P-256
  certificate for \`$AUTH_NAME\` from a throwaway CA), answering from local data only:
  $ZONE_NAMES static names \`n<i>.bench.test\` and a \`redirect\` zone \`miss.bench.test\` that answers
  any name under it (so the miss workload never runs out of new names); everything else REFUSED.
- Resolvers, each on its own address, port $PORT, all forwarding to $UPSTREAM_ADDR@$UPSTREAM_DOT_PORT
  with certificate name \`$AUTH_NAME\` checked against the test CA, no DNSSEC validation:
  - Palisade on ${ADDR[palisade]}: \`java -jar palisade.jar -C palisade.yml\` (a copy of
    \`$JAR_SRC\`), $(cache_words), DNSSEC validation
    $([ -n "$PALISADE_DNSSEC" ] && echo 'turned off (`dnssec: GETDNS_EXTENSION_FALSE`)' || echo 'not in this build'), exfiltration
    policy $([ "$PALISADE_POLICY" = yes ] && echo 'on with `local_zones: [bench.test]` (forwarded, neither scored nor budgeted; without it `test.` gets NXDOMAIN and the miss workload reads as a tunnel)' || echo 'not in this build'); other settings default
    ([effective config](#palisade-effective-config) below).
  - unbound on ${ADDR[unbound]}: 1 thread, \`module-config: "iterator"\`, \`forward-tls-upstream: yes\`,
    default cache sizes, \`max-reuse-tcp-queries: $UNBOUND_MAX_REUSE\` (its default, 200, reconnects often).
  - Stubby on ${ADDR[stubby]}: \`stubby -C stubby.yml\`, TLS only, authentication required,
    \`idle_timeout: 10000\`, no cache.
- Load, one resolver at a time (the others idle), UDP:
  - miss: \`dnsperf -s ADDR ${DNSPERF_OPTS[*]} -d FILE -l $DURATION -n 1\`, FILE being
    $MISS_NAMES names \`m<i>.<run>.miss.bench.test A\` used once per resolver.
  - paced: the same with \`-Q $PACED_QPS\` and its own files of new names.
  - repeat: \`dnsperf -s ADDR ${DNSPERF_OPTS[*]} -d FILE -l $DURATION\`, FILE being \`n1..n$REPEAT_NAMES.bench.test A\`.
  - Before the measured runs, each resolver got ${WARMUP} s of miss-style warm-up (JIT for Palisade),
    and before the repeat runs the $REPEAT_NAMES names once (unbound's cache); neither is recorded.
- unbound's own counters at exit: $UB_STATS (its measured repeat runs were
  ${M[repeat,unbound,done]} queries; all else it got, warm-ups, miss and paced, were new names).
- CPU: fields 14+15 of \`/proc/PID/stat\` before and after each dnsperf run (CLK_TCK $CLK_TCK), for
  the java process, the unbound process and the stubby process; RSS is VmRSS after all runs.

## Every run

| workload | resolver | run | completed | lost | QPS | avg latency (ms) | CPU ms / 1000 | upstream CPU ms / 1000 | dnsperf CPU ms | machine busy | other load |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(awk -F, 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %.2f | %.1f | %.1f | %s | %s%% | %s%% |\n", $1, $2, $3, $5, $6, $9, $10, $12, $13, $15, $14, $16}' "$RAW")

## Palisade effective config

<details><summary><code>java -jar palisade.jar -C palisade.yml -i</code></summary>

\`\`\`yaml
$(grep -v '^# Effective configuration' "$WORK/palisade-effective.yml" | sed "s|$WORK/|WORK/|g")
\`\`\`

</details>
EOF
} >"$tmp"
# The figures of the other benchmark scripts, so that RESULTS.md holds every figure the project
# reports (each file is written by its own script; see bench/README.md).
if [ "$QUICK" = 0 ]; then
  for other in RESULTS-more.md EXFILTRATION.md FUZZ.md FLOOD.md SOAK.md IMAGE.md; do
    if [ -f "$BENCH_DIR/$other" ]; then
      printf '\n---\n\n<!-- appended from bench/%s by run.sh -->\n\n' "$other" >>"$tmp"
      sed 's/^# /## /' "$BENCH_DIR/$other" >>"$tmp"
    fi
  done
fi
mv "$tmp" "$RESULTS"
[ "$RESULTS" -ef "$WORK/RESULTS.md" ] || cp "$RESULTS" "$WORK/RESULTS.md"
log "wrote $RESULTS"
