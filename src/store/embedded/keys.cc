#include "store/embedded/keys.h"

#include "store/embedded/coding.h"

namespace tokenscope::store::embedded {
namespace {

template <size_t N>
void AppendRaw(const std::array<uint8_t, N>& id, std::string* out) {
  out->append(reinterpret_cast<const char*>(id.data()), N);
}

// Complemented bytes sort in the reverse order of the originals.
template <size_t N>
void AppendComplemented(const std::array<uint8_t, N>& id, std::string* out) {
  for (uint8_t b : id) out->push_back(static_cast<char>(static_cast<uint8_t>(~b)));
}

template <size_t N>
void ReadComplemented(std::string_view in, std::array<uint8_t, N>* id) {
  for (size_t i = 0; i < N; ++i) (*id)[i] = static_cast<uint8_t>(~static_cast<uint8_t>(in[i]));
}

void AppendTimeOrderSuffix(uint64_t start_unix_nano, const model::TraceId& trace_id,
                           const model::SpanId& span_id, std::string* out) {
  PutFixed64BigEndian(UINT64_MAX - start_unix_nano, out);
  AppendComplemented(trace_id, out);
  AppendComplemented(span_id, out);
}

}  // namespace

std::string ProjectPrefix(std::string_view project) {
  std::string key;
  key.reserve(project.size() + 2);
  PutLengthPrefixed(project, &key);
  return key;
}

std::string SpanKey(std::string_view project, const model::TraceId& trace_id,
                    const model::SpanId& span_id) {
  std::string key = TraceSpansPrefix(project, trace_id);
  AppendRaw(span_id, &key);
  return key;
}

std::string TraceSpansPrefix(std::string_view project, const model::TraceId& trace_id) {
  std::string key = ProjectPrefix(project);
  AppendRaw(trace_id, &key);
  return key;
}

std::string TimeOrderSuffix(uint64_t start_unix_nano, const model::TraceId& trace_id,
                            const model::SpanId& span_id) {
  std::string suffix;
  suffix.reserve(kTimeOrderSuffixSize);
  AppendTimeOrderSuffix(start_unix_nano, trace_id, span_id, &suffix);
  return suffix;
}

bool ParseTimeOrderSuffix(std::string_view suffix, uint64_t* start_unix_nano,
                          model::TraceId* trace_id, model::SpanId* span_id) {
  if (suffix.size() != kTimeOrderSuffixSize) return false;
  uint64_t inverted = 0;
  GetFixed64BigEndian(&suffix, &inverted);
  *start_unix_nano = UINT64_MAX - inverted;
  ReadComplemented(suffix.substr(0, 16), trace_id);
  ReadComplemented(suffix.substr(16, 8), span_id);
  return true;
}

std::string TimeOrderSeekSuffix(uint64_t start_unix_nano) {
  std::string suffix;
  PutFixed64BigEndian(UINT64_MAX - start_unix_nano, &suffix);
  return suffix;
}

std::string SpanTimeKey(std::string_view project, uint64_t start_unix_nano,
                        const model::TraceId& trace_id, const model::SpanId& span_id) {
  std::string key = ProjectPrefix(project);
  AppendTimeOrderSuffix(start_unix_nano, trace_id, span_id, &key);
  return key;
}

std::string IndexPrefix(std::string_view project, IndexedField field, std::string_view value) {
  std::string key = ProjectPrefix(project);
  key.push_back(static_cast<char>(field));
  PutLengthPrefixed(value, &key);
  return key;
}

std::string IndexKey(std::string_view project, IndexedField field, std::string_view value,
                     uint64_t start_unix_nano, const model::TraceId& trace_id,
                     const model::SpanId& span_id) {
  std::string key = IndexPrefix(project, field, value);
  AppendTimeOrderSuffix(start_unix_nano, trace_id, span_id, &key);
  return key;
}

std::string TraceSummaryKey(std::string_view project, const model::TraceId& trace_id) {
  std::string key = ProjectPrefix(project);
  AppendRaw(trace_id, &key);
  return key;
}

std::string ServiceKey(std::string_view project, std::string_view service) {
  std::string key = ProjectPrefix(project);
  key.append(service);
  return key;
}

std::string HashKey(uint64_t hash) {
  std::string key;
  PutFixed64BigEndian(hash, &key);
  return key;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(s.back());
    if (last != 0xff) {
      ++last;
      return s;
    }
    s.pop_back();
  }
  return s;
}

namespace {

void PutFixed32BigEndian(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint32_t GetFixed32BigEndian(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// time (8) | sequence (4) | hash (8), with the time as given (callers reverse it or not).
void AppendLogPosition(uint64_t time_field, const LogPosition& position, std::string* out) {
  PutFixed64BigEndian(time_field, out);
  PutFixed32BigEndian(position.sequence, out);
  PutFixed64BigEndian(position.hash, out);
}

bool ParseLogPosition(std::string_view in, uint64_t* time_field, LogPosition* position) {
  if (in.size() != kLogOrderSuffixSize) return false;
  GetFixed64BigEndian(&in, time_field);
  position->sequence = GetFixed32BigEndian(in);
  in.remove_prefix(4);
  return GetFixed64BigEndian(&in, &position->hash);
}

}  // namespace

std::string LogOrderSuffix(const LogPosition& position) {
  std::string suffix;
  suffix.reserve(kLogOrderSuffixSize);
  AppendLogPosition(UINT64_MAX - position.time_unix_nano, position, &suffix);
  return suffix;
}

bool ParseLogOrderSuffix(std::string_view suffix, LogPosition* position) {
  uint64_t reversed = 0;
  if (!ParseLogPosition(suffix, &reversed, position)) return false;
  position->time_unix_nano = UINT64_MAX - reversed;
  return true;
}

std::string LogOrderSeekSuffix(uint64_t time_unix_nano) {
  std::string suffix;
  PutFixed64BigEndian(UINT64_MAX - time_unix_nano, &suffix);
  return suffix;
}

std::string LogKey(std::string_view project, const LogPosition& position) {
  return ProjectPrefix(project) + LogOrderSuffix(position);
}

std::string LogTracePrefix(std::string_view project, const model::TraceId& trace_id) {
  std::string key = ProjectPrefix(project);
  AppendRaw(trace_id, &key);
  return key;
}

std::string LogTraceKey(std::string_view project, const model::TraceId& trace_id,
                        const LogPosition& position) {
  std::string key = LogTracePrefix(project, trace_id);
  AppendLogPosition(position.time_unix_nano, position, &key);
  return key;
}

bool ParseLogTraceSuffix(std::string_view suffix, LogPosition* position) {
  return ParseLogPosition(suffix, &position->time_unix_nano, position);
}

}  // namespace tokenscope::store::embedded
