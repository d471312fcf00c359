#!/usr/bin/env bash
# Every end-to-end benchmark, in the order that leaves bench/RESULTS.md complete: run-more.sh
# (three validating stubs on a signed zone, DoH vs DoT: bench/RESULTS-more.md and latency.png), then
# run.sh (like-for-like forwarding; it rewrites RESULTS.md and folds in the other scripts' files).
# About 40 minutes. Run as root, on an otherwise idle machine. Only loopback addresses are used.
#
#   sudo bench/all.sh [--quick]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
"$BENCH_DIR/run-more.sh" "$@"
"$BENCH_DIR/run.sh" "$@"
