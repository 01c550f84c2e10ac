// The wall clock as Tokenscope stores time: unix nanoseconds (OTLP's unit). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace tokenscope {

inline uint64_t UnixNanosNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace tokenscope
