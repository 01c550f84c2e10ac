// Redactor: removes secrets and personal data from decoded batches before anything is stored
// (docs/redaction.md). Built once from a RedactionConfig; the ingest path calls Redact() on
// every batch right after decoding, so enrichment, the store, the query API and the logs API
// only ever see placeholders such as [REDACTED:EMAIL].
//
// What is scanned, per project (RedactionConfig::projects, else the defaults): span status
// messages and log bodies always; span, event, link and log attributes whose key is a content
// key of a GenAI convention (semconv/content_keys.h) or matches a configured key pattern, and
// every attribute of content events; with FieldScope::kAll every string attribute. Strings
// inside arrays and maps are scanned too; resource and scope attributes are not. JSON text is
// rewritten so that it stays valid JSON (text_rewrite.h).
//
// How: per project, one RE2::Set over every rule tells in a single pass whether a string has
// anything to redact at all (most strings do not); only the rules the set reports are then run
// to locate matches, each candidate is checked (Luhn, digit counts, token boundaries),
// overlaps are resolved leftmost-longest, and the string is rewritten into the batch's arena.
//
// Thread-safety: immutable after Create() apart from the per-type counters, which are atomic;
// any number of threads may call Redact() at once. A batch is only touched by the caller's
// thread (batches are not thread-safe).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/log_record.h"
#include "model/span.h"
#include "redact/redaction_config.h"

namespace tokenscope::redact {

namespace internal {
struct Profile;
}  // namespace internal

// Checks a custom pattern on its own: a valid name, a regex RE2 accepts, and one that cannot
// match the empty string (it would redact nothing and match everywhere).
Status ValidatePattern(const CustomPattern& pattern);

// How many matches of one placeholder type were replaced since the Redactor was built.
struct RedactionCount {
  std::string type;  // "EMAIL", ..., or a custom pattern's name
  uint64_t count = 0;
};

class Redactor {
 public:
  // InvalidArgument naming the project and pattern when a custom pattern is unusable.
  static StatusOr<std::unique_ptr<Redactor>> Create(const RedactionConfig& config);
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // Redacts the batch in place under the rules of batch->project. Replaced strings are copied
  // into the batch's arena, so every view stays valid for the batch's life.
  void Redact(model::SpanBatch* batch) const;
  void Redact(model::LogBatch* batch) const;

  // `text` with what the rules of `project` find replaced; nullopt when nothing is found.
  std::optional<std::string> RedactText(std::string_view project, std::string_view text) const;

  // Replacements per placeholder type, every type listed (zero counts included).
  std::vector<RedactionCount> Counts() const;

  // The longest placeholder any rule writes, for bounding how much a string can grow.
  size_t max_placeholder_size() const { return max_placeholder_size_; }

 private:
  Redactor() = default;
  Status AddProfile(const RedactionProfile& profile, std::string_view where,
                    internal::Profile* out);
  uint32_t TypeIndex(std::string_view type);
  const internal::Profile& ProfileFor(std::string_view project) const;

  void RedactAttributes(const internal::Profile& profile, bool all, model::Attributes* attrs,
                        Arena* arena) const;
  void RedactValue(const internal::Profile& profile, model::AnyValue* value, Arena* arena) const;
  void RedactString(const internal::Profile& profile, std::string_view* text, Arena* arena) const;

  std::unique_ptr<internal::Profile> defaults_;
  std::map<std::string, std::unique_ptr<internal::Profile>, std::less<>> projects_;
  std::vector<std::string> types_;         // placeholder types, indexed by rule kind
  std::vector<std::string> placeholders_;  // "[REDACTED:<type>]", same index
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  size_t max_placeholder_size_ = 0;
};

}  // namespace tokenscope::redact
