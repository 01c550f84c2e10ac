#!/usr/bin/env bash
# Idle footprint: starts `tokenscope serve` on an existing data directory (make bench-analytics
# leaves 10 million calls in one), lets it settle, then measures over a window with no
# traffic: the CPU time the process used (all threads: HTTP and gRPC listeners, the
# retention worker, RocksDB's background threads) as a share of one core, and its RSS.
#   scripts/bench-idle.sh BUILD_DIR DATA_DIR [SETTLE_SECONDS] [WINDOW_SECONDS]
set -euo pipefail
build=$1 data=$2 settle=${3:-20} window=${4:-60}
[[ -d "$data" ]] || { echo "bench-idle: no data directory $data (run make bench-analytics)"; exit 1; }
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$build/tokenscope" serve --data "$data" --http 127.0.0.1:0 --grpc 127.0.0.1:0 \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  addr=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1 || true)
  [[ -n "$addr" ]] && break
  sleep 0.1
done
[[ -n "${addr:-}" ]] || { cat "$work/serve.log"; exit 1; }
curl -sf "$addr/healthz" >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }  # utime + stime, clock ticks
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
hz=$(getconf CLK_TCK)
sleep "$settle"
before=$(ticks)
peak=0
for _ in $(seq "$window"); do
  sleep 1
  rss=$(rss_kib)
  ((rss > peak)) && peak=$rss
done
after=$(ticks)
spans=$(curl -sf "$addr/metrics" | awk '/^tokenscope_store_bytes_on_disk/ {printf "%.2f", $2 / 2^30}')
awk -v t=$((after - before)) -v hz="$hz" -v w="$window" -v rss="$(rss_kib)" -v peak="$peak" \
  -v disk="$spans" 'BEGIN {
    printf "RESULT idle cpu_percent=%.3f rss_mib=%.1f peak_rss_mib=%.1f store_gib=%s window_s=%d\n",
      100 * t / hz / w, rss / 1024, peak / 1024, disk, w }'
