#!/usr/bin/env bash
# Soak (issue 10, part 5): Palisade (the jar, as deployed) under steady mixed load for a long time,
# recording its RSS, heap (jcmd GC.heap_info after a full GC) and open file descriptors at the start
# and the end, into bench/SOAK.md. Not in CI.
#
#   bench/soak.sh               30 minutes
#   bench/soak.sh 120           another duration, in seconds
#
# Load: dnsperf at a steady 2,000 qps from 127.0.0.72, half names it has seen before (cache hits),
# half never seen (misses to the upstream), plus every 10 s a burst of short TCP connections (dig
# +tcp). Upstream: unbound serving DoT on 127.0.0.70. Palisade on 127.0.0.71@5300. Only loopback.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
JAR_SRC=${BENCH_JAR:-$REPO_DIR/resolver/target/palisade.jar}
DURATION=${1:-1800}
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: duration in seconds, got '$DURATION'" >&2; exit 2; }
UP=127.0.0.70 PAL=127.0.0.71 CLIENT=127.0.0.72 PORT=5300 DOT=8853 PLAIN=8053 AUTH=dot.bench.test
QPS=2000
BENCH_SCRIPT=soak.sh
declare -A PID=()
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
for tool in unbound dnsperf dig openssl java jcmd; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -f "$JAR_SRC" ] || die "$JAR_SRC not found (mvn -B -DskipTests package)"
for a in "$UP:$DOT" "$UP:$PLAIN" "$PAL:$PORT"; do in_use "$a" && die "$a is already in use"; done
mkdir -p "$BENCH_DIR/out"
WORK=$(mktemp -d "$BENCH_DIR/out/soak-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
bench_cleanup_hook() { rm -f "$WORK"/queries.txt; }
bench_traps
cd "$WORK"
log "work directory $WORK, $DURATION s"
make_ca "$WORK" "$AUTH"
cp -p "$JAR_SRC" palisade.jar
printf '. 3600000 IN NS root.\nroot. 3600000 IN A 127.255.255.254\n' >root.hints
cat >upstream.conf <<EOC
remote-control:
  control-enable: no
server:
$(unbound_common upstream)
  module-config: "iterator"
  root-hints: "$WORK/root.hints"
  interface: $UP@$DOT
  interface: $UP@$PLAIN
  port: $PLAIN
  tls-port: $DOT
  tls-service-key: "$WORK/server.key"
  tls-service-pem: "$WORK/server.pem"
  outgoing-interface: $UP
  num-threads: 1
  incoming-num-tcp: 1000
  tcp-idle-timeout: 120000
  local-zone: "." refuse
  local-zone: "soak.test." redirect
  local-data: "soak.test. 300 IN A 127.3.0.1"
EOC
cat >palisade.yml <<EOC
listen_addresses: [$PAL@$PORT]
upstream_recursive_servers:
  - address_data: $UP
    tls_port: $DOT
    tls_auth_name: $AUTH
tls_ca_file: $WORK/ca.pem
dnssec: GETDNS_EXTENSION_FALSE
log_level: GETDNS_LOG_ERR
cache: {size: 16MiB}
policy: {local_zones: [soak.test]}
metrics: {enabled: false}
EOC
start upstream unbound -d -c "$WORK/upstream.conf"
for ((i = 0; i < 120; i++)); do
  [ -n "$(dig -b $CLIENT @$UP -p $PLAIN x.soak.test A +short +time=1 +tries=1 2>/dev/null)" ] && break; sleep 0.5
done
start palisade java -Xmx256m -jar "$WORK/palisade.jar" -C "$WORK/palisade.yml"
for ((i = 0; i < 120; i++)); do
  alive palisade
  [ "$(dig -b $CLIENT @$PAL -p $PORT x.soak.test A +short +time=1 +tries=1 2>/dev/null)" = 127.3.0.1 ] && break; sleep 0.5
done
[ "$i" -lt 120 ] || die "palisade did not answer"
P=${PID[palisade]}

# Half repeated names (n0..n999), half never seen (m<i>).
awk 'BEGIN { for (i = 0; i < 2000000; i++) { if (i % 2) printf "m%d.soak.test A\n", i; else printf "n%d.soak.test A\n", (i / 2) % 1000 } }' >queries.txt

snapshot() {                    # snapshot LABEL: "label rss_kib heap_used_kib fds threads"
  jcmd "$P" GC.run >/dev/null 2>&1 || true
  local heap
  heap=$(jcmd "$P" GC.heap_info 2>/dev/null | awk '/garbage-first heap|def new generation|PSYoungGen|total/ && /used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit}}')
  echo "$1 $(rss_kib "$P") ${heap:-n/a} $(ls /proc/"$P"/fd | wc -l) $(ls /proc/"$P"/task | wc -l)"
}
# Warm up 20 s so that the start figures are of a running, JIT-compiled process.
timeout 25 dnsperf -s $PAL -p $PORT -d queries.txt -l 20 -Q $QPS -q 200 >warmup.out 2>&1 || true
START=$(snapshot start)
log "start: $START"
dnsperf -s $PAL -p $PORT -d queries.txt -l "$DURATION" -Q $QPS -q 200 -t 5 >dnsperf.out 2>&1 &
PID[dnsperf]=$!
end=$((SECONDS + DURATION))
while [ $SECONDS -lt "$end" ] && running "${PID[dnsperf]}"; do
  for ((j = 0; j < 20; j++)); do dig -b $CLIENT @$PAL -p $PORT +tcp "t$RANDOM.soak.test" A +time=2 +tries=1 >/dev/null 2>&1 || true; done
  alive palisade
  sleep 10
done
wait "${PID[dnsperf]}" || true
unset "PID[dnsperf]"
sleep 12   # let idle TCP connections (tcp_idle_timeout 10 s) close
END=$(snapshot end)
log "end: $END"
sent=$(awk '/Queries sent:/ {print $3}' dnsperf.out)
lost=$(awk '/Queries lost:/ {print $3}' dnsperf.out)
qps=$(awk '/Queries per second:/ {print $4}' dnsperf.out)
row() { set -- $1; echo "| $1 | $2 | $3 | $4 | $5 |"; }
{
  echo "# Soak"
  echo
  echo "Written by \`bench/soak.sh $DURATION\` on $(date -u +%Y-%m-%dT%H:%MZ): Palisade (\`java -Xmx256m -jar palisade.jar\`, cache 16 MiB)"
  echo "under dnsperf at $QPS qps for $DURATION s (half repeated names, half never seen) plus 20 short TCP queries every 10 s,"
  echo "against unbound over DoT on loopback. Figures after a full GC (\`jcmd GC.run\`), start after a 20 s warm-up."
  echo
  echo "| when | RSS (KiB) | heap used (KiB) | open fds | threads |"
  echo "|---|---:|---:|---:|---:|"
  row "$START"
  row "$END"
  echo
  echo "dnsperf: $sent queries sent, $lost lost, $qps qps."
  [ "$DURATION" -lt 1800 ] && echo && echo "This was a short run ($DURATION s) to show the script works; the soak proper is \`bench/soak.sh\` (30 min)."
  echo
} >"$BENCH_DIR/SOAK.md"
cat "$BENCH_DIR/SOAK.md"
