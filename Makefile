# Tokenscope — the commands a developer needs. See README.md.
BUILD_DIR  ?= build
ASAN_DIR   ?= build-asan
FUZZ_DIR   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := otlp_proto_fuzz otlp_json_fuzz otlp_metrics_fuzz filter_parser_fuzz config_loader_fuzz semconv_fuzz tokenizer_fuzz redact_fuzz import_line_fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
HTTP       ?= 127.0.0.1:4318
GRPC       ?= 127.0.0.1:4317
DATA       ?= ./data

.PHONY: all deps build build-asan build-fuzz run demo web-dev test test-unit test-asan e2e-deps format format-check fuzz fuzz-smoke bench bench-analytics bench-idle soak clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@echo "built $(BUILD_DIR)/tokenscope"

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DTOKENSCOPE_SANITIZE=ON

build-asan: deps $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/tokenscope serve --data $(DATA) --http $(HTTP)

# The server with the demo workload flowing in (a backfill of the last hours, then about one
# trace a second); open http://$(HTTP)/ for the UI.
demo: build
	$(BUILD_DIR)/tokenscope serve --data $(DATA)-demo --http $(HTTP) --demo

# The UI with hot reload (Vite dev server on :5173, API proxied to a running server on :4318).
web-dev: deps
	cd web && npm run dev

e2e-deps:
	@cd tests/e2e && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

# Every suite: unit and integration (ctest, which includes the Node end-to-end suite),
# then the same suites again under ASan+UBSan, then every fuzzer briefly.
test: build e2e-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

test-asan: build-asan e2e-deps
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

$(FUZZ_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTOKENSCOPE_FUZZ=ON -DTOKENSCOPE_TESTS=OFF -DTOKENSCOPE_BENCH=OFF

build-fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZ_TARGETS)

# Runs each fuzzer for FUZZ_SECONDS on a scratch corpus seeded from fuzz/corpus/.
fuzz: build-fuzz
	@scripts/run-fuzzers.sh $(FUZZ_DIR)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: build-fuzz
	@scripts/run-fuzzers.sh $(FUZZ_DIR)/fuzz 10 $(FUZZ_TARGETS)

# Benchmarks (not part of make test): durable ingest, then the OTLP decoders against
# libprotobuf (decoder_bench, built when libbenchmark-dev and libprotobuf-dev are installed).
# Results and how to read them: docs/benchmarks.md.
bench: build
	scripts/bench-ingest.sh $(BUILD_DIR) 3 6

# Analytics at scale (not part of make bench: loading 10 million spans takes about ten minutes
# on 2 cores; the store is kept in ANALYTICS_DATA, add ANALYTICS_ARGS=--reuse to query it again).
ANALYTICS_DATA ?= /tmp/tokenscope-analytics-bench
bench-analytics: build
	$(BUILD_DIR)/tokenscope-analytics-bench --data $(ANALYTICS_DATA) $(ANALYTICS_ARGS)
	scripts/bench-idle.sh $(BUILD_DIR) $(ANALYTICS_DATA)

# The idle footprint (CPU share and RSS over a minute without traffic) of a server on the store
# bench-analytics loaded.
bench-idle: build
	scripts/bench-idle.sh $(BUILD_DIR) $(ANALYTICS_DATA)

# Crash-safety and overload soak (not part of make test; figures in docs/benchmarks.md): the
# suites crash_safety and backpressure at full length — 300 SIGKILLs and 20 SIGTERMs under
# load from 12 clients, two minutes of overload — one after the other. CRASH_KILLS=N overrides.
soak: build e2e-deps
	cd tests/e2e && SOAK=1 TOKENSCOPE_BIN=$(abspath $(BUILD_DIR))/tokenscope \
	  node --test --test-reporter=spec --test-concurrency=1 crash_safety.test.mjs backpressure.test.mjs

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
