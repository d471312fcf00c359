#!/usr/bin/env bash
# Flood of never-seen names at bench size (issue 10, part 2): FloodTest with 10^6 names from 250
# loopback addresses against a live Palisade (in-process, real unbound DoT upstream). Records the
# cache, policy-state and rate-limiter bounds and the JVM's RSS before and after in bench/FLOOD.md,
# which run.sh folds into RESULTS.md. The default test run does the same with 2*10^4 names.
#
#   bench/flood.sh              10^6 names (about 5 min)
#   bench/flood.sh 100000       another count
#
# The test JVM gets -Xmx256m (a router-sized heap) and no leak detection (it would measure itself).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
NAMES=${1:-1000000}
cd "$REPO_DIR"
mvn -B -o -q -pl resolver -am test -Dtest='FloodTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dleak.argLine=-Xmx256m -Dflood.names="$NAMES" -Dflood.report="$BENCH_DIR/FLOOD.md"
cat "$BENCH_DIR/FLOOD.md"
