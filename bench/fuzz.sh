#!/usr/bin/env bash
# Listener fuzz at bench size (issue 10, part 1): ListenerFuzzTest with 10^6 seeded cases of every
# malformed class (MalformedPackets) sent over UDP to a live Palisade (in-process, a real unbound DoT
# upstream on loopback). Writes packets/s and the crash count to bench/FUZZ.md, which run.sh folds
# into RESULTS.md. The default test run does the same with 10^4 cases.
#
#   bench/fuzz.sh               10^6 cases (about 2 min)
#   bench/fuzz.sh 50000         another count
#
# Netty's paranoid leak detection (on in the test run) is turned off here: it would measure itself.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
CASES=${1:-1000000}
cd "$REPO_DIR"
mvn -B -o -q -pl resolver -am test -Dtest='ListenerFuzzTest#survivesEveryClassOfMalformedDatagramAndStillAnswers' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dleak.argLine= \
  -Dfuzz.cases="$CASES" -Dfuzz.report="$BENCH_DIR/FUZZ.md"
cat "$BENCH_DIR/FUZZ.md"
