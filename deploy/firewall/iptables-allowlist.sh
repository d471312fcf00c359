#!/usr/bin/env bash
# Allowlist firewall, iptables + ipset: this host (and, with --forward, the hosts it routes) may
# open connections only to addresses that Palisade resolved, kept in ipsets by Palisade
# (ipset.apply: true, backend ipset). Everything else outbound is rejected.
#
#   iptables-allowlist.sh up   [--set4 NAME] [--set6 NAME] [--maxelem N] [--forward] [--no-ipv6]
#   iptables-allowlist.sh down [--forward] [--no-ipv6]
#
# Allowed: loopback (so local programs reach Palisade on 127.0.0.1:53), replies to connections
# already allowed (conntrack), IPv6 neighbour discovery, and destinations in the sets. Palisade
# itself reaches its upstreams because it pins their addresses in the sets. Rules live in their
# own chains (PALISADE-OUT, PALISADE-FWD), jumped to first from OUTPUT/FORWARD, so "down" removes
# exactly them; the sets stay (drop them with ipset destroy).
#
# The set names and maxelem must be those in Palisade's ipset: section (names, max_entries).
set -euo pipefail

action=${1:-}
[[ $action == up || $action == down ]] || { echo "usage: $0 up|down [--set4 NAME] [--set6 NAME] [--maxelem N] [--forward] [--no-ipv6]" >&2; exit 2; }
shift
set4=palisade4 set6=palisade6 maxelem=65536 forward=0 ipv6=1
while (($#)); do
  case $1 in
    --set4) set4=$2; shift 2 ;;
    --set6) set6=$2; shift 2 ;;
    --maxelem) maxelem=$2; shift 2 ;;
    --forward) forward=1; shift ;;
    --no-ipv6) ipv6=0; shift ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done

tables=(iptables)
((ipv6)) && tables+=(ip6tables)
hooks=(OUT:OUTPUT)
((forward)) && hooks+=(FWD:FORWARD)

down() {
  for t in "${tables[@]}"; do
    for h in "${hooks[@]}"; do
      chain=PALISADE-${h%%:*} builtin=${h#*:}
      while $t -w -D "$builtin" -j "$chain" 2>/dev/null; do :; done
      $t -w -F "$chain" 2>/dev/null || true
      $t -w -X "$chain" 2>/dev/null || true
    done
  done
}

if [[ $action == down ]]; then
  down
  exit 0
fi

# Same parameters as Palisade's own "create" (timeout 60 is only the default; Palisade gives
# every address its own timeout): -exist keeps a set that is already there, with its addresses.
ipset create "$set4" hash:ip family inet timeout 60 maxelem "$maxelem" -exist
((ipv6)) && ipset create "$set6" hash:ip family inet6 timeout 60 maxelem "$maxelem" -exist

down # re-running "up" replaces the rules, never doubles them
for t in "${tables[@]}"; do
  if [[ $t == iptables ]]; then set=$set4; else set=$set6; fi
  for h in "${hooks[@]}"; do
    chain=PALISADE-${h%%:*} builtin=${h#*:}
    $t -w -N "$chain"
    [[ $builtin == OUTPUT ]] && $t -w -A "$chain" -o lo -j ACCEPT
    $t -w -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    if [[ $t == ip6tables ]]; then
      for type in neighbour-solicitation neighbour-advertisement router-solicitation; do
        $t -w -A "$chain" -p ipv6-icmp --icmpv6-type "$type" -j ACCEPT
      done
    fi
    $t -w -A "$chain" -m set --match-set "$set" dst -j ACCEPT
    # Reject rather than drop: a program fails at once instead of waiting for a timeout.
    $t -w -A "$chain" -p tcp -j REJECT --reject-with tcp-reset
    $t -w -A "$chain" -j REJECT
    $t -w -I "$builtin" 1 -j "$chain"
  done
done
