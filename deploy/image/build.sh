#!/usr/bin/env bash
# Builds Palisade's runtime image: a root filesystem that runs with nothing else (a container
# FROM scratch holds only it), and its tarball.
#
#   mvn -B -q -pl resolver -am package -DskipTests   # the shaded jar
#   sudo deploy/image/build.sh                         # -> deploy/target/rootfs/, deploy/target/palisade-rootfs.tar.gz
#
# Layout of the root filesystem:
#   /opt/palisade/           a jlink runtime with only the modules Palisade uses (bin/java, lib/...)
#   /opt/palisade/lib/palisade.jar   the application
#   /opt/palisade/lib/palisade.jsa   class-data archive (JDK + application classes) from a training run
#                                    (palisade.aot, an AOT cache, when built with JDK 25+)
#   /opt/palisade/lib/palisade.args  the java options and -jar: `java @/opt/palisade/lib/palisade.args -C FILE`
#   /etc/palisade/palisade.yml       default config (Quad9 over TLS, listening on every address)
#   /lib/x86_64-linux-gnu, /lib64    glibc and the few libraries java and Netty's natives link to
#   /etc/passwd, /etc/group          user palisade (65532); /tmp (1777) for Netty's native libraries
#
# Environment: PALISADE_JDK (default: the JDK of the jlink on PATH; JDK 17 gives the smaller image,
# see bench/IMAGE.md), PALISADE_JAR (default resolver/target/palisade.jar), OUT (default deploy/target).
# The training run for the class-data archive needs unbound and openssl (a DoT upstream on
# loopback, as the tests use); without them the archive covers start-up only. Needs root (chroot).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
JAR=${PALISADE_JAR:-$REPO/resolver/target/palisade.jar}
OUT=${OUT:-$REPO/deploy/target}
JDK=${PALISADE_JDK:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}
ROOTFS=$OUT/rootfs
TARBALL=$OUT/palisade-rootfs.tar.gz
UID_PALISADE=65532

log() { echo "build.sh: $*" >&2; }
die() { log "$*"; exit 1; }
[ -f "$JAR" ] || die "no $JAR: run 'mvn -B -q -pl resolver -am package -DskipTests' first"
[ -x "$JDK/bin/jlink" ] || die "no jlink in $JDK (set PALISADE_JDK)"
[ "$(id -u)" -eq 0 ] || die "needs root: the class-data archive is dumped inside the root filesystem (chroot)"
feature=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')

# 1. Modules: what jdeps finds in the jar, less three that only unused code paths reference, plus
#    the EC provider that TLS finds by ServiceLoader (jdeps cannot see it; in java.base from JDK 22).
#    The image test (RuntimeImageIT) runs the result against a real DoT upstream.
# BouncyCastle's LDAP cert-store helpers, dnsjava's DohResolver, Netty's optional JFR events, and
# Micrometer's logging binders (java.beans, which drags in java.desktop: AWT, Swing, 13 MiB), none used.
unused="java.sql java.net.http jdk.jfr java.desktop"
modules=$("$JDK/bin/jdeps" -summary --ignore-missing-deps --multi-release "$feature" "$JAR" 2>/dev/null \
  | sed -n 's/^.* -> \(j[a-z.]*\)$/\1/p' | sort -u)
keep=()
for m in $modules; do
  [[ " $unused " == *" $m "* ]] || keep+=("$m")
done
[ -f "$JDK/jmods/jdk.crypto.ec.jmod" ] || "$JDK/bin/java" --list-modules 2>/dev/null | grep -q '^jdk.crypto.ec@' && keep+=(jdk.crypto.ec)
MODULES=$(IFS=,; echo "${keep[*]}")
log "JDK $feature at $JDK; modules $MODULES"

# 2. The runtime. No default CDS archive: step 6 makes one for JDK and application classes together.
rm -rf "$ROOTFS" "$TARBALL"
mkdir -p "$OUT" "$ROOTFS/opt"
# Uncompressed modules (and a stored jar, step 3): the tarball's gzip then compresses them far better
# than jlink's and jar's per-entry compression do (tarball 38 instead of 46 MiB; the folder grows from 87 to 125 MiB),
# and nothing is inflated at class-load time. IMAGE_COMPACT=1 keeps both compressed: a smaller
# folder (for flash storage), a larger download.
compress=0
if [ -n "${IMAGE_COMPACT:-}" ]; then compress=2; [ "$feature" -ge 21 ] && compress=zip-9; fi
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress="$compress" --output "$ROOTFS/opt/palisade"
rt=$ROOTFS/opt/palisade
# Not needed to run a server: key tools, the jrt filesystem for external tools, the JDK's class list.
rm -f "$rt/bin/keytool" "$rt/lib/jexec" "$rt/bin/jrunscript" "$rt/lib/jrt-fs.jar" "$rt/lib/classlist" "$rt/lib/server/classes"*.jsa "$rt/lib/libjsig.so" "$rt/lib/server/libjsig.so"
find "$rt" -name '*.so' -exec strip --strip-unneeded {} +
strip --strip-unneeded "$rt/bin/java"

# 3. The application: the shaded jar less build metadata, stored (see step 2) unless IMAGE_COMPACT.
cp "$JAR" "$rt/lib/palisade.jar"
zip -q -d "$rt/lib/palisade.jar" 'META-INF/maven/*' >/dev/null 2>&1 || true
if [ -z "${IMAGE_COMPACT:-}" ]; then
  unpacked=$(mktemp -d)
  (cd "$unpacked" && unzip -q "$rt/lib/palisade.jar" && rm "$rt/lib/palisade.jar" \
    && zip -q -0 -X -r "$rt/lib/palisade.jar" META-INF/MANIFEST.MF . )
  rm -rf "$unpacked"
fi

# 4. The C libraries: everything java, the JDK's libraries and Netty's natives (inside the jar,
#    extracted at run time) link to, from the host; the dynamic loader at its standard path.
natives=$(mktemp -d)
trap 'rm -rf "$natives"' EXIT
(cd "$natives" && unzip -q -o "$rt/lib/palisade.jar" 'META-INF/native/*.so')
mkdir -p "$ROOTFS/lib64"
for lib in $( { find "$rt" "$natives" -name '*.so' -o -path "$rt/bin/*" -type f; } | xargs ldd 2>/dev/null \
    | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' | sort -u); do
  real=$(readlink -f "$lib")
  [[ "$real" == "$ROOTFS"/* ]] && continue   # the runtime's own libraries (found through $ORIGIN)
  dest=$ROOTFS$(dirname "$real")/$(basename "$lib")
  mkdir -p "$(dirname "$dest")"
  cp "$real" "$dest"
done
loader=$(ldd "$rt/bin/java" | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p')
if [ ! -e "$ROOTFS$loader" ]; then
  mkdir -p "$ROOTFS$(dirname "$loader")"
  ln -s "$(realpath -s -m --relative-to="$(dirname "$loader")" "$(readlink -f "$loader")")" "$ROOTFS$loader"
  cp "$(readlink -f "$loader")" "$ROOTFS$(readlink -f "$loader")"
fi
# Debian merges /lib into /usr/lib: the libraries sit at their real paths, /lib points there.
[ -d "$ROOTFS/usr/lib" ] && [ ! -e "$ROOTFS/lib" ] && ln -s usr/lib "$ROOTFS/lib"

# 5. The rest of a root filesystem: user, hosts, /tmp, mount points, the default config.
mkdir -p "$ROOTFS/etc/palisade" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/var/lib/palisade" "$ROOTFS/tmp"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/:/nonexistent\npalisade:x:%s:%s:Palisade DNS:/var/lib/palisade:/nonexistent\n' $UID_PALISADE $UID_PALISADE >"$ROOTFS/etc/passwd"
printf 'root:x:0:\npalisade:x:%s:\n' $UID_PALISADE >"$ROOTFS/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$ROOTFS/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$ROOTFS/etc/nsswitch.conf"
chown $UID_PALISADE:$UID_PALISADE "$ROOTFS/var/lib/palisade"
cp "$REPO/deploy/image/palisade.yml" "$ROOTFS/etc/palisade/palisade.yml"
{
  echo "# java @/opt/palisade/lib/palisade.args [Palisade options]: written by deploy/image/build.sh."
  echo "# From deploy/jvm.options:"
  grep -v '^#' "$REPO/deploy/jvm.options" | grep .
  echo "# The image's own (what each buys: bench/IMAGE.md):"
  grep -v '^#' "$REPO/deploy/image/jvm.options" | grep .
  if [ "$feature" -ge 25 ]; then echo "-XX:AOTCache=/opt/palisade/lib/palisade.aot"; else echo "-XX:SharedArchiveFile=/opt/palisade/lib/palisade.jsa"; fi
  echo "-jar"
  echo "/opt/palisade/lib/palisade.jar"
} >"$rt/lib/palisade.args"

# 6. Class-data archive: a training run inside the root filesystem records the classes loaded from
#    start to answered queries (cache misses over DoT, TCP, refusals), then -Xshare:dump maps them
#    into one archive. Paths at dump time equal those at run time (the archive checks the class path).
train=$ROOTFS/etc/palisade/train
mkdir -p "$train"
if [ "$feature" -ge 25 ]; then
  # JDK 25+: an AOT cache (JEP 483/514/515) instead: classes also pre-linked, methods pre-profiled.
  "$REPO/deploy/image/train.sh" "$ROOTFS" /etc/palisade/train aot
  chmod 644 "$rt/lib/palisade.aot"
else
  "$REPO/deploy/image/train.sh" "$ROOTFS" /etc/palisade/train classlist
  "$REPO/deploy/image/rootfs-run.sh" --root "$ROOTFS" /opt/palisade/bin/java -Xshare:dump \
    -XX:SharedClassListFile=/etc/palisade/train/classes.lst -XX:SharedArchiveFile=/opt/palisade/lib/palisade.jsa \
    $(grep -v '^#' "$REPO/deploy/jvm.options" | grep -E '^-XX:\+Use.*GC') \
    -cp /opt/palisade/lib/palisade.jar >"$OUT/cds-dump.log" 2>&1 || { cat "$OUT/cds-dump.log" >&2; die "CDS dump failed"; }
  chmod 644 "$rt/lib/palisade.jsa"
fi
rm -rf "$train"

# 7. The tarball: numeric owners, so it unpacks the same anywhere.
tar --numeric-owner -C "$ROOTFS" -cf - . | gzip -9 >"$TARBALL"
log "rootfs $(du -sm "$ROOTFS" | cut -f1) MiB at $ROOTFS; tarball $(du -m "$TARBALL" | cut -f1) MiB at $TARBALL"
