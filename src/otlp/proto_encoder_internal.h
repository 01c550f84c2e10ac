// Internal to the OTLP protobuf encoders (traces and logs): the encoding of the values every
// signal shares. Not part of the public interface; include only from src/otlp/*.cc.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "model/span.h"

namespace tokenscope::otlp::proto_internal {

// Appends the fields of an AnyValue message (not its key and length).
void EncodeAnyValueProto(const model::AnyValue& value, std::string* out);

// Appends each attribute as a KeyValue message in field `field`.
void EncodeAttributesProto(uint32_t field, const model::Attributes& attributes, std::string* out);

}  // namespace tokenscope::otlp::proto_internal
