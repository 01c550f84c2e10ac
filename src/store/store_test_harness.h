// What the Store conformance suites share: a harness per backend (opens the backend's store,
// and the same store again after the previous handle is gone), the list of backends to run
// against, and id builders. For tests only; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "model/span.h"
#include "store/store.h"
#include "store/store_factory.h"

namespace tokenscope::store {

// Opens one backend's store, and the same store again after the previous handle is gone.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual StatusOr<std::unique_ptr<Store>> Open() = 0;
};

class EmbeddedHarness : public StoreHarness {
 public:
  EmbeddedHarness() {
    std::string pattern = ::testing::TempDir() + "tokenscope_store_XXXXXX";
    char* dir = mkdtemp(pattern.data());
    EXPECT_NE(dir, nullptr);
    dir_ = pattern;
  }
  ~EmbeddedHarness() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  StatusOr<std::unique_ptr<Store>> Open() override {
    EmbeddedStoreOptions options;
    options.data_dir = dir_;
    options.memtable_budget_bytes = 16 << 20;
    options.block_cache_bytes = 8 << 20;
    return OpenEmbeddedStore(options);
  }

 private:
  std::string dir_;
};

struct Backend {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};

inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

inline constexpr uint64_t kBase = 1763000000000000000ULL;  // a plausible "now", in unix ns

inline model::TraceId TraceIdOf(uint64_t n) {
  model::TraceId id{};
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
  id[0] = 0x5a;  // never all zero
  return id;
}

inline model::SpanId SpanIdOf(uint64_t n) {
  model::SpanId id{};
  for (int i = 0; i < 8; ++i) id[7 - i] = static_cast<uint8_t>(n >> (8 * i));
  if (n == 0) id[0] = 0x80;
  return id;
}

// Every backend the conformance suites run against.
inline auto AllBackends() {
  return ::testing::Values(Backend{"embedded", [] { return std::make_unique<EmbeddedHarness>(); }});
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace tokenscope::store
