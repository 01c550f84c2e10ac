#!/usr/bin/env bash
# Durable-ingest benchmark: starts tokenscope serve on a free loopback port with a fresh data
# directory, drives it with tokenscope-loadgen, then measures the store-only ceiling with the
# same batches. Prints each run's RESULT line and the medians.
#   scripts/bench-ingest.sh [BUILD_DIR] [RUNS] [SECONDS]
set -euo pipefail
build=${1:-build} runs=${2:-3} seconds=${3:-6}
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$build/tokenscope" serve --data "$work/data" --http 127.0.0.1:0 --grpc 127.0.0.1:0 \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  addr=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1 || true)
  [[ -n "$addr" ]] && break
  sleep 0.1
done
[[ -n "${addr:-}" ]] || { cat "$work/serve.log"; exit 1; }

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
field() { grep -oE "$1=[0-9.]+" | cut -d= -f2; }

: >"$work/ingest"
for _ in $(seq "$runs"); do
  "$build/tokenscope-loadgen" --endpoint "${addr#http://}" --connections 4 --seconds "$seconds" \
    | grep RESULT | tee -a "$work/ingest"
done
: >"$work/ceiling"
for i in $(seq "$runs"); do
  "$build/tokenscope-loadgen" --store-ceiling "$work/ceiling-$i" --connections 4 \
    --seconds "$seconds" | grep RESULT | tee -a "$work/ceiling"
done
ingest=$(field spans_per_s <"$work/ingest" | median)
ceiling=$(field spans_per_s <"$work/ceiling" | median)
echo "median ingest: $ingest spans/s, p99 ack $(field p99_ms <"$work/ingest" | median) ms"
echo "median store ceiling: $ceiling spans/s; ingest/ceiling = $(awk -v a="$ingest" -v b="$ceiling" 'BEGIN {printf "%.0f%%", 100*a/b}')"
