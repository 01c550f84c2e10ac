#!/usr/bin/env bash
# Durable-ingest benchmark: starts tokenscope serve on a free loopback port with a fresh data
# directory, drives it with tokenscope-loadgen, then measures the store-only ceiling with the
# same batches. Prints each run's RESULT line and the medians. Then, when it was built, the
# decoder microbenchmark (bench/decoder_bench.cc): medians of 5 repetitions as a table.
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

# Decoders against libprotobuf, on a machine the server no longer shares.
[[ -x "$build/decoder_bench" ]] || { echo "decoder_bench not built: skipped"; exit 0; }
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
"$build/decoder_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$work/decoders.csv" --benchmark_out_format=csv
# Medians (CPU time) as the table in docs/benchmarks.md, and the ratios it quotes.
awk -F, 'BEGIN { print "| decoder | MB/s | spans/s |"; print "|---|---|---|" }
  $1 ~ /^"BM_.*_median"$/ {
    name = $1; gsub(/"/, "", name); gsub(/^BM_|_median$/, "", name)
    mb[name] = $6 / 1e6; spans[name] = $NF
    printf "| %s | %.0f | %.0f |\n", name, mb[name], spans[name]
  }
  END {
    printf "protobuf: Tokenscope = %.2fx libprotobuf (heap), %.2fx libprotobuf (arena)\n",
      mb["TokenscopeProto"] / mb["LibprotobufHeap"], mb["TokenscopeProto"] / mb["LibprotobufArena"]
    printf "JSON: Tokenscope = %.1fx libprotobuf JSON\n",
      mb["TokenscopeJson"] / mb["LibprotobufJson"]
  }' "$work/decoders.csv"
