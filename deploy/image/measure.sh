#!/usr/bin/env bash
# Measures the runtime image built by deploy/image/build.sh and writes bench/IMAGE.md
# (bench/run.sh folds it into bench/RESULTS.md):
#   - size: the root filesystem folder and the tarball, and what takes the room;
#   - start to first answer: wall clock from exec of the image's java to the first dig that gets an
#     address back, a cache miss over DoT to a loopback unbound; median of RUNS runs;
#   - idle RSS: VmRSS of the java process after 20 queries and IDLE seconds without any.
# Each variant runs the image's own java with a copy of palisade.args less one of the image's
# options (or with one added), so the table shows what each option buys.
#
#   sudo deploy/image/measure.sh            # RUNS=7 IDLE=5; needs root (chroot), unbound, openssl, dig
#   VARIANTS=1 RESULT=/tmp/x.md OUT=/tmp/img sudo -E deploy/image/measure.sh   # the image as built only
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$REPO/deploy/target}
ROOTFS=$OUT/rootfs
TARBALL=$OUT/palisade-rootfs.tar.gz
RUNS=${RUNS:-7}  # starts per variant
IDLE=${IDLE:-5}
RESULT=${RESULT:-$REPO/bench/IMAGE.md}
BENCH_SCRIPT=measure.sh
[ -x "$ROOTFS/opt/palisade/bin/java" ] && [ -f "$TARBALL" ] || { echo "measure.sh: build the image first (deploy/image/build.sh)" >&2; exit 1; }
WORK=$ROOTFS/etc/palisade/measure
rm -rf "$WORK"
mkdir -p "$WORK"
# shellcheck source=lib.sh
. "$REPO/deploy/image/lib.sh"
bench_cleanup_hook() { rm -rf "$WORK"; }
bench_traps

mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
bytes() { du -sb "$@" | awk '{s += $1} END {print s}'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

image_upstream
image_config "$WORK/palisade.yml" /etc/palisade/measure/ca.pem
chmod -R a+rX "$WORK"

# run_variant N LABEL DROP ADD [YAML]: RUNS starts with palisade.args less the lines matching the
# regex DROP, plus the options ADD, and the config with YAML's top-level key replaced; prints
# "start_ms_median rss_kib_median"
run_variant() {
  local n=$1 label=$2 drop=$3 add=$4 yaml=${5:-} i t0 t1 pid rss
  local starts=() rsss=()
  { grep -Ev "$drop" "$ROOTFS/opt/palisade/lib/palisade.args" | grep -v -- '^-jar$' | grep -v -- '^/opt/palisade/lib/palisade.jar$'
    [ -z "$add" ] || printf '%s\n' $add
    printf -- '-jar\n/opt/palisade/lib/palisade.jar\n'; } >"$WORK/v$n.args"
  # YAML: a top-level key that replaces the base config's line for that key
  { grep -v "^${yaml%%:*}:" "$WORK/palisade.yml"; [ -z "$yaml" ] || printf '%s\n' "$yaml"; } >"$WORK/v$n.yml"
  chmod a+r "$WORK/v$n.args" "$WORK/v$n.yml"
  for ((i = 1; i <= RUNS; i++)); do
    t0=$(now_ms)
    start palisade "$REPO/deploy/image/rootfs-run.sh" "$ROOTFS" /opt/palisade/bin/java \
      @/etc/palisade/measure/v$n.args -C /etc/palisade/measure/v$n.yml
    # A name no run asked before: a cache miss that goes over DoT to the upstream.
    wait_answer "r$i.$RANDOM.any.train.test" || die "$label: no answer within 30 s: $(cat "$WORK/palisade.out")"
    t1=$(now_ms)
    starts+=($((t1 - t0)))
    pid=${PID[palisade]}
    for q in $(seq 1 20); do dig @$IMG_PALISADE -p $IMG_PORT "q$q.any.train.test" A +short +time=2 +tries=1 >/dev/null; done
    sleep "$IDLE"
    rss=$(rss_kib "$pid")
    rsss+=("$rss")
    # Where the resident memory of the image as built goes (its last start): KiB per kind of mapping.
    [ "$n" != 0 ] || awk -v archive="$ROOTFS/opt/palisade/lib/palisade." -v jvm="$ROOTFS/opt/palisade/lib/server/libjvm.so" '
      /^[0-9a-f]+-[0-9a-f]+ / {k = ($6 == "" || $6 ~ /^\[/) ? "anon" : index($6, archive) == 1 ? "archive" : $6 == jvm ? "jvm" : "files"}
      /^Rss:/ {r[k] += $2}
      END {printf "%d %d %d %d\n", r["anon"], r["archive"], r["jvm"], r["files"]}' "/proc/$pid/smaps" >"$WORK/rss-split"
    stop palisade
  done
  log "$label: start ms ${starts[*]}; idle RSS KiB ${rsss[*]}"
  echo "$(printf '%s\n' "${starts[@]}" | median) $(printf '%s\n' "${rsss[@]}" | median)"
}

declare -a LABELS=() DROPS=() ADDS=() YAMLS=()
variant() { LABELS+=("$1"); DROPS+=("$2"); ADDS+=("${3:-}"); YAMLS+=("${4:-}"); }
NOTHING='^$'
variant "the image as built" "$NOTHING"
variant "without the class-data archive (\`-Xshare:off\`)" 'SharedArchiveFile|AOTCache' '-Xshare:off'
variant "without C1 only (\`-XX:TieredStopAtLevel=1\` dropped: C1 and C2)" 'TieredStopAtLevel'
variant "without the small young generation (\`-Xmn4m\` dropped)" '^-Xmn'
variant "G1 instead of the serial collector" 'UseSerialGC' '-XX:+UseG1GC'
variant "the image's options only, none of deploy/jvm.options" '^-Xms|^-Xmx|^-Xss|UseSerialGC|MaxDirectMemorySize'
# Not a JVM option: the policy's state tables are allocated up front at their bounds (policy/README.md).
variant "the image as built, config with small policy state tables (\`policy.state\`: max_keys 2048, max_names 16384)" "$NOTHING" "" \
  'policy: {local_zones: [test], state: {max_keys: 2048, max_names: 16384}}'


rows=""
for ((v = 0; v < ${VARIANTS:-${#LABELS[@]}}; v++)); do
  read -r ms rss < <(run_variant "$v" "${LABELS[$v]}" "${DROPS[$v]}" "${ADDS[$v]}" "${YAMLS[$v]}")
  rows+="| ${LABELS[$v]} | $(fmt "$ms" %.0f) | $(fmt "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" %.1f) |"$'\n'
  [ "$v" = 0 ] && { START_MS=$ms; RSS_MIB=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}'); }
done

rt=$ROOTFS/opt/palisade
size_rootfs=$(bytes "$ROOTFS")
size_tar=$(stat -c %s "$TARBALL")
size_jvm=$(stat -c %s "$rt/lib/server/libjvm.so")
size_modules=$(stat -c %s "$rt/lib/modules")
size_jar=$(stat -c %s "$rt/lib/palisade.jar")
archive=$rt/lib/palisade.jsa
[ -f "$archive" ] || archive=$rt/lib/palisade.aot
size_jsa=$(stat -c %s "$archive")
size_clibs=$(bytes "$ROOTFS/usr" "$ROOTFS/lib64")
size_other=$((size_rootfs - size_jvm - size_modules - size_jar - size_jsa - size_clibs))
verdict() { awk -v x="$1" -v g="$2" 'BEGIN {print (x + 0 <= g + 0) ? "met" : "**not met**"}'; }
jdk=$("$rt/bin/java" -version 2>&1 | sed -n 2p)
modules=$("$rt/bin/java" --list-modules | sed 's/@.*//' | paste -sd, -)

cat >"$RESULT" <<MD
# Runtime image

Written by \`deploy/image/measure.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -r)), for the
image that \`deploy/image/build.sh\` built: a jlink runtime ($jdk; modules $modules), the
application jar, a class-data archive from a training run, glibc and the libraries java links to.

| figure | measured | goal | |
|---|---:|---:|---|
| image size: root filesystem folder | $(mib "$size_rootfs") MiB | 40 MiB | $(verdict "$(mib "$size_rootfs")" 40) |
| image size: tarball (gzip -9), what a registry stores | $(mib "$size_tar") MiB | 40 MiB | $(verdict "$(mib "$size_tar")" 40) |
| start to first answer (median of $RUNS) | $(fmt "$START_MS" %.0f) ms | 200 ms | $(verdict "$START_MS" 200) |
| idle RSS (median of $RUNS) | $RSS_MIB MiB | 48 MiB | $(verdict "$RSS_MIB" 48) |

What takes the room in the folder: libjvm.so $(mib "$size_jvm") MiB (stripped), the JDK's modules
file $(mib "$size_modules") MiB, palisade.jar $(mib "$size_jar") MiB, the class-data archive ($(basename "$archive"))
$(mib "$size_jsa") MiB, glibc and friends $(mib "$size_clibs") MiB, the rest $(mib "$size_other") MiB.

Where the idle RSS goes (the last start of the image as built, from /proc/PID/smaps):
$(read -r anon arch jvm files <"$WORK/rss-split"; echo "anonymous memory (Java heap, metaspace, code cache, thread stacks, malloc) $(fmt "$(awk -v k="$anon" 'BEGIN {print k / 1024}')" %.1f) MiB,
the class-data archive $(fmt "$(awk -v k="$arch" 'BEGIN {print k / 1024}')" %.1f) MiB (mapped, nearly all of it touched at start), libjvm.so $(fmt "$(awk -v k="$jvm" 'BEGIN {print k / 1024}')" %.1f) MiB, other files
(glibc, Netty's natives, the modules file) $(fmt "$(awk -v k="$files" 'BEGIN {print k / 1024}')" %.1f) MiB.")

Why the goals are not met, and the levers left: the heap holds about 22 MiB live after start
(measured with \`jmap -histo:live\` on the jar, 2026-11-28), 14 MiB of it the policy's state tables,
allocated up front at their default bounds (\`policy.state\`: max_keys 65,536, max_names 524,288;
policy/README.md), which a small device can lower; the class-data archive saves start time
(see the table) but is itself resident. Start: the JVM reaches main in about 60 ms; building
Palisade (config, BouncyCastle's full provider, set up when the TLS context first parses an EC key,
policy tables, Netty) takes about 250 ms and the first DoT handshake and answer about 250 ms
more (class-load timeline, \`-Xlog:class+load\`). The folder: the jar (BouncyCastle with its
post-quantum algorithms, Guava) and the JDK's modules file are stored uncompressed for a smaller
tarball; \`IMAGE_COMPACT=1\` builds an 87 MiB folder (46 MiB tarball). A JDK 25 image with an AOT
cache starts sooner and is larger (deploy/README.md, "Which JDK").

How: each start is \`deploy/image/rootfs-run.sh\` (a private mount namespace with /proc, /dev and a
tmpfs /tmp, then chroot as the image's user palisade, as a container runtime would) running
\`/opt/palisade/bin/java @VARIANT.args -C palisade.yml\` (VARIANT.args: the image's palisade.args, less or plus the options of the variant),
with Palisade forwarding over DoT to unbound on $IMG_UPSTREAM (local data); start to first answer
is from just before that exec to the first \`dig\` that gets an address back for a name never asked
before (dig is retried every ~10 ms, so the figure includes up to that much polling); then 20 more
queries, $IDLE s idle, VmRSS from /proc/PID/status.

| variant (palisade.args less, or plus, the options named) | start to first answer, ms | idle RSS, MiB |
|---|---:|---:|
$rows
MD
log "wrote $RESULT"
cat "$RESULT"
