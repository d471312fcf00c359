#!/bin/sh
# nftables version of dnat-iptables.sh: every LAN device's DNS (UDP and TCP port 53) goes to
# Palisade on the router, whatever server the device asks; DoT (TCP 853) and DoQ (UDP 853) through
# the router are refused. One table, `inet palisade`, holds it all (IPv4 and IPv6).
#
#   dnat-nft.sh LAN_IF PALISADE_IPV4 [PALISADE_IPV6]           add (replaces the table)
#   dnat-nft.sh --print LAN_IF PALISADE_IPV4 [PALISADE_IPV6]   print the ruleset (for /etc/nftables.conf)
#   dnat-nft.sh --delete                                       remove the table
#   e.g. dnat-nft.sh br-lan 192.168.1.1 fd00:1::1
#
# Needs a kernel with inet-family NAT (Linux 5.2+). See dnat-iptables.sh for what the rules do and why.
set -eu
case "${1:-}" in
  --delete) nft delete table inet palisade 2>/dev/null || true; exit 0 ;;
  --print) print=1; shift ;;
  *) print=0 ;;
esac
[ $# -ge 2 ] || { echo "usage: $0 [--print|--delete] LAN_IF PALISADE_IPV4 [PALISADE_IPV6]" >&2; exit 2; }
lan=$1 v4=$2 v6=${3:-}

ruleset() {
  cat <<NFT
table inet palisade
delete table inet palisade
table inet palisade {
  chain dns_dnat {
    type nat hook prerouting priority dstnat; policy accept;
    # Queries to Palisade itself stay as they are; every other port-53 query from the LAN goes to it.
    iifname "$lan" ip daddr != $v4 meta l4proto { udp, tcp } th dport 53 dnat ip to $v4:53
NFT
  [ -z "$v6" ] || cat <<NFT
    iifname "$lan" ip6 daddr != $v6 meta l4proto { udp, tcp } th dport 53 dnat ip6 to [$v6]:53
NFT
  cat <<NFT
  }
  chain no_dot {
    type filter hook forward priority filter; policy accept;
    # DoT (RFC 7858) and DoQ (RFC 9250) through the router: refused at once, devices fall back to 53.
    iifname "$lan" tcp dport 853 reject with tcp reset
    iifname "$lan" udp dport 853 reject
  }
}
NFT
}

if [ "$print" = 1 ]; then
  ruleset
else
  ruleset | nft -f -
fi
