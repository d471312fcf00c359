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
#   bench/run-more.sh            full run (about 32 min), rewrites bench/RESULTS-more.md
#   bench/run-more.sh --quick    smoke run (about 5 min), report in its work directory only
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
REC_ADDR=127.0.0.40               # recursive unbound: plain (readiness, checks), DoT, DoH, control
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
declare -A ADDR=([palisade_v]=127.0.0.43 [unbound_v]=127.0.0.44 [palisade_dot]=127.0.0.45 [palisade_doh]=127.0.0.46
                 [stubby_v]=127.0.0.47)
V_RESOLVERS=(palisade_v unbound_v stubby_v)
D_RESOLVERS=(palisade_dot palisade_doh)
NAMES=600000                      # n1..nNAMES.vbench. A: the validated workload's supply of new names
V_WARMUP=15                       # s of validated warm-up per resolver (key caches, JIT); names n1..V_WARMUP_NAMES
V_WARMUP_NAMES=120000
V_PACED_QPS=2000                  # validated paced runs
HIT_NAMES=300                     # vhit: validated answers asked again and again (cache hits)
LAT_QPS=200                       # vlat/vlatmiss: a fixed, low rate, for latency without queueing
LAT_DURATION=20                   # seconds per latency run (dnsperf -v: every answer's latency)
PAGE_TRIALS=15                    # after the vlat runs: queries for the pages a cache hit touches (median)
SETTLE=600                        # vlatset: s from the end of the cache-hit warm-up's burst to the settled latency runs
STARTS=()                         # filled per restart: "NAME ms" start to first answer
D_WARMUP=10                       # s of miss warm-up per DoT/DoH Palisade (JIT)
D_PACED_QPS=5000                  # DoT/DoH paced runs (as run.sh)
MISS_NAMES=1000000                # names per DoT/DoH miss file
DURATION=10
REPS=3
CLIENTS=4
OUTSTANDING=100
PARTS="validated doh"
QUICK=0
HOLD=0
JAVA_OPTS=${BENCH_JAVA_OPTS:-$(grep -v '^#' "$REPO_DIR/deploy/jvm.options" | tr '\n' ' ')}
RESULTS="$BENCH_DIR/RESULTS-more.md"

usage() {
  cat <<EOF
usage: bench/run-more.sh [--quick] [--only validated|doh] [--duration S] [--reps N] [--names N] [--results FILE] [--jar FILE] [--hold]
  --quick          3 s runs, 1 repetition, 60,000 names; results go to the work directory only
  --only PART      run one part: validated (DNSSEC) or doh (DoT vs DoH)
  --duration S     seconds per measured run (default $DURATION)
  --reps N         measured runs per resolver and workload, medians reported (default $REPS)
  --names N        names in the signed zone (default $NAMES)
  --results FILE   where to write the report (default bench/RESULTS-more.md; --quick: the work dir)
  --jar FILE       the Palisade jar to copy and run (default resolver/target/palisade.jar)
  --hold           stand up the validated bed, start and check the three stubs, then hold it for
                   profiling (no runs, no report) until WORK/hold is removed; WORK/bed.env says
                   where everything is
EOF
}

results_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; DURATION=3; REPS=1; V_WARMUP=3; D_WARMUP=3; NAMES=60000; V_WARMUP_NAMES=5000; LAT_DURATION=5; PAGE_TRIALS=5; SETTLE=30 ;;
    --only) case "${2:-}" in validated|doh) PARTS=$2 ;; *) usage >&2; exit 2 ;; esac; shift ;;
    --duration) DURATION=${2:?}; shift ;;
    --reps) REPS=${2:?}; shift ;;
    --names) NAMES=${2:?}; shift ;;
    --results) RESULTS=$(realpath -m -- "${2:?}"); results_given=1; shift ;;
    --jar) JAR_SRC=$(realpath -m -- "${2:?}"); shift ;;
    --hold) HOLD=1; PARTS=validated ;;
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
# The last HIT_NAMES names of the zone are the cache-hit set; the latency-miss runs take new names too.
V_PACED_NAMES=$((V_PACED_QPS * DURATION + V_PACED_QPS))
LAT_NAMES=$((LAT_QPS * LAT_DURATION + LAT_QPS))
V_FLAT_NAMES=$(( (NAMES - HIT_NAMES - V_WARMUP_NAMES - LAT_NAMES - REPS * (V_PACED_NAMES + LAT_NAMES)) / REPS ))
[ "$V_FLAT_NAMES" -ge 5000 ] || { echo "run-more.sh: --names $NAMES is too few for $REPS reps" >&2; exit 2; }

command -v tcpdump >/dev/null || echo "run-more.sh: tcpdump not found: latency only as dnsperf sees it (apt-get install tcpdump)" >&2
for tool in unbound unbound-control unbound-checkconf stubby nsd dnssec-keygen dnssec-signzone dnsperf dig openssl java awk ss; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$(id -u)" = 0 ] || die "nsd serves the signed zones on port 53 of loopback addresses: run as root"
for a in "$REC_ADDR:$REC_PLAIN" "$REC_ADDR:$REC_DOT" "$REC_ADDR:$REC_DOH" "$REC_ADDR:$REC_CTL" "$ROOT_NS:53" "$ZONE_NS:53" \
         "${ADDR[palisade_v]}:$PORT" "${ADDR[unbound_v]}:$PORT" "${ADDR[stubby_v]}:$PORT" "${ADDR[palisade_dot]}:$PORT" "${ADDR[palisade_doh]}:$PORT"; do
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
bench_cleanup_hook() {            # a capture still running; the large files: query lists and zones
  if [ -n "${WIRE_PID:-}" ]; then kill -INT "$WIRE_PID" 2>/dev/null || true; fi
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
  # room for every name a run asks: no eviction inside a run (rec_flush empties it before each)
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
# rec_flush: empty the recursive's caches (every RRset and message at or below the root), so that
# each stub's run of validated names meets a cold upstream, as issue 9 asks ("names never asked
# before, upstream cache flushed"). The stubs get the same names one after the other: without a
# flush the first would resolve them for the others.
rec_flush() {
  unbound-control -c "$WORK/recursive.conf" flush_zone . >/dev/null 2>&1 || die "unbound-control flush_zone . failed"
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
  # One thread: unbound's default, and Palisade's one event loop (its DNSSEC checks have threads of
  # their own). Both measured with one thread and with two in bench/README.md.
  so-reuseport: no
  num-threads: 1
  tls-cert-bundle: "$WORK/ca.pem"
  # unbound's default closes a DoT connection after 200 queries; Palisade keeps its own.
  max-reuse-tcp-queries: 1000000
forward-zone:
  name: "."
  forward-tls-upstream: yes
  forward-addr: $REC_ADDR@$REC_DOT#$AUTH_NAME
EOF
unbound-checkconf unbound_v.conf >/dev/null || die "unbound-checkconf unbound_v.conf failed"

# Stubby (getdns) validating in the stub, from the same trust anchor. trust_anchors_url points at a
# loopback port where nothing listens: getdns's zero-config bootstrap (RFC 7958) must never reach out.
# getdns reads dnssec_trust_anchors as a file name only when it is a scalar (a list is taken as the
# records themselves, and a list of file names silently yields no anchor at all).
mkdir -p "$WORK/stubby-appdata"
cat >stubby_v.yml <<EOF
resolution_type: GETDNS_RESOLUTION_STUB
dns_transport_list: [GETDNS_TRANSPORT_TLS]
tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
tls_ca_file: "$WORK/ca.pem"
appdata_dir: "$WORK/stubby-appdata"
dnssec: GETDNS_EXTENSION_TRUE
dnssec_trust_anchors: "$WORK/root.ds"
trust_anchors_url: "http://127.0.0.1:9/root-anchors.xml"
listen_addresses: [${ADDR[stubby_v]}@$PORT]
idle_timeout: 10000
round_robin_upstreams: 1
upstream_recursive_servers:
  - address_data: $REC_ADDR
    tls_port: $REC_DOT
    tls_auth_name: "$AUTH_NAME"
EOF
stubby -C "$WORK/stubby_v.yml" -i >stubby_v-effective.txt 2>&1 || die "stubby -i failed: $(cat stubby_v-effective.txt)"

# start_resolver NAME QNAME EXPECTED: start it, wait until it answers QNAME with EXPECTED (at most
# ~60 s); sets STARTUP_Q[NAME] to the queries the recursive got from its start to that first answer.
# Also records the start-to-first-answer time (ms, from the fork to dig's answer, polled every 20 ms:
# a first query may wait on the resolver's own start-up, as a client's would) in START_MS and STARTS,
# and the resident memory 3 s after that answer, idle, in IDLE_RSS (KiB; the last start's).
declare -A STARTUP_Q=() START_MS=() IDLE_RSS=()
start_resolver() {
  local r=$1 q=$2 want=$3 q0 i t0
  q0=$(rec_queries)
  t0=$(date +%s%N)
  case "$r" in
    palisade_*) # shellcheck disable=SC2086
                start "$r" java $JAVA_OPTS -jar "$WORK/palisade.jar" -C "$WORK/$r.yml" ;;
    unbound_*) start "$r" unbound -d -c "$WORK/$r.conf" ;;
    stubby_*) start "$r" stubby -C "$WORK/$r.yml" ;;
  esac
  for ((i = 0; i < 3000; i++)); do
    alive "$r"
    # grep: Stubby adds the RRSIG to the answer even without DO (RFC 4035 section 3.2.1 says not to)
    if dig -b "$CLIENT_ADDR" @"${ADDR[$r]}" -p "$PORT" "$q" A +short +time=1 +tries=1 2>/dev/null | grep -qx "$want"; then
      START_MS[$r]=$(( ($(date +%s%N) - t0) / 1000000 ))
      STARTS+=("$r ${START_MS[$r]}")
      STARTUP_Q[$r]=$(( $(rec_queries) - q0 ))
      sleep 3
      IDLE_RSS[$r]=$(rss_kib "${PID[$r]}")
      log "$r (pid ${PID[$r]}, $(cat "/proc/${PID[$r]}/comm")) answers on ${ADDR[$r]}@$PORT after ${START_MS[$r]} ms; ${STARTUP_Q[$r]} upstream queries until then; idle RSS $(( IDLE_RSS[$r] / 1024 )) MiB"
      return 0
    fi
    sleep 0.02
  done
  die "$r did not answer $q with $want within 60 s: $(dig -b "$CLIENT_ADDR" @"${ADDR[$r]}" -p "$PORT" "$q" A +time=1 +tries=1 2>&1 | grep -E 'status:|timed out' | head -1)"
}

# ---- 4. measuring ---------------------------------------------------------------------------------
DNSPERF_OPTS=(-a "$CLIENT_ADDR" -p "$PORT" -c "$CLIENTS" -q "$OUTSTANDING" -t 5)
RAW="$WORK/raw.csv"
echo "workload,resolver,rep,sent,completed,lost,noerror,runtime_s,qps,avg_latency_ms,cpu_ms,cpu_ms_per_1k,upstream_cpu_ms_per_1k,machine_busy_pct,dnsperf_cpu_ms,other_load_pct,upstream_queries,upstream_q_per_query" >"$RAW"
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""

# The latency runs are also timed on the wire: tcpdump on lo stamps each query and its reply as the
# kernel passes them, so the figure is the resolver's alone, without the client's scheduling. The
# captures also showed where the 5 ms mode of the validated-miss runs came from (bench/README.md):
# the recursive's Nagle against the stub's delayed ACKs.
WIRE_PID=""
wire_capture_start() {                       # wire_capture_start FILE ADDR
  command -v tcpdump >/dev/null || return 0
  tcpdump -i lo -nn -s 160 -U -w "$1" "udp and host $2 and port $PORT" >"$1.log" 2>&1 &
  WIRE_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do grep -q "listening on" "$1.log" 2>/dev/null && return 0; sleep 0.1; done
  log "warning: tcpdump did not start (see $1.log); no wire latency for this run"
}
wire_capture_stop() {
  [ -n "$WIRE_PID" ] || return 0
  sleep 0.2                                   # the last replies
  kill -INT "$WIRE_PID" 2>/dev/null || true
  wait "$WIRE_PID" 2>/dev/null || true
  WIRE_PID=""
}

# measure WORKLOAD RESOLVER REP FILE [dnsperf options...]: one dnsperf run, one line of raw.csv
# (warm-ups too, rep "warmup"; the tables use the numbered reps only).
measure() {
  local wl=$1 r=$2 rep=$3 file=$4; shift 4
  local pid=${PID[$r]} out="$WORK/dnsperf-$wl-$r-$rep.txt" c0 u0 c1 u1 m0 m1 q0 q1
  wait_no_run_sh
  alive "$r"; alive recursive
  case "$wl" in vwarmup|validated|vpaced|vlatmiss|vhitwarm) rec_flush ;; esac
  q0=$(rec_queries)
  c0=$(cpu_ticks "$pid"); u0=$(cpu_ticks "${PID[recursive]}"); m0=$(machine_clock)
  echo "nan nan" >"$out.time"
  case "$wl" in vlat|vlatmiss|vlatset) wire_capture_start "$WORK/wire-$wl-$r-$rep.pcap" "${ADDR[$r]}" ;; esac
  ${TIME:+$TIME -f "%U %S" -o "$out.time"} dnsperf -s "${ADDR[$r]}" "${DNSPERF_OPTS[@]}" -d "$file" "$@" >"$out" 2>&1 \
    || die "dnsperf failed: $(tail -5 "$out")"
  wire_capture_stop
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
# The memory a cache hit touches. A stub that touches more 4 KiB pages per query pays more where a
# page's first touch after its accessed bit was cleared is dear (the kernel's DAMON clears them
# every pass; under shadow paging each such touch is a trip to the hypervisor: bench/README.md,
# "Periodic stalls"). pages_per_hit RESOLVER NAME -> "PAGES IDLE", medians over PAGE_TRIALS: the
# pages the stub's process marked Referenced in smaps after its accessed bits were cleared
# (/proc/PID/clear_refs) and one query for NAME (cached) was answered; IDLE the same over 20 ms
# without a query (the process's own background work). The query goes through an nc started
# beforehand, from the client address and shaped as dnsperf's (no EDNS); between clearing and
# reading smaps only shell builtins run: a process started then would mark shared library pages
# referenced in the stub's maps too.
pages_per_hit() {
  local r=$1 pid=${PID[$1]} fmt='\x50\x47\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00' label labels i junk
  local -a smaps counts=()
  IFS=. read -ra labels <<<"${2%.}"
  for label in "${labels[@]}"; do fmt+=$(printf '\\x%02x' "${#label}")$label; done
  fmt+='\x00\x00\x01\x00\x01'
  coproc PAGES_NC { exec nc -u -s "$CLIENT_ADDR" "${ADDR[$r]}" "$PORT" 2>/dev/null; }
  for ((i = 0; i < 2 * PAGE_TRIALS; i++)); do  # even i: a query; odd i: 20 ms without one
    echo 1 2>/dev/null >"/proc/$pid/clear_refs" || break
    if ((i % 2 == 0)); then
      # shellcheck disable=SC2059
      printf "$fmt" >&"${PAGES_NC[1]}"
      read -r -t 2 -N 1 -u "${PAGES_NC[0]}" junk || continue
    else
      read -r -t 0.02 -u "${PAGES_NC[0]}" junk || true
    fi
    mapfile -t smaps <"/proc/$pid/smaps"
    read -r -t 0.1 -N 65535 -u "${PAGES_NC[0]}" junk || true  # the rest of the reply
    counts+=("$((i % 2)) $(printf '%s\n' "${smaps[@]}" | awk '/^Referenced:/ {kb += $2} END {print int(kb / 4)}')")
  done
  kill "$PAGES_NC_PID" 2>/dev/null; wait "$PAGES_NC_PID" 2>/dev/null || true
  echo "$(printf '%s\n' "${counts[@]}" | awk '$1 == 0 {print $2}' | median)" \
    "$(printf '%s\n' "${counts[@]}" | awk '$1 == 1 {print $2}' | median)"
}
declare -A CHECK=() RSS=() THREADS=() PAGES=()
UB_STATS=""

# hold_bed: --hold. Query files for the workloads, bed.env (addresses, pids, how to start a stub
# again), then wait until WORK/hold is removed; the exit trap stops everything.
hold_bed() {
  local hits misses r
  hits=$(vrange hit $((NAMES - HIT_NAMES + 1)) "$HIT_NAMES")
  misses=$(vrange misses $((V_WARMUP_NAMES + 1)) $((NAMES - HIT_NAMES - V_WARMUP_NAMES)))
  {
    echo "WORK=$WORK"
    echo "PORT=$PORT"
    echo "CLIENT_ADDR=$CLIENT_ADDR"
    echo "REC_ADDR=$REC_ADDR"
    echo "HITS=$hits"
    echo "WARMUP=$(vrange w 1 "$V_WARMUP_NAMES")"
    echo "MISSES=$misses"
    echo "JAVA_OPTS='$JAVA_OPTS'"
    for r in "${V_RESOLVERS[@]}"; do echo "ADDR_$r=${ADDR[$r]}"; echo "PID_$r=${PID[$r]}"; done
    echo "# start another Palisade: java \$JAVA_OPTS -jar JAR -C \$WORK/palisade_v.yml (its listen address edited)"
  } >"$WORK/bed.env"
  touch "$WORK/hold"
  log "holding the bed: see $WORK/bed.env; rm $WORK/hold to stop it"
  while [ -f "$WORK/hold" ]; do alive recursive; sleep 2; done
  exit 0
}

# ---- 5. part 1: validated cache misses ------------------------------------------------------------
vrange() {                                   # vrange TAG FROM COUNT -> file of n<FROM>..n<FROM+COUNT-1>.vbench. A
  local f="$WORK/queries-v-$1.txt"
  awk -v a="$2" -v n="$3" -v z="$ZONE" 'BEGIN { for (i = a; i < a + n; i++) printf "n%d.%s. A\n", i, z }' >"$f"
  echo "$f"
}
if has_part validated; then

  # Each workload starts from fresh processes (caches empty, JIT cold), then an unrecorded validated
  # warm-up (JIT, the zone's keys), as issue 9 asks: no workload inherits another's state.
  restart_all() {
    local r
    for r in "${V_RESOLVERS[@]}"; do
      if [ -n "${PID[$r]:-}" ]; then stop "$r"; fi
      start_resolver "$r" "probe1.$ZONE." 127.9.0.1
    done
  }
  warm() {
    local f r
    f=$(vrange w 1 "$V_WARMUP_NAMES")
    for r in "${V_RESOLVERS[@]}"; do measure vwarmup "$r" warmup "$f" -l "$V_WARMUP" -n 1; done
  }
  declare -A RSS_LOAD=()
  loaded_rss() { local r; for r in "${V_RESOLVERS[@]}"; do alive "$r"; RSS_LOAD[$1,$r]=$(rss_kib "${PID[$r]}"); done; }

  restart_all
  for r in recursive "${V_RESOLVERS[@]}"; do
    CHECK[$r,start]=$(dig_check "$r" "probe2.$ZONE.")
    CHECK[$r,bogus]=$(dig_check "$r" "bogus.$ZONE.")
    log "check $r: probe2.$ZONE. ${CHECK[$r,start]}; bogus.$ZONE. ${CHECK[$r,bogus]}"
  done
  for r in "${V_RESOLVERS[@]}"; do
    [[ "${CHECK[$r,start]}" == *" ad"* ]] || die "$r did not set AD on probe2.$ZONE.: ${CHECK[$r,start]}"
    [[ "${CHECK[$r,bogus]}" == *"SERVFAIL"* ]] || die "$r did not refuse bogus.$ZONE.: ${CHECK[$r,bogus]}"
  done
  [ "$HOLD" = 1 ] && hold_bed

  # validated misses, flat out
  warm
  next=$((V_WARMUP_NAMES + 1))
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(vrange "$rep" "$next" "$V_FLAT_NAMES"); next=$((next + V_FLAT_NAMES))
    for r in "${V_RESOLVERS[@]}"; do measure validated "$r" "$rep" "$f" -l "$DURATION" -n 1; done
    rm -f "$f"
  done
  loaded_rss validated
  # validated misses, paced
  restart_all; warm
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(vrange "p$rep" "$next" "$V_PACED_NAMES"); next=$((next + V_PACED_NAMES))
    for r in "${V_RESOLVERS[@]}"; do measure vpaced "$r" "$rep" "$f" -l "$DURATION" -n 1 -Q "$V_PACED_QPS"; done
    rm -f "$f"
  done
  loaded_rss vpaced
  # validated misses at a low fixed rate: latency (dnsperf -v reports every answer's). After the
  # flat-out warm-up, one unrecorded run at the measured rate too, for every stub alike: a lone query
  # takes other paths than a crowd (Palisade validates it on the event loop instead of its pool), and
  # the runs are to measure a resolver that has been running, not its first minute. That first run's
  # latency is reported on its own.
  restart_all; warm
  f=$(vrange l0 "$next" "$LAT_NAMES"); next=$((next + LAT_NAMES))
  for r in "${V_RESOLVERS[@]}"; do measure vlatmiss "$r" warmup "$f" -l "$LAT_DURATION" -n 1 -Q "$LAT_QPS" -c 1 -q 20 -v; done
  rm -f "$f"
  for ((rep = 1; rep <= REPS; rep++)); do
    f=$(vrange "l$rep" "$next" "$LAT_NAMES"); next=$((next + LAT_NAMES))
    for r in "${V_RESOLVERS[@]}"; do measure vlatmiss "$r" "$rep" "$f" -l "$LAT_DURATION" -n 1 -Q "$LAT_QPS" -c 1 -q 20 -v; done
    rm -f "$f"
  done
  # cache hits: the last HIT_NAMES names, asked once (unrecorded), then again and again
  hits=$(vrange hit $((NAMES - HIT_NAMES + 1)) "$HIT_NAMES")
  restart_all; warm
  for r in "${V_RESOLVERS[@]}"; do measure vhitwarm "$r" warmup "$hits" -n 1; done
  for ((rep = 1; rep <= REPS; rep++)); do
    for r in "${V_RESOLVERS[@]}"; do measure vhit "$r" "$rep" "$hits" -l "$DURATION"; done
  done
  loaded_rss vhit
  # cache hits at a low fixed rate: latency
  restart_all; warm
  settle_end=$(( $(date +%s) + SETTLE ))
  for r in "${V_RESOLVERS[@]}"; do measure vhitwarm "$r" warmup "$hits" -n 1; done
  for r in "${V_RESOLVERS[@]}"; do measure vlat "$r" warmup "$hits" -l "$LAT_DURATION" -Q "$LAT_QPS" -c 1 -q 20 -v; done
  for ((rep = 1; rep <= REPS; rep++)); do
    for r in "${V_RESOLVERS[@]}"; do measure vlat "$r" "$rep" "$hits" -l "$LAT_DURATION" -Q "$LAT_QPS" -c 1 -q 20 -v; done
  done
  # resident memory at the latency runs: under a hypervisor with DAMON, the stall after each pass
  # grows with the memory written in the last minutes (bench/README.md, "The stall decays after the burst")
  loaded_rss vlat
  for r in "${V_RESOLVERS[@]}"; do
    read -r hit idle < <(pages_per_hit "$r" "$(head -1 "$hits" | cut -d' ' -f1)")
    PAGES[$r,hit]=$hit; PAGES[$r,idle]=$idle
    log "$r: a cache hit touched ${PAGES[$r,hit]} pages of 4 KiB (median of $PAGE_TRIALS; ${PAGES[$r,idle]} over 20 ms without a query)"
  done
  # The same runs again once the warm-up's burst is SETTLE s behind every stub. Under a hypervisor
  # whose kernel runs DAMON, the stall after each DAMON pass grows with the memory a process wrote
  # in the last minutes (DAMON keeps small regions, so more samples, where access changed), and
  # decays over 4-7 min after a flat-out burst, for unbound given a cache as large as Palisade's too
  # (bench/README.md, "The stall decays after the burst"). A resolver in service fills its cache
  # over hours, not in 15 s before a latency run, so both figures are reported. Until then the stubs
  # keep answering the same hits at the same rate, unrecorded.
  while [ "$(date +%s)" -lt "$settle_end" ]; do
    for r in "${V_RESOLVERS[@]}"; do measure vlatset "$r" warmup "$hits" -l "$LAT_DURATION" -Q "$LAT_QPS" -c 1 -q 20; done
  done
  for ((rep = 1; rep <= REPS; rep++)); do
    for r in "${V_RESOLVERS[@]}"; do measure vlatset "$r" "$rep" "$hits" -l "$LAT_DURATION" -Q "$LAT_QPS" -c 1 -q 20 -v; done
  done
  loaded_rss vlatset
  for r in "${V_RESOLVERS[@]}"; do
    CHECK[$r,end]=$(dig_check "$r" "probe3.$ZONE.")
    CHECK[$r,bogus_end]=$(dig_check "$r" "bogus.$ZONE.")
    log "check $r after the runs: probe3.$ZONE. ${CHECK[$r,end]}; bogus.$ZONE. ${CHECK[$r,bogus_end]}"
  done
  for r in "${V_RESOLVERS[@]}"; do RSS[$r]=${RSS_LOAD[validated,$r]}; done
  THREADS[palisade_v]=$(thread_cpu "${PID[palisade_v]}")
  for r in "${V_RESOLVERS[@]}"; do stop "$r"; done
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
for wl in validated vpaced vhit vlat vlatset vlatmiss miss paced; do
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
warm_uq() { awk -F, -v w="$1" -v r="$2" 'NR > 1 && $1 == w && $2 == r && $3 == "warmup" {print $18}' "$RAW" | median; }

# Latency of every answer in a workload's runs (dnsperf -v lines "> RCODE NAME TYPE SECONDS"; timeouts
# are "> T ..."), pooled over the runs: "answers timeouts avg p50 p90 p99 p99.9 max" in ms.
latencies() {                                # latencies WORKLOAD RESOLVER [REP]: "T <timeouts>", then every answer's ms, sorted
  cat "$WORK"/dnsperf-"$1"-"$2"-${3:-[0-9]*}.txt 2>/dev/null | awk '$1 == ">" {if ($2 == "T") t++; else print $NF * 1000} END {print "T", t + 0}' |
    sort -g
}
# pct_stats: "T <timeouts>" and sorted latencies in, "answers timeouts avg p50 p90 p99 p99.9 max" out
pct_stats() {
  awk '$1 == "T" {t = $2; next} {a[++n] = $1; s += $1}
      function p(q,  i) {i = int(q * n + 0.999999); if (i < 1) i = 1; return a[i]}
      END {if (n == 0) {print "0", t + 0, "nan nan nan nan nan nan"; exit}
        printf "%d %d %.3f %.3f %.3f %.3f %.3f %.3f\n", n, t, s / n, p(0.5), p(0.9), p(0.99), p(0.999), a[n]}'
}
lat_stats() { latencies "$@" | pct_stats; }
# The same, from the captures: each reply matched to its query by client port and message ID.
wire_replies() {                             # wire_replies WORKLOAD RESOLVER [REP]: per capture "F", then "<query time> <ms>" per reply, "T <unanswered>"
  local f addr=${ADDR[$2]}
  for f in "$WORK"/wire-"$1"-"$2"-${3:-[0-9]*}.pcap; do
    [ -f "$f" ] || continue
    echo F
    tcpdump -r "$f" -nn -tt -T domain 2>/dev/null | awk -v a="$addr.$PORT" '
      { id = $6; sub(/[^0-9].*/, "", id); if (id == "") next
        if ($3 == a) { k = $5 "/" id; sub(/:/, "", k); if (k in q) { printf "%.6f %.6f\n", q[k], ($1 - q[k]) * 1000; delete q[k] } }
        else { q[$3 "/" id] = $1 } }
      END { n = 0; for (k in q) n++; print "T", n }'
  done
}
wire_latencies() {                           # wire_latencies WORKLOAD RESOLVER [REP]: "T <unanswered>", then every reply's ms, sorted
  wire_replies "$@" | awk '$1 == "F" {next} $1 == "T" {t += $2; next} {print $2} END {print "T", t + 0}' | sort -g
}
wire_stats() { wire_latencies "$@" | pct_stats; }
slow_text() {                                # slow_text RESOLVER WORKLOAD: ", NAME COUNT (SPACING ms apart)"
  printf ', %s %s' "$(label "$1")" "${W[$2,$1,slow]}"
  [ "${W[$2,$1,slowgap]}" = nan ] || printf ' (%s ms apart)' "${W[$2,$1,slowgap]}"
}
# wire_slow WORKLOAD RESOLVER: the replies over 1 ms on the wire in the measured runs, and the median
# time between the queries of two such replies within a run: "<count> <median spacing ms>". A machine that stalls
# every process at a fixed period shows as slow replies at that period.
wire_slow() {
  wire_replies "$1" "$2" | awk '$1 == "F" {last = 0; next} $1 == "T" {next}
      $2 > 1 {print "S"; if (last) printf "G %.1f\n", ($1 - last) * 1000; last = $1}' |
    sort -k2,2g | awk '$1 == "S" {n++} $1 == "G" {g[++m] = $2} END {printf "%d %s\n", n + 0, m ? g[int((m + 1) / 2)] : "nan"}'
}
declare -A L=() W=()
for wl in vlat vlatset vlatmiss; do
  for r in "${V_RESOLVERS[@]}"; do
    read -r L[$wl,$r,n] L[$wl,$r,t] L[$wl,$r,avg] L[$wl,$r,p50] L[$wl,$r,p90] L[$wl,$r,p99] L[$wl,$r,p999] L[$wl,$r,max] \
      <<<"$(lat_stats "$wl" "$r")"
    read -r W[$wl,$r,n] W[$wl,$r,t] W[$wl,$r,avg] W[$wl,$r,p50] W[$wl,$r,p90] W[$wl,$r,p99] W[$wl,$r,p999] W[$wl,$r,max] \
      <<<"$(wire_stats "$wl" "$r")"
    # the unrecorded run at the measured rate that came first (the stub's first minute)
    read -r W[$wl,$r,wn] _ _ W[$wl,$r,wp50] _ W[$wl,$r,wp99] _ _ <<<"$(wire_stats "$wl" "$r" warmup)"
    read -r W[$wl,$r,slow] W[$wl,$r,slowgap] <<<"$(wire_slow "$wl" "$r")"
  done
done
pct_table() {                                # pct_table L|W WORKLOAD RESOLVER...: dnsperf's (L) or the wire's (W) figures
  local -n T=$1
  local wl=$2 r; shift 2
  if [ "${!T}" = L ]; then
    echo "| resolver | answers | timeouts | avg (ms) | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | CPU ms / 1000 queries |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  else
    echo "| resolver | replies matched | unmatched queries | avg (ms) | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  fi
  for r in "$@"; do
    echo "| $(label "$r") | ${T[$wl,$r,n]} | ${T[$wl,$r,t]} | ${T[$wl,$r,avg]} | ${T[$wl,$r,p50]} | ${T[$wl,$r,p90]} | **${T[$wl,$r,p99]}** | ${T[$wl,$r,p999]} | ${T[$wl,$r,max]} |$(
      [ "${!T}" = L ] && echo " $(fmt "${M[$wl,$r,cpu]}" %.1f) |")"
  done
}
# latency.png: the percentiles of both latency workloads per resolver (gnuplot, when installed).
PLOT=""
plot_latency() {
  command -v gnuplot >/dev/null || { log "gnuplot not found: no latency plot"; return 0; }
  local wl r q dat="$WORK/latency-percentiles.dat"
  : >"$dat"
  for wl in vlat vlatmiss; do
    for r in "${V_RESOLVERS[@]}"; do
      echo "# $wl $r" >>"$dat"
      latencies "$wl" "$r" |
        awk '$1 == "T" {next} {a[++n] = $1} END {split("50 75 90 95 99 99.5 99.9 100", q, " ");
          for (k = 1; k <= 8; k++) {i = int(q[k] / 100 * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n;
            printf "%s %s\n", (q[k] == 100 ? 99.99 : q[k]), (n ? a[i] : "nan")}}' >>"$dat"
      printf '\n\n' >>"$dat"
    done
  done
  gnuplot <<GP || { log "gnuplot failed: no latency plot"; return 0; }
set terminal pngcairo size 1100,480 font "sans,10"
set output "$WORK/latency.png"
set multiplot layout 1,2 title "Latency at $LAT_QPS qps, validating stubs (bench/run-more.sh, $(date -u +%Y-%m-%d))"
set logscale y
set xlabel "percentile (last point: max)"
set ylabel "ms"
set grid
set key top left
set xtics ("p50" 0, "p90" 0.699, "p99" 1.699, "p99.9" 2.699, "max" 3.2)
f(p) = p >= 99.99 ? 3.2 : log10(50 / (100 - p))
set title "cache hits"
plot "$dat" index 0 using (f(\$1)):2 with linespoints title "Palisade", "" index 1 using (f(\$1)):2 with linespoints title "unbound", "" index 2 using (f(\$1)):2 with linespoints title "Stubby"
set title "validated misses"
plot "$dat" index 3 using (f(\$1)):2 with linespoints title "Palisade", "" index 4 using (f(\$1)):2 with linespoints title "unbound", "" index 5 using (f(\$1)):2 with linespoints title "Stubby"
unset multiplot
GP
  PLOT="$WORK/latency.png"
}
has_part validated && plot_latency
# start to first answer, median over the restarts; idle RSS (3 s after the first answer, last start)
start_ms() { local r=$1; printf '%s\n' "${STARTS[@]}" | awk -v r="$r" '$1 == r {print $2}' | median; }
start_count() { local r=$1; printf '%s\n' "${STARTS[@]}" | awk -v r="$r" '$1 == r {n++} END {print n + 0}'; }

LABEL_palisade_v="Palisade (validating)"
LABEL_unbound_v="unbound (validating DoT forwarder)"
LABEL_stubby_v="Stubby (validating, getdns)"
LABEL_palisade_dot="Palisade, DoT upstream"
LABEL_palisade_doh="Palisade, DoH upstream"
label() { local v="LABEL_$1"; echo "${!v}"; }
rss_text() {                                 # rss_text WORKLOAD: " NAME N MiB, NAME N MiB, ..." from loaded_rss
  local r sep=' '
  for r in "${V_RESOLVERS[@]}"; do printf '%s%s %s MiB' "$sep" "$(label "$r")" "$(( ${RSS_LOAD[$1,$r]:-0} / 1024 ))"; sep=', '; done
}
wl_name() {
  case "$1" in
    vhit) echo "cache hits" ;; validated) echo "validated misses, flat out" ;; vpaced) echo "validated misses, $V_PACED_QPS qps" ;;
    vlat) echo "cache hits, $LAT_QPS qps" ;; vlatset) echo "cache hits, $LAT_QPS qps, settled" ;; vlatmiss) echo "validated misses, $LAT_QPS qps" ;; *) echo "$1" ;;
  esac
}

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
p99_goal() {                                 # p99_goal WORKLOAD TEXT: the goal's line for one latency workload
  local wl=$1 p=palisade_v u=unbound_v st=stubby_v
  echo "- p99 latency at $LAT_QPS queries per second, $2: ${W[$wl,$p,p99]} ms (goal ≤ 0.4): $(goal "${W[$wl,$p,p99]}" '<=' 0.4); unbound's ${W[$wl,$u,p99]} ms, Stubby's ${W[$wl,$st,p99]} ms. As dnsperf saw it: ${L[$wl,$p,p99]} ms ($(goal "${L[$wl,$p,p99]}" '<=' 0.4)); unbound's ${L[$wl,$u,p99]} ms, Stubby's ${L[$wl,$st,p99]} ms"
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
# Reports this run (or bench/all.sh before it) rewrote do not count as changes to what was measured.
git -C "$REPO_DIR" diff --quiet HEAD -- . ':(exclude)bench/*.md' ':(exclude)bench/*.png' 2>/dev/null \
  || GIT_REV="$GIT_REV (working tree had changes)"
MODE="full"; [ "$QUICK" = 1 ] && MODE="quick (--quick: too short to quote)"

validated_section() {
  local wl p=palisade_v u=unbound_v st=stubby_v r
  cat <<EOF
## Validating stubs: Palisade, unbound and Stubby, DNSSEC on

A signed zone (\`$ZONE.\`, $NAMES names) under a private signed root. All three validate from the
same trust anchor (the root's DS) and forward over DoT to the same NON-validating recursive
unbound. Its cache is flushed (\`unbound-control flush_zone .\`) before each stub's run of names that
stub has never asked, so every miss meets a cold upstream and is resolved from the authoritative
servers, for each stub alike. Before each workload every stub is restarted (empty cache, cold JIT) and warmed up
for ${V_WARMUP} s on validated names (not recorded). "Upstream queries / query" is what that
recursive received (its \`total.num.queries\`, read with \`unbound-control\` before and after each
run) divided by the answers dnsperf got.

### Summary: Palisade's ratio to each peer (CPU ms per 1000 queries; lower is better)

| workload | Palisade | unbound | Stubby | Palisade / unbound | Palisade / Stubby |
|---|---:|---:|---:|---:|---:|
EOF
  for wl in vhit validated vpaced vlat vlatset vlatmiss; do
    echo "| $(wl_name "$wl") | $(fmt "${M[$wl,$p,cpu]}" %.1f) | $(fmt "${M[$wl,$u,cpu]}" %.1f) | $(fmt "${M[$wl,$st,cpu]}" %.1f) | **$(ratio "${M[$wl,$p,cpu]}" "${M[$wl,$u,cpu]}")×** | $(ratio "${M[$wl,$p,cpu]}" "${M[$wl,$st,cpu]}")× |"
  done
  cat <<EOF

### Goals (issue 9), Palisade against unbound in this run

EOF
  echo "- cache hits: CPU per 1000 queries $(fmt "${M[vhit,$p,cpu]}" %.1f) ms vs $(fmt "${M[vhit,$u,cpu]}" %.1f) ms, **$(ratio "${M[vhit,$p,cpu]}" "${M[vhit,$u,cpu]}")×** (goal ≤ 1.0): $(goal "${M[vhit,$p,cpu]}" '<=' "${M[vhit,$u,cpu]}")"
  echo "- validated misses (flat out): CPU per 1000 queries $(fmt "${M[validated,$p,cpu]}" %.1f) ms vs $(fmt "${M[validated,$u,cpu]}" %.1f) ms, **$(ratio "${M[validated,$p,cpu]}" "${M[validated,$u,cpu]}")×** (goal ≤ 1.0): $(goal "${M[validated,$p,cpu]}" '<=' "${M[validated,$u,cpu]}")"
  for wl in validated vpaced; do
    echo "- $(wl_name "$wl"): upstream queries per query $(fmt "${M[$wl,$p,uq]}" %.3f) (goal ≤ 1.02): $(goal "${M[$wl,$p,uq]}" '<=' 1.02); unbound's $(fmt "${M[$wl,$u,uq]}" %.3f), Stubby's $(fmt "${M[$wl,$st,uq]}" %.3f)"
  done
  p99_goal vlat "cache hits, on the wire, within minutes of the warm-up's burst"
  p99_goal vlatset "cache hits, on the wire, settled ($SETTLE s after the warm-up's burst)"
  p99_goal vlatmiss "validated misses, on the wire"
  cat <<EOF

### Cache hits ($HIT_NAMES validated names, asked once before the runs, then cycled; dnsperf \`-q $OUTSTANDING\`)

$(table vhit "${V_RESOLVERS[@]}")

### Validated misses, flat out (dnsperf \`-q $OUTSTANDING\`; every name new to the stub)

$(table validated "${V_RESOLVERS[@]}")

### Validated misses, paced ($V_PACED_QPS queries per second)

$(table vpaced "${V_RESOLVERS[@]}")

### Latency at $LAT_QPS queries per second (dnsperf \`-Q $LAT_QPS -c 1 -v\`, $LAT_DURATION s per run, every answer's latency pooled over the runs)

On the wire: tcpdump on \`lo\` during the same runs; from the moment the kernel passed each query to
the moment it passed the reply, matched by client port and message ID. This is the resolver's own
latency, and the figure the goal is judged on.

Before these runs every stub had, after the flat-out warm-up, one unrecorded run at the same rate
(a lone query takes other paths than a crowd; the runs measure a resolver that has been running,
not its first minute). That first run on the wire, p50 / p99 in ms: cache hits$(for r in "${V_RESOLVERS[@]}"; do
  printf ', %s %s / %s' "$(label "$r")" "${W[vlat,$r,wp50]}" "${W[vlat,$r,wp99]}"; done); validated misses$(for r in "${V_RESOLVERS[@]}"; do
  printf ', %s %s / %s' "$(label "$r")" "${W[vlatmiss,$r,wp50]}" "${W[vlatmiss,$r,wp99]}"; done).

Replies over 1 ms on the wire in the measured runs, with the median time between two of them in a
run: cache hits$(for r in "${V_RESOLVERS[@]}"; do slow_text "$r" vlat; done); cache hits, settled$(for r in "${V_RESOLVERS[@]}"; do slow_text "$r" vlatset; done); validated misses$(for r in "${V_RESOLVERS[@]}"; do slow_text "$r" vlatmiss; done). At 200 qps the p99 is the 1% slowest: slow replies evenly
spaced, at the same spacing for every stub, are the machine's periodic stalls (bench/README.md,
"Periodic stalls"), not the stub's own work.

Pages of 4 KiB a cache hit touches, after the runs (median of $PAGE_TRIALS queries, each after the
stub's accessed bits were cleared through \`/proc/PID/clear_refs\`; in brackets, the same over 20 ms
without a query):$(sep=' '; for r in "${V_RESOLVERS[@]}"; do
  printf '%s%s %s (%s)' "$sep" "$(label "$r")" "$(fmt "${PAGES[$r,hit]:-nan}" %d)" "$(fmt "${PAGES[$r,idle]:-nan}" %d)"; sep=', '; done).
Resident memory (RSS) at the end of the cache-hit latency runs:$(rss_text vlat). Where the
first touch of a page after the kernel cleared its accessed bit is dear (under a hypervisor's shadow
paging, with DAMON running, as on the machine bench/README.md describes), a stub's stall after each
clearing grows with the memory it wrote in the last minutes, more than with the pages one query
touches (bench/README.md, "The stall decays after the burst").

Cache hits, on the wire, within minutes of the warm-up's burst (the runs right after it):

$(pct_table W vlat "${V_RESOLVERS[@]}")

Cache hits, on the wire, settled: the same runs again, ${SETTLE} s after the end of the warm-up's
burst, the stubs answering the same hits at the same rate in between (unrecorded). On a machine
whose kernel runs DAMON under a hypervisor, the stall after each DAMON pass grows with the memory a
process wrote in the last minutes and decays over 4-7 min after a flat-out burst, for an unbound
given a cache as large as Palisade's as well (bench/README.md, "The stall decays after the burst").
Resident memory at the end of these runs:$(rss_text vlatset).

$(pct_table W vlatset "${V_RESOLVERS[@]}")

Validated misses, on the wire:

$(pct_table W vlatmiss "${V_RESOLVERS[@]}")

As dnsperf saw them (its per-answer \`-v\` lines), which adds the client's side.

A stub that delays its ACKs sees a 5 ms mode in validated misses at 200 qps: the recursive
(unbound $(unbound -V 2>/dev/null | awk '/^Version/ {print $2}') serving DoT; before 1.23 its DoT sockets keep Nagle's algorithm on) holds each
answer until the previous one is acknowledged, and a delayed ACK leaves with the next query, 5 ms
later. Palisade acknowledges each read at once (TCP_QUICKACK; bench/README.md, upstream/README.md).

Cache hits:

$(pct_table L vlat "${V_RESOLVERS[@]}")

Cache hits, settled:

$(pct_table L vlatset "${V_RESOLVERS[@]}")

Validated misses (each a round trip over DoT to the recursive, plus validation):

$(pct_table L vlatmiss "${V_RESOLVERS[@]}")

$(if [ -n "$PLOT" ]; then echo "The percentiles of both, plotted: [latency.png](latency.png)."; fi)

### Start and memory

| resolver | start to first answer (ms, median of $(start_count $p) starts) | idle RSS (3 s after the first answer) | RSS after the flat-out validated runs | after the cache-hit runs |
|---|---:|---:|---:|---:|
EOF
  for r in "${V_RESOLVERS[@]}"; do
    echo "| $(label "$r") | $(start_ms "$r") | $(( ${IDLE_RSS[$r]:-0} / 1024 )) MiB | $(( ${RSS_LOAD[validated,$r]:-0} / 1024 )) MiB | $(( ${RSS_LOAD[vhit,$r]:-0} / 1024 )) MiB |"
  done
  cat <<EOF

"Start to first answer": from the fork of the process to the first answer to \`probe1.$ZONE.\`
(nothing cached: the stub fetches and validates the root's and the zone's keys first), polled with
dig every 20 ms. Palisade's includes the JVM's start.
EOF
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
${STARTUP_Q[$p]}, unbound ${STARTUP_Q[$u]}, Stubby ${STARTUP_Q[$st]} (the last start of each). Warm-up runs (${V_WARMUP} s, the first names of the zone, not in the
tables): upstream queries per query Palisade $(fmt "$(warm_uq vwarmup $p)" %.3f), unbound $(fmt "$(warm_uq vwarmup $u)" %.3f).
unbound's own counters at its exits (all its starts): $UB_STATS.

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
- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)$(
  grep -qw hypervisor /proc/cpuinfo && printf '; a virtual machine'
  pgrep -x 'kdamond\.[0-9]+' >/dev/null && printf "; the kernel's memory monitor (DAMON's kdamond) is running: its passes stall every process for a moment, which the low-rate latency runs see (bench/README.md, \"Periodic stalls\")")
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
| \`$REC_ADDR\` | the recursive: unbound, 1 thread, \`module-config: "iterator"\` (not validating), root hints → \`$ROOT_NS\`; plain DNS @$REC_PLAIN (readiness, checks), DoT @$REC_DOT, DoH @$REC_DOH (\`https-port\`, \`http-endpoint: "/dns-query"\`), the same EC P-256 certificate for \`$AUTH_NAME\` from a throwaway CA; \`miss.bench.test\` as a \`redirect\` local zone; remote control @$REC_CTL (\`control-use-cert: no\`) for its counters; RSS after all runs $(( ${REC_RSS:-0} / 1024 )) MiB |
| \`${ADDR[palisade_v]}@$PORT\` | Palisade, \`dnssec: GETDNS_EXTENSION_TRUE\`, \`dnssec_trust_anchors: root.ds\`, DoT upstream \`$REC_ADDR@$REC_DOT\`, \`policy: {local_zones: [$ZONE]}\`, other settings default (cache on, 64 MiB) |
| \`${ADDR[stubby_v]}@$PORT\` | Stubby $(dpkg-query -W -f='${Version}' stubby 2>/dev/null || echo '?') (getdns $(dpkg-query -W -f='${Version}' libgetdns10 2>/dev/null || echo '?')), \`dnssec: GETDNS_EXTENSION_TRUE\`, \`dnssec_trust_anchors: [root.ds]\`, TLS only, authentication required, DoT upstream \`$REC_ADDR@$REC_DOT\`, \`trust_anchors_url\` on a loopback port where nothing listens (no zero-config fetch can leave the machine) |
| \`${ADDR[unbound_v]}@$PORT\` | unbound, 1 thread, \`module-config: "validator iterator"\`, \`trust-anchor-file: root.ds\`, \`forward-tls-upstream\` to \`$REC_ADDR@$REC_DOT#$AUTH_NAME\`, \`max-reuse-tcp-queries: 1000000\`, default cache sizes |
| \`${ADDR[palisade_dot]}@$PORT\` | Palisade, \`dnssec: GETDNS_EXTENSION_FALSE\`, DoT upstream, \`policy: {local_zones: [bench.test]}\` |
| \`${ADDR[palisade_doh]}@$PORT\` | the same with a DoH upstream: \`address_data: $REC_ADDR\`, \`doh_url: https://$AUTH_NAME:$REC_DOH/dns-query\`, \`tls_auth_name: $AUTH_NAME\` |

- Load: \`dnsperf -s ADDR ${DNSPERF_OPTS[*]} -d FILE -l $DURATION -n 1\` (paced: \`-Q N\`), UDP, no DO
  bit (like most stub clients; both resolvers validate regardless). Each resolver is loaded alone.
- Validated names: n1..n$V_WARMUP_NAMES for the warm-ups (${V_WARMUP} s, after \`dig\` checks that warm each
  resolver's key cache), then per repetition $V_FLAT_NAMES new names for the flat run and $V_PACED_NAMES for
  the paced one; each resolver gets the same files (each is its own process with its own cache;
  the recursive's cache is flushed before each stub's run). A flat run that uses up its names ends early.
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
# The plot goes beside the report it belongs to (bench/latency.png for a full run).
# (not when the report is in the work directory, as a --quick one is: the plot is already there)
if [ -n "$PLOT" ] && [ -f "$PLOT" ] && ! [ "$PLOT" -ef "$(dirname "$RESULTS")/latency.png" ]; then
  cp "$PLOT" "$(dirname "$RESULTS")/latency.png"
fi
log "wrote $RESULTS"
