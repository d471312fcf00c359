#!/usr/bin/env bash
# Runs a command inside the Palisade root filesystem the way a container runtime would: its own
# mount namespace with /proc, a minimal /dev and a fresh /tmp, then chroot, as the image's
# unprivileged user unless --root is given. The host's network namespace is shared (as with
# `docker run --network host`), so loopback upstreams and listeners work as they do outside.
#
#   deploy/image/rootfs-run.sh [--root] ROOTFS COMMAND [ARG...]
#   deploy/image/rootfs-run.sh deploy/target/rootfs /opt/palisade/bin/java @/opt/palisade/lib/palisade.args -C /etc/palisade/palisade.yml
#
# The process keeps this script's PID (every step execs), so a caller can signal and measure it.
# Needs root (mount namespaces); nothing is mounted outside the new namespace.
set -euo pipefail
user=65532  # palisade in the image's /etc/passwd
if [ "${1:-}" = --root ]; then
  user=0
  shift
fi
[ $# -ge 2 ] || { echo "usage: $0 [--root] ROOTFS COMMAND [ARG...]" >&2; exit 2; }
rootfs=$(readlink -f "$1")
shift
[ -x "$rootfs/opt/palisade/bin/java" ] || { echo "$0: $rootfs is not a Palisade root filesystem (build it with deploy/image/build.sh)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (mount namespace, chroot)" >&2; exit 2; }

if [ -z "${PALISADE_ROOTFS_NS:-}" ]; then
  # unshare execs this script again in a private mount namespace (propagation private by default).
  PALISADE_ROOTFS_NS=1 exec unshare --mount -- "$0" $([ "$user" = 0 ] && echo --root) "$rootfs" "$@"
fi
# What runc/docker give every container: procfs (glibc resolves the java launcher's $ORIGIN
# RPATH through /proc/self/exe), the standard device nodes, a writable /tmp (Netty extracts its
# native libraries there).
mount -t proc -o nosuid,nodev,noexec proc "$rootfs/proc"
mount -t tmpfs -o nosuid,mode=755,size=64k tmpfs "$rootfs/dev"
for d in null zero full random urandom tty; do
  touch "$rootfs/dev/$d"
  mount --bind "/dev/$d" "$rootfs/dev/$d"
done
mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m tmpfs "$rootfs/tmp"
exec chroot --userspec="$user:$user" "$rootfs" "$@"
