#include "redact/redactor.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include "redact/detectors.h"
#include "redact/text_rewrite.h"
#include "semconv/content_keys.h"

namespace tokenscope::redact {
namespace internal {

struct CompiledRule {
  uint32_t kind = 0;  // index into Redactor::types_
  std::unique_ptr<RE2> re;
  CandidateCheck check = nullptr;
  bool replace_group = false;  // replace capture group 1 rather than the whole match
};

struct Profile {
  bool enabled = true;
  FieldScope fields = FieldScope::kContent;
  std::vector<std::string> attribute_patterns;
  std::vector<CompiledRule> rules;
  // Over every rule, in rule order: which rules match a string anywhere, in one pass.
  std::unique_ptr<RE2::Set> prefilter;
};

}  // namespace internal

namespace {

using internal::CompiledRule;
using internal::Profile;
using internal::Replacement;

constexpr size_t kMaxPatternNameSize = 32;

RE2::Options RuleOptions(bool longest_match) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_longest_match(longest_match);
  return options;
}

std::string UpperCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// `*` matches any run of characters, everything else itself.
bool GlobMatches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool ShouldScanKey(const Profile& profile, std::string_view key) {
  if (profile.fields == FieldScope::kAll || semconv::IsContentAttributeKey(key)) return true;
  return std::any_of(profile.attribute_patterns.begin(), profile.attribute_patterns.end(),
                     [key](const std::string& pattern) { return GlobMatches(pattern, key); });
}

// Every accepted match of one rule, in order.
void FindAll(const CompiledRule& rule, std::string_view text, std::vector<Replacement>* out) {
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece groups[2];
  const int group_count = rule.replace_group ? 2 : 1;
  size_t pos = 0;
  while (pos <= text.size() &&
         rule.re->Match(input, pos, text.size(), RE2::UNANCHORED, groups, group_count)) {
    const size_t match_begin = static_cast<size_t>(groups[0].data() - text.data());
    const size_t match_end = match_begin + groups[0].size();
    const re2::StringPiece& secret = groups[group_count - 1];
    if (secret.data() != nullptr && !secret.empty()) {
      const size_t begin = static_cast<size_t>(secret.data() - text.data());
      const size_t end = begin + secret.size();
      if (rule.check == nullptr || rule.check(text, begin, end)) {
        out->push_back({begin, end, rule.kind});
      }
    }
    pos = match_end > match_begin ? match_end : match_begin + 1;
  }
}

// Keeps, among overlapping matches, the one that starts first and then the longest.
std::vector<Replacement> ResolveOverlaps(std::vector<Replacement> found) {
  std::sort(found.begin(), found.end(), [](const Replacement& a, const Replacement& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Replacement> kept;
  for (const Replacement& r : found) {
    if (kept.empty() || r.begin >= kept.back().end) kept.push_back(r);
  }
  return kept;
}

std::vector<Replacement> Scan(const Profile& profile, std::string_view text) {
  if (profile.rules.empty() || text.empty()) return {};
  std::vector<int> hits;
  RE2::Set::ErrorInfo error;
  const re2::StringPiece input(text.data(), text.size());
  if (!profile.prefilter->Match(input, &hits, &error)) {
    if (error.kind == RE2::Set::kNoError) return {};
    // The set's DFA ran out of memory on this input: run every rule instead.
    hits.clear();
    for (size_t i = 0; i < profile.rules.size(); ++i) hits.push_back(static_cast<int>(i));
  }
  std::vector<Replacement> found;
  for (int hit : hits) FindAll(profile.rules[static_cast<size_t>(hit)], text, &found);
  return ResolveOverlaps(std::move(found));
}

}  // namespace

Status ValidatePattern(const CustomPattern& pattern) {
  const bool name_ok = !pattern.name.empty() && pattern.name.size() <= kMaxPatternNameSize &&
                       std::all_of(pattern.name.begin(), pattern.name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_';
                       });
  if (!name_ok) {
    return InvalidArgument("pattern name \"" + pattern.name +
                           "\" must be 1 to 32 letters, digits or underscores");
  }
  RE2 re(pattern.regex, RuleOptions(false));
  if (!re.ok()) {
    return InvalidArgument("pattern " + pattern.name + ": invalid regex: " + re.error());
  }
  if (RE2::FullMatch("", re)) {
    return InvalidArgument("pattern " + pattern.name + ": the regex matches the empty string");
  }
  return Status::Ok();
}

Redactor::~Redactor() = default;

uint32_t Redactor::TypeIndex(std::string_view type) {
  auto it = std::find(types_.begin(), types_.end(), type);
  if (it != types_.end()) return static_cast<uint32_t>(it - types_.begin());
  types_.emplace_back(type);
  placeholders_.push_back("[REDACTED:" + std::string(type) + "]");
  max_placeholder_size_ = std::max(max_placeholder_size_, placeholders_.back().size());
  return static_cast<uint32_t>(types_.size() - 1);
}

Status Redactor::AddProfile(const RedactionProfile& config, std::string_view where,
                            Profile* profile) {
  profile->enabled = config.enabled;
  profile->fields = config.fields;
  profile->attribute_patterns = config.attributes;
  // The set's DFA holds the states of every rule at once; a larger budget than a single
  // regex's keeps long values from falling back to running each rule.
  RE2::Options set_options = RuleOptions(false);
  set_options.set_max_mem(32 << 20);
  profile->prefilter = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
  auto add_rule = [&](std::string_view type, std::string_view pattern, bool longest,
                      internal::CandidateCheck check) -> Status {
    CompiledRule rule;
    rule.kind = TypeIndex(type);
    rule.re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                    RuleOptions(longest));
    rule.check = check;
    std::string error;
    if (!rule.re->ok() ||
        profile->prefilter->Add(re2::StringPiece(pattern.data(), pattern.size()), &error) < 0) {
      return InvalidArgument(std::string(where) + ": cannot compile rule " + std::string(type) +
                             ": " + (rule.re->ok() ? error : rule.re->error()));
    }
    rule.replace_group = rule.re->NumberOfCapturingGroups() >= 1;
    profile->rules.push_back(std::move(rule));
    return Status::Ok();
  };
  for (Detector detector : config.detectors) {
    for (const internal::RuleSpec& spec : internal::BuiltinRules(detector)) {
      TS_RETURN_IF_ERROR(
          add_rule(DetectorType(detector), spec.pattern, spec.longest_match, spec.check));
    }
  }
  for (const CustomPattern& pattern : config.patterns) {
    Status valid = ValidatePattern(pattern);
    if (!valid.ok()) return valid.WithContext(where);
    TS_RETURN_IF_ERROR(add_rule(UpperCase(pattern.name), pattern.regex, false, nullptr));
  }
  if (!profile->prefilter->Compile()) {
    return InvalidArgument(std::string(where) + ": the rules do not fit in RE2's memory budget");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Redactor>> Redactor::Create(const RedactionConfig& config) {
  std::unique_ptr<Redactor> redactor(new Redactor());
  redactor->defaults_ = std::make_unique<Profile>();
  TS_RETURN_IF_ERROR(redactor->AddProfile(config.defaults, "redaction", redactor->defaults_.get()));
  for (const auto& [project, profile_config] : config.projects) {
    auto profile = std::make_unique<Profile>();
    TS_RETURN_IF_ERROR(
        redactor->AddProfile(profile_config, "redaction.projects." + project, profile.get()));
    redactor->projects_.emplace(project, std::move(profile));
  }
  redactor->counts_ = std::make_unique<std::atomic<uint64_t>[]>(redactor->types_.size());
  return redactor;
}

const Profile& Redactor::ProfileFor(std::string_view project) const {
  auto it = projects_.find(project);
  return it != projects_.end() ? *it->second : *defaults_;
}

void Redactor::RedactString(const Profile& profile, std::string_view* text, Arena* arena) const {
  const std::vector<Replacement> found = Scan(profile, *text);
  if (found.empty()) return;
  for (const Replacement& r : found) counts_[r.kind].fetch_add(1, std::memory_order_relaxed);
  *text = arena->Copy(internal::Rewrite(*text, found, placeholders_));
}

// Values nest at most as deep as the decoders allow (otlp/decode_result.h), so recursion is
// bounded.
void Redactor::RedactValue(const Profile& profile, model::AnyValue* value, Arena* arena) const {
  switch (value->type) {
    case model::ValueType::kString:
      RedactString(profile, &value->string_value, arena);
      break;
    case model::ValueType::kArray:
      for (model::AnyValue& item : value->array_value) RedactValue(profile, &item, arena);
      break;
    case model::ValueType::kKvList:
      for (model::KeyValue& kv : value->kvlist_value) RedactValue(profile, &kv.value, arena);
      break;
    default:
      break;
  }
}

void Redactor::RedactAttributes(const Profile& profile, bool all, model::Attributes* attrs,
                                Arena* arena) const {
  for (model::KeyValue& kv : *attrs) {
    if (all || ShouldScanKey(profile, kv.key)) RedactValue(profile, &kv.value, arena);
  }
}

void Redactor::Redact(model::SpanBatch* batch) const {
  const Profile& profile = ProfileFor(batch->project);
  if (!profile.enabled) return;
  Arena* arena = &batch->arena();
  for (model::Span& span : batch->spans) {
    RedactString(profile, &span.status.message, arena);
    RedactAttributes(profile, false, &span.attributes, arena);
    for (model::Event& event : span.events) {
      RedactAttributes(profile, semconv::IsContentEventName(event.name), &event.attributes, arena);
    }
    for (model::Link& link : span.links) RedactAttributes(profile, false, &link.attributes, arena);
  }
}

void Redactor::Redact(model::LogBatch* batch) const {
  const Profile& profile = ProfileFor(batch->project);
  if (!profile.enabled) return;
  Arena* arena = &batch->arena();
  for (model::LogRecord& record : batch->logs) {
    RedactValue(profile, &record.body, arena);
    RedactAttributes(profile, semconv::IsContentEventName(model::EventName(record)),
                     &record.attributes, arena);
  }
}

std::optional<std::string> Redactor::RedactText(std::string_view project,
                                                std::string_view text) const {
  const Profile& profile = ProfileFor(project);
  if (!profile.enabled) return std::nullopt;
  const std::vector<Replacement> found = Scan(profile, text);
  if (found.empty()) return std::nullopt;
  for (const Replacement& r : found) counts_[r.kind].fetch_add(1, std::memory_order_relaxed);
  return internal::Rewrite(text, found, placeholders_);
}

std::vector<RedactionCount> Redactor::Counts() const {
  std::vector<RedactionCount> counts;
  for (size_t i = 0; i < types_.size(); ++i) {
    counts.push_back({types_[i], counts_[i].load(std::memory_order_relaxed)});
  }
  return counts;
}

}  // namespace tokenscope::redact
