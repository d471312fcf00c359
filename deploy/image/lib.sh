# shellcheck shell=bash
# Shared by deploy/image/train.sh and measure.sh: bench/lib.sh's process helpers, plus a DoT
# upstream (unbound with local data, on loopback) and a Palisade config pointed at it.
# Set WORK (a directory for logs and keys) and REPO before sourcing.
# shellcheck source=../../bench/lib.sh
. "$REPO/bench/lib.sh"

IMG_UPSTREAM=${IMG_UPSTREAM:-127.77.0.40}   # unbound: DoT on 8853, plain DNS on 8053 (readiness only)
IMG_PALISADE=${IMG_PALISADE:-127.77.0.41}   # Palisade in the image: port 5353
IMG_DOT_PORT=8853
IMG_PLAIN_PORT=8053
IMG_PORT=5353

# image_upstream: start unbound as the DoT upstream (PID[upstream]); its certificate is for dot.test,
# signed by $WORK/ca.pem. Every name under any.train.test answers 192.0.2.9 (fresh cache misses).
image_upstream() {
  local a
  for a in "$IMG_UPSTREAM:$IMG_DOT_PORT" "$IMG_UPSTREAM:$IMG_PLAIN_PORT" "$IMG_PALISADE:$IMG_PORT"; do
    in_use "$a" && die "$a is in use (another run of this script?)"
  done
  make_ca "$WORK" dot.test
  cat >"$WORK/upstream.conf" <<CONF
remote-control:
  control-enable: no
server:
$(unbound_common upstream)
  interface: $IMG_UPSTREAM@$IMG_DOT_PORT
  interface: $IMG_UPSTREAM@$IMG_PLAIN_PORT
  port: $IMG_PLAIN_PORT
  tls-port: $IMG_DOT_PORT
  tls-service-key: "$WORK/server.key"
  tls-service-pem: "$WORK/server.pem"
  outgoing-interface: $IMG_UPSTREAM
  num-threads: 1
  local-zone: "." refuse
  local-zone: "train.test." static
  local-data: "www.train.test. 300 IN A 192.0.2.1"
  local-data: "www.train.test. 300 IN AAAA 2001:db8::1"
  local-zone: "any.train.test." redirect
  local-data: "any.train.test. 300 IN A 192.0.2.9"
CONF
  start upstream unbound -d -c "$WORK/upstream.conf"
  local i
  for ((i = 0; i < 100; i++)); do
    alive upstream
    [ "$(dig @$IMG_UPSTREAM -p $IMG_PLAIN_PORT www.train.test A +short +time=1 +tries=1 2>/dev/null)" = 192.0.2.1 ] && return 0
    sleep 0.1
  done
  die "upstream did not answer within 10 s"
}

# image_config FILE CA_PATH: a Palisade config for the image, listening on $IMG_PALISADE@$IMG_PORT,
# forwarding to the upstream; CA_PATH is the CA file's path as Palisade sees it (inside the rootfs).
image_config() {
  cat >"$1" <<CONF
listen_addresses: [$IMG_PALISADE@$IMG_PORT]
upstream_recursive_servers:
  - address_data: $IMG_UPSTREAM
    tls_port: $IMG_DOT_PORT
    tls_auth_name: dot.test
tls_ca_file: $2
dnssec: GETDNS_EXTENSION_FALSE   # the test zone is unsigned
policy: {local_zones: [test]}    # test. is no public suffix
metrics: {listen: $IMG_PALISADE@9153}   # on, as in the image's default config (its classes in the archive too)
CONF
}

# wait_answer NAME: dig Palisade until it answers NAME with an address (at most 30 s)
wait_answer() {
  local i
  for ((i = 0; i < 3000; i++)); do
    [ -z "${PID[palisade]:-}" ] || alive palisade
    # dig +short prints its errors on stdout too: look for an address
    dig @$IMG_PALISADE -p $IMG_PORT "$1" A +short +time=1 +tries=1 2>/dev/null | grep -Eq '^[0-9]+\.[0-9.]+$' && return 0
    sleep 0.01
  done
  return 1
}
