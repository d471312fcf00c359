#!/usr/bin/env bash
# More Palisade benchmarks, beside bench/run.sh (see bench/README.md, "run-more.sh"):
#
#   1. validated: validated cache misses. A private signed root and a signed zone vbench. (nsd), a
#      NON-validating recursive unbound serving DoT; Palisade validating (dnssec on, the private
#      root's DS as trust anchor) vs unbound as a validating DoT forwarder, over names never asked
#      before. Also counts the queries the recursive receives per client query.
#   2. doh: the same recursive serving DoH too; one Palisade with a DoT upstream, one with a DoH
#      upstream (no validation), on the miss workload (every query forwarded).
#
#   bench/run-more.sh            full run (about 6 min), rewrites bench/RESULTS-more.md
#   bench/run-more.sh --quick    smoke run (about 1 min), report in its work directory only
#
# Only loopback addresses are used (nsd needs port 53 on 127.0.0.41/42, so run as root). Every
# process started here is stopped on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
JAR_SRC="$REPO_DIR/resolver/target/palisade.jar"
BENCH_SCRIPT=run-more.sh
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

# ---- settings -----------------------------------------------------------------------------------
REC_ADDR=127.0.0.40               # recursive unbound: plain (readiness, pre-warming), DoT, DoH, control
REC_PLAIN=8053
REC_DOT=8853
REC_DOH=8443
REC_CTL=8953
ROOT_NS=127.0.0.41                # nsd: the private root "."
ZONE_NS=127.0.0.42                # nsd: vbench.
AUTH_NAME=dot.bench.test          # the recursive's certificate name (DoT and DoH)
ZONE=vbench
PORT=5300
CLIENT_ADDR=127.0.0.50            # dig and dnsperf send from here
declare -A ADDR=([palisade_v]=127.0.0.43 [unbound_v]=127.0.0.44 [palisade_dot]=127.0.0.45 [palisade_doh]=127.0.0.46)
V_RESOLVERS=(palisade_v unbound_v)
D_RESOLVERS=(palisade_dot palisade_doh)
NAMES=600000                      # n1..nNAMES.vbench. A: the validated workload's supply of new names
V_WARMUP=15                       # s of validated warm-up per resolver (key caches, JIT); names n1..V_WARMUP_NAMES
V_WARMUP_NAMES=120000
V_PACED_QPS=2000                  # validated paced runs
D_WARMUP=10                       # s of miss warm-up per DoT/DoH Palisade (JIT)
D_PACED_QPS=5000                  # DoT/DoH paced runs (as run.sh)
MISS_NAMES=1000000                # names per DoT/DoH miss file
DURATION=10
REPS=3
CLIENTS=4
OUTSTANDING=100
PARTS="validated doh"
QUICK=0
JAVA_OPTS=${BENCH_JAVA_OPTS:-$(grep -v '^#' "$REPO_DIR/deploy/jvm.options" | tr '\n' ' ')}
RESULTS="$BENCH_DIR/RESULTS-more.md"

usage() {
  cat <<EOF
usage: bench/run-more.sh [--quick] [--only validated|doh] [--duration S] [--reps N] [--names N] [--results FILE] [--jar FILE]
  --quick          3 s runs, 1 repetition, 60,000 names; results go to the work directory only
  --only PART      run one part: validated (DNSSEC) or doh (DoT vs DoH)
  --duration S     seconds per measured run (default $DURATION)
  --reps N         measured runs per resolver and workload, medians reported (default $REPS)
  --names N        names in the signed zone (default $NAMES)
  --results FILE   where to write the report (default bench/RESULTS-more.md; --quick: the work dir)
  --jar FILE       the Palisade jar to copy and run (default resolver/target/palisade.jar)
EOF
}

results_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; DURATION=3; REPS=1; V_WARMUP=3; D_WARMUP=3; NAMES=60000; V_WARMUP_NAMES=5000 ;;
    --only) case "${2:-}" in validated|doh) PARTS=$2 ;; *) usage >&2; exit 2 ;; esac; shift ;;
    --duration) DURATION=${2:?}; shift ;;
    --reps) REPS=${2:?}; shift ;;
    --names) NAMES=${2:?}; shift ;;
    --results) RESULTS=$(realpath -m -- "${2:?}"); results_given=1; shift ;;
    --jar) JAR_SRC=$(realpath -m -- "${2:?}"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
for v in "$DURATION" "$REPS"; do
  [[ "$v" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "run-more.sh: expected a positive integer, got '$v'" >&2; exit 2; }
done
[[ "$NAMES" =~ ^[1-9][0-9]{4,6}$ ]] || { echo "run-more.sh: --names expects 10000..9999999, got '$NAMES'" >&2; exit 2; }
has_part() { [[ " $PARTS " == *" $1 "* ]]; }

# Validated names: n1..V_WARMUP_NAMES for warm-ups, then per rep a paced range and a flat range.
V_PACED_NAMES=$((V_PACED_QPS * DURATION + V_PACED_QPS))
V_FLAT_NAMES=$(( (NAMES - V_WARMUP_NAMES - REPS * V_PACED_NAMES) / REPS ))
[ "$V_FLAT_NAMES" -ge 5000 ] || { echo "run-more.sh: --names $NAMES is too few for $REPS reps" >&2; exit 2; }

for tool in unbound unbound-control unbound-checkconf nsd dnssec-keygen dnssec-signzone dnsperf dig openssl java awk ss; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$(id -u)" = 0 ] || die "nsd serves the signed zones on port 53 of loopback addresses: run as root"
for a in "$REC_ADDR:$REC_PLAIN" "$REC_ADDR:$REC_DOT" "$REC_ADDR:$REC_DOH" "$REC_ADDR:$REC_CTL" "$ROOT_NS:53" "$ZONE_NS:53" \
         "${ADDR[palisade_v]}:$PORT" "${ADDR[unbound_v]}:$PORT" "${ADDR[palisade_dot]}:$PORT" "${ADDR[palisade_doh]}:$PORT"; do
  in_use "$a" && die "$a is already in use (a leftover run?); stop it first"
done
if ss -Hlntu '( sport = :53 )' | awk '$5 ~ /^(0\.0\.0\.0|\*|\[::\]):53$/ {f = 1} END {exit !f}'; then
  die "a DNS server listens on port 53 of all addresses (e.g. Debian's nsd or unbound service); stop it first"
fi

# bench/run.sh shares the 2 cores: before each run, wait (at most 10 min) while one is running.
wait_no_run_sh() {
  local i
  for ((i = 0; i < 120; i++)); do
    pgrep -f '(^|[/ ])run\.sh( |$)' >/dev/null || return 0
    [ "$i" = 0 ] && log "bench/run.sh is running (pids $(pgrep -f '(^|[/ ])run\.sh( |$)' | tr '\n' ' ')); waiting for it to end"
    sleep 5
  done
  log "warning: bench/run.sh still runs after 10 min; going ahead, figures will be disturbed"
}

# ---- work directory and cleanup -----------------------------------------------------------------
mkdir -p "$BENCH_DIR/out"
WORK=$(mktemp -d "$BENCH_DIR/out/more-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
[ "$QUICK" = 1 ] && [ "$results_given" = 0 ] && RESULTS="$WORK/RESULTS-more.md"
log "work directory $WORK"
bench_cleanup_hook() {            # the large files: query lists and zones
  rm -f "$WORK"/queries-*.txt "$WORK"/zones/*.zone "$WORK"/zones/*.signed
}
bench_traps
T_START=$(date +%s)

wait_no_run_sh                               # before the CPU-heavy signing, too
# ---- 1. certificate, zones, keys, signatures ----------------------------------------------------
cd "$WORK"
make_ca "$WORK" "$AUTH_NAME"
mkdir -p zones keys dsset nsd-root nsd-zone

t0=$(date +%s)
if has_part validated; then
  # vbench.: n<i> -> 127.(10 + i/65536).(i/256 % 256).(i % 256); probe1..4 for the dig checks; bogus,
  # whose A RRSIG is corrupted after signing (both resolvers must answer SERVFAIL).
  zkey=$(dnssec-keygen -q -K keys -a ECDSAP256SHA256 -f KSK -n ZONE "$ZONE.")
  rkey=$(dnssec-keygen -q -K keys -a ECDSAP256SHA256 -f KSK -n ZONE .)
  {
    printf '$ORIGIN %s.\n$TTL 3600\n' "$ZONE"
    printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n@ IN NS ns.%s.\n' "$ZONE" "$ZONE" "$ZONE"
    printf 'ns IN A %s\nns-root IN A %s\n' "$ZONE_NS" "$ROOT_NS"
    printf 'probe%d IN A 127.9.0.%d\n' 1 1 2 2 3 3 4 4
    printf 'bogus IN A 127.9.0.66\n'
    grep -v '^;' "keys/$zkey.key"
    awk -v n="$NAMES" 'BEGIN { for (i = 1; i <= n; i++)
      printf "n%d IN A 127.%d.%d.%d\n", i, 10 + int(i / 65536), int(i / 256) % 256, i % 256 }'
  } >"zones/$ZONE.zone"
  dnssec-signzone -q -P -z -O full -K keys -d dsset -o "$ZONE." -f "zones/$ZONE.signed" "zones/$ZONE.zone" >/dev/null \
    || die "dnssec-signzone $ZONE. failed"
  # corrupt bogus.vbench.'s A signature: one base64 character of the signature's first word
  awk -v OFS='\t' -v b="bogus.$ZONE." '$1 == b && $4 == "RRSIG" && $5 == "A" && !done {
      s = $13; c = substr(s, 10, 1); $13 = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11); done = 1 }
    {print} END {if (!done) exit 1}' "zones/$ZONE.signed" >"zones/$ZONE.signed.tmp" || die "no RRSIG for bogus.$ZONE. found"
  mv "zones/$ZONE.signed.tmp" "zones/$ZONE.signed"
  # the root: the delegation to vbench. with its DS, the root server's own name under it (glue)
  {
    printf '$ORIGIN .\n$TTL 86400\n'
    printf '@ IN SOA ns-root.%s. hostmaster.%s. 1 3600 600 86400 60\n@ IN NS ns-root.%s.\n' "$ZONE" "$ZONE" "$ZONE"
    printf '%s. IN NS ns.%s.\nns.%s. IN A %s\nns-root.%s. IN A %s\n' "$ZONE" "$ZONE" "$ZONE" "$ZONE_NS" "$ZONE" "$ROOT_NS"
    cat "dsset/dsset-$ZONE."
    grep -v '^;' "keys/$rkey.key"
  } >zones/root.zone
  dnssec-signzone -q -z -O full -K keys -d dsset -o . -f zones/root.signed zones/root.zone >/dev/null \
    || die "dnssec-signzone . failed"
  cp dsset/dsset-. root.ds                   # the trust anchor: the private root's DS
  log "signed $ZONE. ($NAMES names, $(du -m "zones/$ZONE.signed" | cut -f1) MiB) and . in $(( $(date +%s) - t0 )) s"
fi
printf '. 3600000 IN NS ns-root.%s.\nns-root.%s. 3600000 IN A %s\n' "$ZONE" "$ZONE" "$ROOT_NS" >root.hints

# ---- 2. servers: nsd for . and vbench., the recursive -------------------------------------------
nsd_conf() {                                 # nsd_conf DIR ADDR ZONE FILE
  cat <<EOF
server:
  ip-address: $2
  port: 53
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$1"
  database: ""
  zonelistfile: "$1/zone.list"
  xfrdfile: "$1/xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  logfile: "$1/nsd.log"
  verbosity: 1
  reuseport: no
  # nsd limits each source to 200 qps by default; the recursive is one source
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$3"
  zonefile: "$4"
EOF
}
# wait_soa NAME ADDR ZONE: until the nsd answers the zone's SOA authoritatively (at most ~120 s: a
# large zone takes a while to load)
wait_soa() {
  local i
  for ((i = 0; i < 240; i++)); do
    alive "$1"
    dig -b "$CLIENT_ADDR" @"$2" "$3" SOA +norec +time=1 +tries=1 2>/dev/null | grep -q 'flags: qr aa' && return 0
    sleep 0.5
  done
  die "$1 did not answer for $3 on $2 within 120 s (see $WORK/nsd-*/nsd.log)"
}

if has_part validated; then
  nsd_conf "$WORK/nsd-root" "$ROOT_NS" . "$WORK/zones/root.signed" >nsd-root/nsd.conf
  nsd_conf "$WORK/nsd-zone" "$ZONE_NS" "$ZONE." "$WORK/zones/$ZONE.signed" >nsd-zone/nsd.conf
  for n in root zone; do nsd-checkconf "nsd-$n/nsd.conf" || die "nsd-checkconf nsd-$n/nsd.conf failed"; done
  t0=$(date +%s)
  start nsd_root nsd -d -c "$WORK/nsd-root/nsd.conf"
  start nsd_zone nsd -d -c "$WORK/nsd-zone/nsd.conf"
  wait_soa nsd_root "$ROOT_NS" .
  wait_soa nsd_zone "$ZONE_NS" "$ZONE."
  log "nsd serves . on $ROOT_NS and $ZONE. on $ZONE_NS (loaded in $(( $(date +%s) - t0 )) s)"
fi

unbound_common() {                           # unbound_common NAME: foreground, files in $WORK only
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

# The recursive: NOT validating (iterator only), recursing from the private root; also answers any
# name under miss.bench.test itself (run.sh's miss workload, for the DoT/DoH part).
cat >recursive.conf <<EOF
server:
$(unbound_common recursive)
  module-config: "iterator"
  root-hints: "$WORK/root.hints"
  interface: $REC_ADDR@$REC_PLAIN
  interface: $REC_ADDR@$REC_DOT
  interface: $REC_ADDR@$REC_DOH
  port: $REC_PLAIN
  tls-port: $REC_DOT
  https-port: $REC_DOH
  http-endpoint: "/dns-query"
  tls-service-key: "$WORK/server.key"
  tls-service-pem: "$WORK/server.pem"
  outgoing-interface: $REC_ADDR
  so-reuseport: no
  num-threads: 1
  incoming-num-tcp: 1000
  tcp-idle-timeout: 120000
  # room for every name of the zone: it is pre-warmed, so the runs measure the stubs, not recursion
  msg-cache-size: 256m
  rrset-cache-size: 512m
  prefetch: no
  local-zone: "miss.bench.test." redirect
  local-data: "miss.bench.test. 3600 IN A 127.2.0.1"
remote-control:
  control-enable: yes
  control-interface: $REC_ADDR
  control-port: $REC_CTL
  control-use-cert: no
EOF
unbound-checkconf recursive.conf >/dev/null || die "unbound-checkconf recursive.conf failed"
start recursive unbound -d -c "$WORK/recursive.conf"

rec_queries() {                              # queries the recursive has received so far (all transports)
  unbound-control -c "$WORK/recursive.conf" stats_noreset 2>/dev/null | awk -F= '$1 == "total.num.queries" {print $2; f = 1}
    END {if (!f) print "nan"}'
}
dig_rec() { dig -b "$CLIENT_ADDR" @"$REC_ADDR" -p "$REC_PLAIN" +time=1 +tries=1 "$@" 2>/dev/null; }
for ((i = 0; i < 120; i++)); do
  alive recursive
  [ "$(dig_rec x1.miss.bench.test A +short)" = 127.2.0.1 ] && break
  sleep 0.5
done
[ "$i" -lt 120 ] || die "the recursive did not answer within 60 s"
[ "$(rec_queries)" != nan ] || die "unbound-control cannot read the recursive's counters"
if has_part validated; then
  for ((i = 0; i < 20; i++)); do
    dig_rec +dnssec probe1.$ZONE. A | grep -q "RRSIG" && break
    sleep 0.5
  done
  [ "$i" -lt 20 ] || die "the recursive does not resolve probe1.$ZONE. with signatures: $(dig_rec +dnssec probe1.$ZONE. A)"
fi
log "the recursive answers on $REC_ADDR@$REC_PLAIN (DoT $REC_DOT, DoH $REC_DOH)"

# ---- 3. Palisade: the jar, configs ----------------------------------------------------------------
for ((i = 0; i < 60; i++)); do [ -f "$JAR_SRC" ] && break; sleep 2; done   # a build may be under way
[ -f "$JAR_SRC" ] || die "$JAR_SRC not found (build it with mvn -B -DskipTests package)"
cp -p "$JAR_SRC" "$WORK/palisade.jar"
JAR_SHA=$(sha256sum "$WORK/palisade.jar" | cut -c1-16)
JAR_TIME=$(date -u -r "$WORK/palisade.jar" +%Y-%m-%dT%H:%M:%SZ)

palisade_yml() {                             # palisade_yml NAME UPSTREAM-LINES DNSSEC-LINES LOCAL-ZONE
  cat <<EOF
listen_addresses:
  - ${ADDR[$1]}@$PORT
upstream_recursive_servers:
$2
dns_transport_list: [GETDNS_TRANSPORT_TLS]
tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
tls_ca_file: $WORK/ca.pem
idle_timeout: 10000
round_robin_upstreams: 1
log_level: GETDNS_LOG_ERR
# Several runs side by side: no fixed metrics port (the endpoint itself is measured in RESULTS.md).
metrics: {enabled: false}
$3
# The workloads are streams of new names under one domain, with loopback addresses in the answers:
# the exfiltration policy would budget them as a tunnel (and refuse rebinding answers); a local zone
# is forwarded, neither scored nor budgeted.
policy:
  local_zones: [$4]
EOF
}
DOT_UPSTREAM="  - address_data: $REC_ADDR
    tls_port: $REC_DOT
    tls_auth_name: $AUTH_NAME"
DOH_UPSTREAM="  - address_data: $REC_ADDR
    doh_url: https://$AUTH_NAME:$REC_DOH/dns-query
    tls_auth_name: $AUTH_NAME"
palisade_yml palisade_v "$DOT_UPSTREAM" "dnssec: GETDNS_EXTENSION_TRUE
dnssec_trust_anchors: $WORK/root.ds" "$ZONE" >palisade_v.yml
palisade_yml palisade_dot "$DOT_UPSTREAM" "dnssec: GETDNS_EXTENSION_FALSE" bench.test >palisade_dot.yml
palisade_yml palisade_doh "$DOH_UPSTREAM" "dnssec: GETDNS_EXTENSION_FALSE" bench.test >palisade_doh.yml
for r in palisade_v palisade_dot palisade_doh; do
  [[ "$r" == palisade_v ]] && ! has_part validated && continue
  [[ "$r" != palisade_v ]] && ! has_part doh && continue
  java -jar palisade.jar -C "$WORK/$r.yml" -i >"$r-effective.yml" 2>"$r-check.err" \
    || die "java -jar palisade.jar -C $r.yml -i failed: $(cat "$r-check.err")"
  ! grep -qi 'warn\|unknown key\|not implemented' "$r-check.err" || log "note: $r.yml: $(head -c 400 "$r-check.err")"
done

cat >unbound_v.conf <<EOF
remote-control:
  control-enable: no
server:
$(unbound_common unbound_v)
  module-config: "validator iterator"
  trust-anchor-file: "$WORK/root.ds"
  interface: ${ADDR[unbound_v]}@$PORT
  port: $PORT
  outgoing-interface: ${ADDR[unbound_v]}
  so-reuseport: yes
  num-threads: 2
  tls-cert-bundle: "$WORK/ca.pem"
  # unbound's default closes a DoT connection after 200 queries; Palisade keeps its own.
  max-reuse-tcp-queries: 1000000
forward-zone:
  name: "."
  forward-tls-upstream: yes
  forward-addr: $REC_ADDR@$REC_DOT#$AUTH_NAME
EOF
unbound-checkconf unbound_v.conf >/dev/null || die "unbound-checkconf unbound_v.conf failed"

# start_resolver NAME QNAME EXPECTED: start it, wait until it answers QNAME with EXPECTED (at most
# ~60 s); sets STARTUP_Q[NAME] to the queries the recursive got from its start to that first answer.
declare -A STARTUP_Q=()
start_resolver() {
  local r=$1 q=$2 want=$3 q0 i
  q0=$(rec_queries)
  case "$r" in
    palisade_*) # shellcheck disable=SC2086
                start "$r" java $JAVA_OPTS -jar "$WORK/palisade.jar" -C "$WORK/$r.yml" ;;
    unbound_*) start "$r" unbound -d -c "$WORK/$r.conf" ;;
  esac
  for ((i = 0; i < 120; i++)); do
    alive "$r"
    if [ "$(dig -b "$CLIENT_ADDR" @"${ADDR[$r]}" -p "$PORT" "$q" A +short +time=1 +tries=1 2>/dev/null)" = "$want" ]; then
      STARTUP_Q[$r]=$(( $(rec_queries) - q0 ))
      log "$r (pid ${PID[$r]}, $(cat "/proc/${PID[$r]}/comm")) answers on ${ADDR[$r]}@$PORT; ${STARTUP_Q[$r]} upstream queries until then"
      return 0
    fi
    sleep 0.5
  done
  die "$r did not answer $q with $want within 60 s: $(dig -b "$CLIENT_ADDR" @"${ADDR[$r]}" -p "$PORT" "$q" A +time=1 +tries=1 2>&1 | grep -E 'status:|timed out' | head -1)"
}

# ---- 4. measuring ---------------------------------------------------------------------------------
DNSPERF_OPTS=(-a "$CLIENT_ADDR" -p "$PORT" -c "$CLIENTS" -q "$OUTSTANDING" -t 5)
RAW="$WORK/raw.csv"
echo "workload,resolver,rep,sent,completed,lost,noerror,runtime_s,qps,avg_latency_ms,cpu_ms,cpu_ms_per_1k,upstream_cpu_ms_per_1k,machine_busy_pct,dnsperf_cpu_ms,other_load_pct,upstream_queries,upstream_q_per_query" >"$RAW"
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""

# measure WORKLOAD RESOLVER REP FILE [dnsperf options...]: one dnsperf run, one line of raw.csv
# (warm-ups too, rep "warmup"; the tables use the numbered reps only).
measure() {
  local wl=$1 r=$2 rep=$3 file=$4; shift 4
  local pid=${PID[$r]} out="$WORK/dnsperf-$wl-$r-$rep.txt" c0 u0 c1 u1 m0 m1 q0 q1
  wait_no_run_sh
  alive "$r"; alive recursive
  q0=$(rec_queries)
  c0=$(cpu_ticks "$pid"); u0=$(cpu_ticks "${PID[recursive]}"); m0=$(machine_clock)
  echo "nan nan" >"$out.time"
  ${TIME:+$TIME -f "%U %S" -o "$out.time"} dnsperf -s "${ADDR[$r]}" "${DNSPERF_OPTS[@]}" -d "$file" "$@" >"$out" 2>&1 \
    || die "dnsperf failed: $(tail -5 "$out")"
  c1=$(cpu_ticks "$pid"); u1=$(cpu_ticks "${PID[recursive]}"); m1=$(machine_clock)
  q1=$(rec_queries)
  awk -v wl="$wl" -v r="$r" -v rep="$rep" -v tck="$CLK_TCK" -v dc=$((c1 - c0)) -v du=$((u1 - u0)) \
      -v m0="$m0" -v m1="$m1" -v ncpu="$NPROC" -v dp="$(tail -1 "$out.time")" -v q0="$q0" -v q1="$q1" '
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
      split(dp, d, " "); dcpu = (d[1] + d[2]) * 1000; wall = (b[1] - a[1]) * 1000 * ncpu
      other = (dp ~ /nan/ || wall <= 0) ? "nan" : sprintf("%.0f", 100 * (busy / 100 * wall - cpu - up - dcpu) / wall)
      if (other != "nan" && other < 0) other = 0
      uq = (q0 == "nan" || q1 == "nan") ? "nan" : q1 - q0
      printf "%s,%s,%s,%d,%d,%d,%d,%.2f,%.0f,%.3f,%.0f,%.2f,%.2f,%.0f,%s,%s,%s,%s\n", wl, r, rep, sent, done, lost, noerr + 0,
        rt, qps, lat, cpu, done ? cpu / (done / 1000) : 0, done ? up / (done / 1000) : 0, busy,
        (dp ~ /nan/) ? "nan" : sprintf("%.0f", dcpu), other, uq, (uq == "nan" || !done) ? "nan" : sprintf("%.4f", uq / done)
    }' "$out" | tee -a "$RAW" >&2
}

# thread_cpu PID: CPU time of the process's live threads over its whole life, grouped by thread name
# (digits folded to #), the largest first: where a JVM's time went (event loops, crypto, JIT, GC).
thread_cpu() {
  local t st comm
  for t in /proc/"$1"/task/*; do
    st=$(cat "$t/stat" 2>/dev/null) || continue
    comm=${st#*(}; comm=${comm%)*}; st=${st##*) }
    # shellcheck disable=SC2086
    set -- $st
    printf '%s\t%d\n' "$comm" $(( ${12} + ${13} ))
  done | awk -F'\t' -v tck="$CLK_TCK" '{n = $1; gsub(/[0-9]+/, "#", n); c[n] += $2; tot += $2}
    END {for (k in c) printf "%d\t%s\n", c[k] * 1000 / tck, k; printf "%d\t(all live threads)\n", tot * 1000 / tck}' |
    sort -t$'\t' -k1,1nr | awk -F'\t' 'NR <= 9 && $1 > 0 {printf "%s%s %d ms", (NR > 1 ? "; " : ""), $2, $1} END {print ""}'
}

# dig_check NAME QNAME: "flags ...; status" of a +dnssec query (AD shows validation)
dig_check() {
  dig -b "$CLIENT_ADDR" @"${ADDR[$1]:-$REC_ADDR}" -p "$( [ "$1" = recursive ] && echo $REC_PLAIN || echo $PORT)" \
    +dnssec +time=5 +tries=1 "$2" A 2>&1 | awk '/status:/ {sub(/.*status: /, ""); sub(/,.*/, ""); s = $0}
      /;; flags:/ {sub(/.*flags: /, ""); sub(/;.*/, ""); f = $0}
      /^[^;].*\tA\t/ {a = a " " $NF}
      END {printf "flags: %s; status %s;%s\n", f, s, (a == "" ? " no A" : a)}'
}
declare -A CHECK=() RSS=() THREADS=()
PREWARM="" UB_STATS=""

# ---- 5. part 1: validated cache misses ------------------------------------------------------------
vrange() {                                   # vrange TAG FROM COUNT -> file of n<FROM>..n<FROM+COUNT-1>.vbench. A
  local f="$WORK/queries-v-$1.txt"
  awk -v a="$2" -v n="$3" -v z="$ZONE" 'BEGIN { for (i = a; i < a + n; i++) printf "n%d.%s. A\n", i, z }' >"$f"
  echo "$f"
}
if has_part validated; then
  # Pre-warm the recursive with every name, so that it answers the runs from its cache (as a busy
  # public resolver would) and the runs measure the stubs. With DO, as the stubs' queries carry it.
  t0=$(date +%s)
  vrange all 1 "$NAMES" >/dev/null
  dnsperf -s "$REC_ADDR" -p "$REC_PLAIN" -a "$CLIENT_ADDR" -c 4 -q 200 -t 5 -D -n 1 -d "$WORK/queries-v-all.txt" \
    >dnsperf-prewarm.txt 2>&1 || die "pre-warming dnsperf failed: $(tail -5 dnsperf-prewarm.txt)"
  rm -f "$WORK/queries-v-all.txt"
  PREWARM=$(awk '/Queries completed:/ {c = $3} /Queries lost:/ {l = $3} /Queries per second:/ {q = $4}
    /Response codes:/ {r = $0; sub(/.*Response codes: +/, "", r)}
    END {printf "%d answered (%s), %d lost, %.0f qps", c, r, l, q}' dnsperf-prewarm.txt)
  log "pre-warmed the recursive in $(( $(date +%s) - t0 )) s: $PREWARM"

  start_resolver palisade_v "probe1.$ZONE." 127.9.0.1
  start_resolver unbound_v "probe1.$ZONE." 127.9.0.1
  for r in recursive "${V_RESOLVERS[@]}"; do
    CHECK[$r,start]=$(dig_check "$r" "probe2.$ZONE.")
    CHECK[$r,bogus]=$(dig_check "$r" "bogus.$ZONE.")
    log "check $r: probe2.$ZONE. ${CHECK[$r,start]}; bogus.$ZONE. ${CHECK[$r,bogus]}"
  done
  for r in "${V_RESOLVERS[@]}"; do
    [[ "${CHECK[$r,start]}" == *" ad"* ]] || die "$r did not set AD on probe2.$ZONE.: ${CHECK[$r,start]}"
    [[ "${CHECK[$r,bogus]}" == *"SERVFAIL"* ]] || die "$r did not refuse bogus.$ZONE.: ${CHECK[$r,bogus]}"
  done

  f=$(vrange w 1 "$V_WARMUP_NAMES")
  for r in "${V_RESOLVERS[@]}"; do measure vwarmup "$r" warmup "$f" -l "$V_WARMUP" -n 1; done
  next=$((V_WARMUP_NAMES + 1))
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(vrange "$rep" "$next" "$V_FLAT_NAMES"); next=$((next + V_FLAT_NAMES))
    for r in "${V_RESOLVERS[@]}"; do measure validated "$r" "$rep" "$f" -l "$DURATION" -n 1; done
    rm -f "$f"
  done
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(vrange "p$rep" "$next" "$V_PACED_NAMES"); next=$((next + V_PACED_NAMES))
    for r in "${V_RESOLVERS[@]}"; do measure vpaced "$r" "$rep" "$f" -l "$DURATION" -n 1 -Q "$V_PACED_QPS"; done
    rm -f "$f"
  done
  for r in "${V_RESOLVERS[@]}"; do
    CHECK[$r,end]=$(dig_check "$r" "probe3.$ZONE.")
    CHECK[$r,bogus_end]=$(dig_check "$r" "bogus.$ZONE.")
    log "check $r after the runs: probe3.$ZONE. ${CHECK[$r,end]}; bogus.$ZONE. ${CHECK[$r,bogus_end]}"
  done
  for r in "${V_RESOLVERS[@]}"; do alive "$r"; RSS[$r]=$(rss_kib "${PID[$r]}"); done
  THREADS[palisade_v]=$(thread_cpu "${PID[palisade_v]}")
  stop palisade_v
  stop unbound_v
  UB_STATS=$(awk '/server stats for thread [0-9]+: [0-9]+ queries/ {
      sub(/.*server stats for thread [0-9]+: /, ""); q += $1; c += $3; f += $7 }
    END { printf "%d queries, %d answered from its cache, %d forwarded", q, c, f }' "$WORK/unbound_v.log")
  log "unbound_v at exit: $UB_STATS"
  # the zone's nsd servers are not needed any more (the DoT/DoH part uses the recursive's local zone)
  stop nsd_root
  stop nsd_zone
fi

# ---- 6. part 2: DoT vs DoH ----------------------------------------------------------------------
miss_file() {                                # miss_file TAG [COUNT] -> names m<i>.<TAG>.miss.bench.test
  local f="$WORK/queries-miss-$1.txt"
  [ -f "$f" ] || awk -v n="${2:-$MISS_NAMES}" -v t="$1" \
    'BEGIN { for (i = 1; i <= n; i++) printf "m%d.%s.miss.bench.test A\n", i, t }' >"$f"
  echo "$f"
}
if has_part doh; then
  start_resolver palisade_dot x0.miss.bench.test 127.2.0.1
  start_resolver palisade_doh x0.miss.bench.test 127.2.0.1
  f=$(miss_file w)
  for r in "${D_RESOLVERS[@]}"; do measure dwarmup "$r" warmup "$f" -l "$D_WARMUP" -n 1; done
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(miss_file "$rep")
    for r in "${D_RESOLVERS[@]}"; do measure miss "$r" "$rep" "$f" -l "$DURATION" -n 1; done
    rm -f "$f"
  done
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(miss_file "p$rep" $((D_PACED_QPS * DURATION * 2)))
    for r in "${D_RESOLVERS[@]}"; do measure paced "$r" "$rep" "$f" -l "$DURATION" -n 1 -Q "$D_PACED_QPS"; done
    rm -f "$f"
  done
  for r in "${D_RESOLVERS[@]}"; do alive "$r"; RSS[$r]=$(rss_kib "${PID[$r]}"); THREADS[$r]=$(thread_cpu "${PID[$r]}"); done
  stop palisade_dot
  stop palisade_doh
fi
REC_RSS=$(rss_kib "${PID[recursive]}")
stop recursive
RUNTIME=$(( $(date +%s) - T_START ))
log "measurements done in $RUNTIME s"

short=$(awk -F, -v d="$DURATION" 'NR > 1 && $3 != "warmup" && $8 < d - 0.5 {print $1 " " $2 " rep " $3 " (" $8 " s)"}' "$RAW")
[ -z "$short" ] || log "note: runs that used up their query file before ${DURATION} s: $(echo $short)"

# ---- 7. the report --------------------------------------------------------------------------------
col() { awk -F, -v w="$1" -v r="$2" -v c="$3" 'NR > 1 && $1 == w && $2 == r && $3 != "warmup" {print $c}' "$RAW"; }
sumcol() { col "$@" | awk '{s += $1} END {print s + 0}'; }
declare -A M=()
for wl in validated vpaced miss paced; do
  for r in "${V_RESOLVERS[@]}" "${D_RESOLVERS[@]}"; do
    M[$wl,$r,qps]=$(col "$wl" "$r" 9 | median)
    M[$wl,$r,lat]=$(col "$wl" "$r" 10 | median)
    M[$wl,$r,cpu]=$(col "$wl" "$r" 12 | median)
    M[$wl,$r,up]=$(col "$wl" "$r" 13 | median)
    M[$wl,$r,other]=$(col "$wl" "$r" 16 | median)
    M[$wl,$r,uq]=$(col "$wl" "$r" 18 | median)
    M[$wl,$r,lost]=$(sumcol "$wl" "$r" 6)
    M[$wl,$r,done]=$(sumcol "$wl" "$r" 5)
    M[$wl,$r,noerr]=$(sumcol "$wl" "$r" 7)
    M[$wl,$r,rt]=$(col "$wl" "$r" 8 | median)
  done
done
warm_uq() { awk -F, -v w="$1" -v r="$2" 'NR > 1 && $1 == w && $2 == r && $3 == "warmup" {print $18}' "$RAW"; }

LABEL_palisade_v="Palisade (validating)"
LABEL_unbound_v="unbound (validating DoT forwarder)"
LABEL_palisade_dot="Palisade, DoT upstream"
LABEL_palisade_doh="Palisade, DoH upstream"
label() { local v="LABEL_$1"; echo "${!v}"; }

table() {                                    # table WORKLOAD RESOLVER...
  local wl=$1 r; shift
  echo "| resolver | QPS | CPU ms / 1000 queries | avg latency (ms) | lost / completed | upstream queries / query | upstream CPU ms / 1000 | other load | RSS after runs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in "$@"; do
    echo "| $(label "$r") | $(fmt "${M[$wl,$r,qps]}" %.0f) | $(fmt "${M[$wl,$r,cpu]}" %.1f) | $(fmt "${M[$wl,$r,lat]}" %.2f) | ${M[$wl,$r,lost]} / ${M[$wl,$r,done]} | $(fmt "${M[$wl,$r,uq]}" %.3f) | $(fmt "${M[$wl,$r,up]}" %.1f) | $(fmt "${M[$wl,$r,other]}" %.0f)% | $(( ${RSS[$r]:-0} / 1024 )) MiB |"
  done
  echo
  for r in "$@"; do
    if [ "${M[$wl,$r,noerr]}" != "${M[$wl,$r,done]}" ]; then
      echo "- **$(label "$r"): only ${M[$wl,$r,noerr]} of ${M[$wl,$r,done]} answers were NOERROR** (see the dnsperf outputs)"
    fi
    if awk -v t="${M[$wl,$r,rt]}" -v d="$DURATION" 'BEGIN {exit !(t < d - 0.5)}'; then
      echo "- $(label "$r"): the runs used up their names in ${M[$wl,$r,rt]} s (median), before ${DURATION} s; the figures are per query and stay valid"
    fi
  done
}
goal() {                                     # goal VALUE OP LIMIT -> met / NOT met
  awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {if (a == "nan" || b == "nan" || a == "" || b == "") {print "n/a"; exit}
    ok = (op == "<=") ? (a <= b) : (a >= b); print ok ? "**met**" : "**NOT met**"}'
}

JAVA_V=$(java -version 2>&1 | sed -n 1p)
UNBOUND_V="unbound $(unbound -V | sed -n '1s/^Version //p')"
NSD_V=$(nsd -v 2>&1 | sed -n 1p)
SIGNZONE_V=$(dnssec-signzone -V 2>&1 | sed -n 1p)
DNSPERF_V=$(dnsperf -h 2>&1 | awk '/^Version/ {print $2}')
GIT_REV=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO_DIR" diff --quiet HEAD -- 2>/dev/null || GIT_REV="$GIT_REV (working tree had changes)"
MODE="full"; [ "$QUICK" = 1 ] && MODE="quick (--quick: too short to quote)"

validated_section() {
  local wl p=palisade_v u=unbound_v
  cat <<EOF
## Validated cache misses (DNSSEC in the stub)

Every query is a name the resolver has never asked, in a signed zone under a private signed root:
each answer is validated (one ECDSA P-256 signature over the A RRset, the zone's keys already
validated and cached). Both resolvers forward over DoT to the same NON-validating recursive
unbound, which has every name in its cache (pre-warmed: $PREWARM), so the runs
measure the stubs. "Upstream queries / query" is what that recursive received (its
\`total.num.queries\`, read with \`unbound-control\` before and after each run) divided by the answers
dnsperf got.

### Flat out (dnsperf \`-q $OUTSTANDING\`)

$(table validated "${V_RESOLVERS[@]}")

### Paced ($V_PACED_QPS queries per second)

$(table vpaced "${V_RESOLVERS[@]}")

### Goals

EOF
  for wl in validated vpaced; do
    local name; name=$([ "$wl" = validated ] && echo "flat out" || echo "paced")
    echo "- $name: Palisade upstream queries per query $(fmt "${M[$wl,$p,uq]}" %.3f) (goal ≤ 1.02): $(goal "${M[$wl,$p,uq]}" '<=' 1.02); unbound's $(fmt "${M[$wl,$u,uq]}" %.3f)"
    echo "- $name: Palisade CPU per 1000 queries $(fmt "${M[$wl,$p,cpu]}" %.1f) ms vs unbound's $(fmt "${M[$wl,$u,cpu]}" %.1f) ms, **$(ratio "${M[$wl,$p,cpu]}" "${M[$wl,$u,cpu]}")×** (goal ≤ 1): $(goal "${M[$wl,$p,cpu]}" '<=' "${M[$wl,$u,cpu]}"); QPS $(ratio "${M[$wl,$p,qps]}" "${M[$wl,$u,qps]}")×"
  done
  cat <<EOF

### Validation really happens

\`dig +dnssec\` through each (A queries; \`probe2\` before the runs, \`probe3\` after them, never asked before; \`bogus\`'s A signature was corrupted after signing):

| asked | probe2.$ZONE. (before) | probe3.$ZONE. (after the runs) | bogus.$ZONE. (before / after) |
|---|---|---|---|
| the recursive itself (not validating) | ${CHECK[recursive,start]} | | ${CHECK[recursive,bogus]} |
EOF
  for r in "${V_RESOLVERS[@]}"; do
    echo "| $(label "$r") | ${CHECK[$r,start]} | ${CHECK[$r,end]} | ${CHECK[$r,bogus]} / ${CHECK[$r,bogus_end]} |"
  done
  cat <<EOF

Start-up cost (queries the recursive received from the resolver's start to its first answer, for
\`probe1.$ZONE.\` with nothing cached; Palisade checks the root's keys at start): Palisade
${STARTUP_Q[$p]}, unbound ${STARTUP_Q[$u]}. Warm-up runs (${V_WARMUP} s, the first names of the zone, not in the
tables): upstream queries per query Palisade $(fmt "$(warm_uq vwarmup $p)" %.3f), unbound $(fmt "$(warm_uq vwarmup $u)" %.3f).
unbound's own counters at exit: $UB_STATS.

Where Palisade's CPU went over its whole life (warm-up and checks included), by thread:
${THREADS[palisade_v]}.

EOF
}

doh_section() {
  local wl t=palisade_dot h=palisade_doh
  cat <<EOF
## DoH vs DoT upstream (Palisade)

Two Palisade instances, no validation (\`dnssec: GETDNS_EXTENSION_FALSE\`), the same recursive
unbound as upstream: one over DoT (port $REC_DOT), one over DoH (\`doh_url:
https://$AUTH_NAME:$REC_DOH/dns-query\`, POST, HTTP/2, \`address_data: $REC_ADDR\`). The workload is
run.sh's miss: new names under \`miss.bench.test\`, which the recursive answers from a local
\`redirect\` zone, so every query is forwarded and the upstream does no recursion.

### miss: flat out (dnsperf \`-q $OUTSTANDING\`)

$(table miss "${D_RESOLVERS[@]}")

### paced: $D_PACED_QPS queries per second

$(table paced "${D_RESOLVERS[@]}")

### DoH / DoT

| workload | CPU ms / 1000 (DoH / DoT) | QPS (DoH / DoT) | avg latency (DoH / DoT) | upstream CPU ms / 1000 (DoH / DoT) |
|---|---:|---:|---:|---:|
EOF
  for wl in miss paced; do
    echo "| $wl | **$(ratio "${M[$wl,$h,cpu]}" "${M[$wl,$t,cpu]}")×** | $(ratio "${M[$wl,$h,qps]}" "${M[$wl,$t,qps]}")× | $(ratio "${M[$wl,$h,lat]}" "${M[$wl,$t,lat]}")× | $(ratio "${M[$wl,$h,up]}" "${M[$wl,$t,up]}")× |"
  done
  echo
  echo "Where each Palisade's CPU went over its whole life, by thread:"
  echo
  echo "- DoT: ${THREADS[$t]}"
  echo "- DoH: ${THREADS[$h]}"
}

tmp="$RESULTS.tmp.$$"
{
cat <<EOF
# More benchmark results: validated cache misses, DoH vs DoT

Written by \`bench/run-more.sh\` (the whole file is regenerated each run; edit the notes in the
script). Read figures as in RESULTS.md: **CPU ms / 1000 queries** (the resolver's own user+system
time, all threads, from \`/proc/PID/stat\`, over the answers it gave) is the figure to compare; QPS
moves with whatever else shares the 2 cores (dnsperf and the upstream do). Medians of $REPS run(s)
of up to ${DURATION} s per resolver and workload, runs interleaved across the resolvers; "lost" are
queries without an answer within 5 s, summed over the runs; "other load" is the share of the
machine busy with anything but the resolver, the upstream and dnsperf (above ~20%, distrust QPS).

## Run

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $MODE; parts: $PARTS; $RUNTIME s
- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)
- Palisade: commit $GIT_REV, jar built $JAR_TIME (sha256 $JAR_SHA…), $JAVA_V, JVM options \`$JAVA_OPTS\`
- $UNBOUND_V; $NSD_V; $SIGNZONE_V; dnsperf $DNSPERF_V

$(if has_part validated; then validated_section; fi)

$(if has_part doh; then doh_section; fi)

## Setup

All on loopback; nothing else is queried.

| address | what |
|---|---|
| \`$ROOT_NS@53\` | nsd: the private root \`.\` (ECDSAP256SHA256, one key, NSEC): \`$ZONE. NS\` with glue and DS; its DS (\`root.ds\`) is the trust anchor |
| \`$ZONE_NS@53\` | nsd: \`$ZONE.\` (ECDSAP256SHA256, one key, NSEC, \`dnssec-signzone\`): $NAMES names \`n<i>.$ZONE. A\` (TTL 3600), \`probe1..4\`, \`bogus\` (A signature corrupted). \`rrl-ratelimit: 0\` |
| \`$REC_ADDR\` | the recursive: unbound, 1 thread, \`module-config: "iterator"\` (not validating), root hints → \`$ROOT_NS\`; plain DNS @$REC_PLAIN (readiness, pre-warming), DoT @$REC_DOT, DoH @$REC_DOH (\`https-port\`, \`http-endpoint: "/dns-query"\`), the same EC P-256 certificate for \`$AUTH_NAME\` from a throwaway CA; \`miss.bench.test\` as a \`redirect\` local zone; remote control @$REC_CTL (\`control-use-cert: no\`) for its counters; RSS after all runs $(( ${REC_RSS:-0} / 1024 )) MiB |
| \`${ADDR[palisade_v]}@$PORT\` | Palisade, \`dnssec: GETDNS_EXTENSION_TRUE\`, \`dnssec_trust_anchors: root.ds\`, DoT upstream \`$REC_ADDR@$REC_DOT\`, \`policy: {local_zones: [$ZONE]}\`, other settings default (cache on, 64 MiB) |
| \`${ADDR[unbound_v]}@$PORT\` | unbound, 2 threads, \`module-config: "validator iterator"\`, \`trust-anchor-file: root.ds\`, \`forward-tls-upstream\` to \`$REC_ADDR@$REC_DOT#$AUTH_NAME\`, \`max-reuse-tcp-queries: 1000000\`, default cache sizes |
| \`${ADDR[palisade_dot]}@$PORT\` | Palisade, \`dnssec: GETDNS_EXTENSION_FALSE\`, DoT upstream, \`policy: {local_zones: [bench.test]}\` |
| \`${ADDR[palisade_doh]}@$PORT\` | the same with a DoH upstream: \`address_data: $REC_ADDR\`, \`doh_url: https://$AUTH_NAME:$REC_DOH/dns-query\`, \`tls_auth_name: $AUTH_NAME\` |

- Load: \`dnsperf -s ADDR ${DNSPERF_OPTS[*]} -d FILE -l $DURATION -n 1\` (paced: \`-Q N\`), UDP, no DO
  bit (like most stub clients; both resolvers validate regardless). Each resolver is loaded alone.
- Validated names: n1..n$V_WARMUP_NAMES for the warm-ups (${V_WARMUP} s, after \`dig\` checks that warm each
  resolver's key cache), then per repetition $V_FLAT_NAMES new names for the flat run and $V_PACED_NAMES for
  the paced one; each resolver gets the same files (each is its own process with its own cache;
  the recursive answers all from its cache). A flat run that uses up its names ends early.
- DoT/DoH: ${D_WARMUP} s of warm-up each (JIT), then $MISS_NAMES-name files \`m<i>.<run>.miss.bench.test\`, each used once per resolver.
- CPU: fields 14+15 of \`/proc/PID/stat\` before and after each run (CLK_TCK $CLK_TCK), the java
  process for Palisade; the recursive's CPU per 1000 client queries beside it.

## Every run

| workload | resolver | run | completed | lost | QPS | avg latency (ms) | CPU ms / 1000 | upstream queries / query | upstream CPU ms / 1000 | machine busy | other load | run time (s) |
|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(awk -F, 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %.2f | %.1f | %s | %.1f | %s%% | %s%% | %s |\n", $1, $2, $3, $5, $6, $9, $10, $12, $18, $13, $14, $16, $8}' "$RAW")
EOF
} >"$tmp"
mv "$tmp" "$RESULTS"
[ "$RESULTS" -ef "$WORK/RESULTS-more.md" ] || cp "$RESULTS" "$WORK/RESULTS-more.md"
log "wrote $RESULTS"
