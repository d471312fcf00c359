#!/usr/bin/env bash
# Allowlist firewall, nftables: this host (and, with --forward, the hosts it routes) may open
# connections only to addresses that Palisade resolved, kept in nft sets by Palisade
# (ipset.apply: true, backend nft, nft_table "inet palisade"). Everything else outbound is rejected.
#
#   nft-allowlist.sh up   [--table NAME] [--set4 NAME] [--set6 NAME] [--forward] [--print]
#   nft-allowlist.sh down [--table NAME]
#
# One table of its own (inet palisade by default), so "down" is one delete and other tables are
# untouched. Its base chains drop by default; an accept in another table cannot override that.
# Allowed: loopback (programs reach Palisade on 127.0.0.1:53), replies (conntrack), IPv6 neighbour
# discovery, and destinations in the sets. Palisade pins its upstreams' addresses in the sets.
# "up" again replaces the rules and keeps the sets and their elements. --print shows the ruleset
# instead of loading it.
set -euo pipefail

action=${1:-}
[[ $action == up || $action == down ]] || { echo "usage: $0 up|down [--table NAME] [--set4 NAME] [--set6 NAME] [--forward] [--print]" >&2; exit 2; }
shift
table=palisade set4=palisade4 set6=palisade6 forward=0 print=0
while (($#)); do
  case $1 in
    --table) table=$2; shift 2 ;;
    --set4) set4=$2; shift 2 ;;
    --set6) set6=$2; shift 2 ;;
    --forward) forward=1; shift ;;
    --print) print=1; shift ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ $action == down ]]; then
  nft delete table inet "$table" 2>/dev/null || true
  exit 0
fi

chain() { # name hook
  cat <<RULES
add chain inet $table $1 { type filter hook $2 priority 0; policy drop; }
flush chain inet $table $1
RULES
  [[ $2 == output ]] && echo "add rule inet $table $1 oifname \"lo\" accept"
  cat <<RULES
add rule inet $table $1 ct state established,related accept
add rule inet $table $1 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept
add rule inet $table $1 ip daddr @$set4 accept
add rule inet $table $1 ip6 daddr @$set6 accept
add rule inet $table $1 meta l4proto tcp reject with tcp reset
add rule inet $table $1 reject
RULES
}

ruleset() {
  # "add" keeps a table and sets that exist (with their elements); one nft -f run is one transaction.
  cat <<RULES
add table inet $table
add set inet $table $set4 { type ipv4_addr; flags timeout; }
add set inet $table $set6 { type ipv6_addr; flags timeout; }
RULES
  chain output output
  ((forward)) && chain forward forward
  return 0
}

if ((print)); then
  ruleset
else
  ruleset | nft -f -
fi
