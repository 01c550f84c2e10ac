#!/usr/bin/env bash
# Runs libFuzzer targets one after another for a fixed time each.
#   scripts/run-fuzzers.sh BIN_DIR SECONDS TARGET...
# Each target starts from its checked-in seeds (fuzz/corpus/<name without _fuzz>/) and grows a
# scratch corpus in .fuzz-corpus/<name>/ that later runs reuse. A crash fails the script and
# leaves the reproducer in .fuzz-artifacts/.
set -euo pipefail
bin_dir=$1 seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/.fuzz-artifacts"
for target in "$@"; do
  name=${target%_fuzz}
  seeds="$root/fuzz/corpus/$name"
  scratch="$root/.fuzz-corpus/$name"
  mkdir -p "$scratch"
  dict=()
  [[ -f "$root/fuzz/$name.dict" ]] && dict=(-dict="$root/fuzz/$name.dict")
  echo "fuzz: $target for ${seconds}s"
  log="$root/.fuzz-artifacts/$target.log"
  rc=0
  "$bin_dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$root/.fuzz-artifacts/$target-" "${dict[@]}" \
    "$scratch" "$seeds" >"$log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" "$log" || true
  if [[ $rc -ne 0 ]]; then
    tail -40 "$log"
    echo "fuzz: $target FAILED (exit $rc); reproducer and log in .fuzz-artifacts/"
    exit 1
  fi
done
echo "fuzz: all targets clean"
