// TraceIdHash: a hash functor for model::TraceId keys in unordered containers. Stateless.
#pragma once

#include <cstddef>
#include <cstring>

#include "model/span.h"

namespace tokenscope::query {

struct TraceIdHash {
  size_t operator()(const model::TraceId& id) const {
    size_t h = 0;
    std::memcpy(&h, id.data(), sizeof(h));  // trace ids are random: any 8 bytes hash well
    return h;
  }
};

}  // namespace tokenscope::query
