#!/bin/sh
# Sends every LAN device's DNS (UDP and TCP port 53) to Palisade on the router, whatever server the
# device asks (hard-coded 8.8.8.8 included), and stops LAN devices from going around it over
# DNS-over-TLS (TCP 853) or DNS-over-QUIC (UDP 853, RFC 9250). iptables/ip6tables (legacy or nft
# backend); the same rules for nftables: dnat-nft.sh.
#
#   dnat-iptables.sh LAN_IF PALISADE_IPV4 [PALISADE_IPV6]           add (idempotent: replaces ours)
#   dnat-iptables.sh --delete LAN_IF PALISADE_IPV4 [PALISADE_IPV6]  remove
#   e.g. dnat-iptables.sh br-lan 192.168.1.1 fd00:1::1
#
# Palisade must listen on PALISADE_IPV4 (and PALISADE_IPV6) port 53 on this router and answer the LAN
# (`listen_addresses` and `access` in its config). The device sees the answer come from the server it
# asked: conntrack rewrites the reply's source back. Everything lives in our own chains
# (PALISADE_DNS in nat PREROUTING, PALISADE_DOT in filter FORWARD), so --delete removes exactly it.
# DNS-over-HTTPS (443) cannot be told apart from other HTTPS by port; block known DoH servers by
# address or with the policy's allowlist instead.
set -eu
delete=0
if [ "${1:-}" = --delete ]; then delete=1; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--delete] LAN_IF PALISADE_IPV4 [PALISADE_IPV6]" >&2; exit 2; }
lan=$1 v4=$2 v6=${3:-}

undo() {   # undo IPTABLES: remove our jumps and chains (silently when absent)
  ipt=$1
  while $ipt -w -t nat -D PREROUTING -i "$lan" -j PALISADE_DNS 2>/dev/null; do :; done
  while $ipt -w -t filter -D FORWARD -i "$lan" -j PALISADE_DOT 2>/dev/null; do :; done
  for t in nat:PALISADE_DNS filter:PALISADE_DOT; do
    $ipt -w -t "${t%%:*}" -F "${t#*:}" 2>/dev/null || true
    $ipt -w -t "${t%%:*}" -X "${t#*:}" 2>/dev/null || true
  done
}

apply() {  # apply IPTABLES PALISADE_ADDR TO: TO is ADDR:53 for IPv4, [ADDR]:53 for IPv6
  ipt=$1 addr=$2 to=$3
  undo "$ipt"
  $ipt -w -t nat -N PALISADE_DNS
  # Queries to Palisade itself, and Palisade's own traffic, stay as they are.
  $ipt -w -t nat -A PALISADE_DNS -d "$addr" -j RETURN
  $ipt -w -t nat -A PALISADE_DNS -s "$addr" -j RETURN
  for proto in udp tcp; do
    $ipt -w -t nat -A PALISADE_DNS -p "$proto" --dport 53 -j DNAT --to-destination "$to"
  done
  $ipt -w -t nat -I PREROUTING -i "$lan" -j PALISADE_DNS
  $ipt -w -t filter -N PALISADE_DOT
  # DoT (RFC 7858) and DoQ (RFC 9250) through the router: refused at once, so devices fall back
  # to port 53 (and so to Palisade) instead of waiting for a timeout.
  $ipt -w -t filter -A PALISADE_DOT -p tcp --dport 853 -j REJECT --reject-with tcp-reset
  $ipt -w -t filter -A PALISADE_DOT -p udp --dport 853 -j REJECT
  $ipt -w -t filter -I FORWARD -i "$lan" -j PALISADE_DOT
}

if [ "$delete" = 1 ]; then
  undo iptables
  [ -z "$v6" ] || undo ip6tables
else
  apply iptables "$v4" "$v4:53"
  [ -z "$v6" ] || apply ip6tables "$v6" "[$v6]:53"
fi
