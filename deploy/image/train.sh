#!/usr/bin/env bash
# The class-data archive's training run (called by build.sh): Palisade inside ROOTFS, forwarding
# over DoT to a loopback unbound, answers cache misses over UDP and TCP, a refusal and a repeat,
# then stops. MODE classlist (JDK 17..24): -XX:DumpLoadedClassList writes every class it loaded to
# DIR/classes.lst, for -Xshare:dump. MODE aot (JDK 25+): -XX:AOTCacheOutput writes the AOT cache
# (JEP 483/514/515: classes loaded and linked, method profiles) to /opt/palisade/lib/palisade.aot.
#
#   deploy/image/train.sh ROOTFS DIR [MODE]   (DIR: a directory inside ROOTFS, e.g. /etc/palisade/train)
set -euo pipefail
ROOTFS=$(readlink -f "$1")
DIR=$2
MODE=${3:-classlist}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOTFS$DIR
BENCH_SCRIPT=train.sh
# shellcheck source=lib.sh
. "$REPO/deploy/image/lib.sh"
bench_traps
for tool in unbound openssl dig; do
  command -v "$tool" >/dev/null || command -v "/usr/sbin/$tool" >/dev/null || die "$tool is needed for the training run"
done
mkdir -p "$WORK"
image_upstream
image_config "$WORK/palisade.yml" "$DIR/ca.pem"
# The image's options, less the archive that this run prepares.
mapfile -t opts < <(grep -v '^#' "$ROOTFS/opt/palisade/lib/palisade.args" | grep -Ev 'SharedArchiveFile|AOTCache' | sed 's/ *#.*//' | grep .)
if [ "$MODE" = aot ]; then
  record=-XX:AOTCacheOutput=/opt/palisade/lib/palisade.aot
else
  record=-XX:DumpLoadedClassList="$DIR/classes.lst"
fi
start palisade "$REPO/deploy/image/rootfs-run.sh" --root "$ROOTFS" /opt/palisade/bin/java \
  "$record" "${opts[@]}" -C "$DIR/palisade.yml"
wait_answer www.train.test || die "Palisade did not answer within 30 s: $(cat "$WORK/palisade.out")"
for q in "www.train.test AAAA" "n1.any.train.test A" "n2.any.train.test A +tcp" "www.train.test A" \
    "nosuchtld.invalidtld MX" "www.train.test A +dnssec" "n3.any.train.test TXT +tcp"; do
  # shellcheck disable=SC2086
  dig @$IMG_PALISADE -p $IMG_PORT $q +time=2 +tries=1 >/dev/null || true
done
stop palisade
if [ "$MODE" = aot ]; then
  [ -s "$ROOTFS/opt/palisade/lib/palisade.aot" ] || die "no AOT cache written: $(cat "$WORK/palisade.out")"
  log "AOT cache: $(tail -2 "$WORK/palisade.out" | head -1)"
else
  [ -s "$WORK/classes.lst" ] || die "no class list written: $(cat "$WORK/palisade.out")"
  log "training run loaded $(grep -vc '^#' "$WORK/classes.lst") classes"
fi
