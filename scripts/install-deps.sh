#!/usr/bin/env bash
# Installs what Tokenscope needs to build and test, from Debian's packages and npm.
# Checks first and installs only what is missing, so a second run costs nothing.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --build  build dependencies only
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config ccache
  librocksdb-dev libsimdjson-dev libboost-dev libboost-system-dev libyaml-cpp-dev
  libcli11-dev libspdlog-dev libfmt-dev libre2-dev libxxhash-dev libzstd-dev zlib1g-dev
  rapidjson-dev libgrpc++-dev libssl-dev libjemalloc-dev
  nodejs npm
)
TEST_PKGS=(
  libgtest-dev libgmock-dev libbenchmark-dev protobuf-compiler libprotobuf-dev
  clang libclang-rt-14-dev curl openssl python3-prometheus-client
  chromium
)

pkgs=("${BUILD_PKGS[@]}")
[[ "${1:-}" == "--build" ]] || pkgs+=("${TEST_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node and npm may come from outside Debian's packages; accept them when on PATH.
    if [[ "$p" == nodejs && -x "$(command -v node)" ]] || [[ "$p" == npm && -x "$(command -v npm)" ]]; then
      continue
    fi
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The tokenizer's rank data (js-tiktoken, pinned in src/tokenize/data/package-lock.json), which
# the build compiles into the binary:
# installed only when node_modules is missing or older than the lockfile.
tokenizer_data="$(cd "$(dirname "$0")/.." && pwd)/src/tokenize/data"
if ! [[ -d "$tokenizer_data/node_modules" &&
        "$tokenizer_data/node_modules/.package-lock.json" -nt "$tokenizer_data/package-lock.json" ]]; then
  echo "install-deps: npm ci in src/tokenize/data"
  (cd "$tokenizer_data" && npm ci --no-audit --no-fund)
fi

# The web UI's build tools (React, Vite, TypeScript; pinned in web/package-lock.json), which the
# build runs to compile the UI into the binary.
web_dir="$(cd "$(dirname "$0")/.." && pwd)/web"
if ! [[ -d "$web_dir/node_modules" &&
        "$web_dir/node_modules/.package-lock.json" -nt "$web_dir/package-lock.json" ]]; then
  echo "install-deps: npm ci in web"
  (cd "$web_dir" && npm ci --no-audit --no-fund)
fi
