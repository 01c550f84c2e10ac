#include "tokenize/encoding.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <utility>

namespace tokenscope::tokenize {

Encoding::Encoding(std::string_view name, SplitPattern pattern, RankTable ranks,
                   std::vector<SpecialToken> specials)
    : name_(name), pattern_(pattern), ranks_(std::move(ranks)), specials_(std::move(specials)) {}

StatusOr<std::unique_ptr<Encoding>> Encoding::Load(std::string_view name, SplitPattern pattern,
                                                   const internal::RankData& data) {
  StatusOr<RankTable> ranks = RankTable::Build(data);
  if (!ranks.ok()) return ranks.status().WithContext(name);
  std::vector<SpecialToken> specials;
  for (size_t i = 0; i < data.special_count; ++i) {
    specials.push_back(SpecialToken{std::string(data.specials[i].text), data.specials[i].rank});
  }
  return std::unique_ptr<Encoding>(
      new Encoding(name, pattern, std::move(ranks).value(), std::move(specials)));
}

// One built-in encoding, loaded on first use. Never destroyed (see Encoding::Get).
class LazyEncoding {
 public:
  LazyEncoding(std::string_view name, SplitPattern pattern, internal::RankData (*data)())
      : name_(name), pattern_(pattern), data_(data) {}

  std::string_view name() const { return name_; }

  StatusOr<const Encoding*> Get() {
    std::call_once(once_, [this] {
      StatusOr<std::unique_ptr<Encoding>> loaded = Encoding::Load(name_, pattern_, data_());
      if (loaded.ok()) {
        encoding_ = std::move(loaded).value();
      } else {
        status_ = loaded.status();
      }
    });
    if (!status_.ok()) return status_;
    return static_cast<const Encoding*>(encoding_.get());
  }

 private:
  std::string_view name_;
  SplitPattern pattern_;
  internal::RankData (*data_)();
  std::once_flag once_;
  std::unique_ptr<Encoding> encoding_;
  Status status_;
};

StatusOr<const Encoding*> Encoding::Get(std::string_view name) {
  // Leaked on purpose: encodings stay valid for threads still running during exit.
  static const std::array<LazyEncoding*, 2> encodings = {
      new LazyEncoding("o200k_base", SplitPattern::kO200k, internal::O200kBaseRankData),
      new LazyEncoding("cl100k_base", SplitPattern::kCl100k, internal::Cl100kBaseRankData),
  };
  for (LazyEncoding* encoding : encodings) {
    if (encoding->name() == name) return encoding->Get();
  }
  return NotFound("unknown tokenizer encoding \"" + std::string(name) + "\"");
}

void Encoding::AppendOrdinary(std::string_view text, std::vector<uint32_t>* out) const {
  PreTokenizer pieces(text, pattern_);
  std::string_view piece;
  while (pieces.Next(&piece)) {
    // Most pieces are whole tokens: one lookup instead of a merge.
    const uint32_t rank = ranks_.Find(piece);
    if (rank != kNoRank) {
      out->push_back(rank);
    } else {
      BytePairEncode(piece, ranks_, out);
    }
  }
}

size_t Encoding::CountTokens(std::string_view text) const {
  size_t count = 0;
  PreTokenizer pieces(text, pattern_);
  std::string_view piece;
  while (pieces.Next(&piece)) {
    count += ranks_.Find(piece) != kNoRank ? 1 : BytePairCount(piece, ranks_);
  }
  return count;
}

std::vector<uint32_t> Encoding::Encode(std::string_view text) const {
  std::vector<uint32_t> out;
  out.reserve(text.size() / 4 + 1);
  AppendOrdinary(text, &out);
  return out;
}

std::vector<uint32_t> Encoding::EncodeWithSpecialTokens(std::string_view text) const {
  std::vector<uint32_t> out;
  out.reserve(text.size() / 4 + 1);
  // The next occurrence of each special token at or after `pos`, found once and reused until
  // `pos` passes it, so that text with many special tokens stays linear.
  std::vector<size_t> next(specials_.size(), 0);
  std::vector<bool> searched(specials_.size(), false);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best_at = std::string_view::npos;
    const SpecialToken* best = nullptr;
    for (size_t i = 0; i < specials_.size(); ++i) {
      if (!searched[i] || (next[i] != std::string_view::npos && next[i] < pos)) {
        next[i] = text.find(specials_[i].text, pos);
        searched[i] = true;
      }
      // Earliest occurrence wins; at the same position, the longer token.
      if (next[i] != std::string_view::npos &&
          (next[i] < best_at ||
           (next[i] == best_at && specials_[i].text.size() > best->text.size()))) {
        best_at = next[i];
        best = &specials_[i];
      }
    }
    if (best == nullptr) break;
    AppendOrdinary(text.substr(pos, best_at - pos), &out);
    out.push_back(best->rank);
    pos = best_at + best->text.size();
  }
  if (pos < text.size()) AppendOrdinary(text.substr(pos), &out);
  return out;
}

StatusOr<std::string> Encoding::Decode(std::span<const uint32_t> tokens) const {
  std::string out;
  for (uint32_t token : tokens) {
    const std::string_view bytes = ranks_.TokenBytes(token);
    if (!bytes.empty()) {
      out.append(bytes);
      continue;
    }
    auto special = std::find_if(specials_.begin(), specials_.end(),
                                [token](const SpecialToken& s) { return s.rank == token; });
    if (special == specials_.end()) {
      return InvalidArgument("token id " + std::to_string(token) + " is not in " +
                             std::string(name_));
    }
    out.append(special->text);
  }
  return out;
}

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsAllLetters(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
}

// The bare model name: lower case, without a path prefix ("openai/", "models/"), a fine-tune
// marker ("ft:") or dotted vendor and region prefixes ("us.openai.", as Bedrock writes them;
// only all-letter segments, so "gpt-4.1" keeps its dot).
std::string BareModelName(std::string_view model) {
  std::string name = Lower(model);
  if (const size_t slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  if (name.starts_with("ft:")) name.erase(0, 3);
  for (size_t dot = name.find('.'); dot != std::string::npos && IsAllLetters(name.substr(0, dot));
       dot = name.find('.')) {
    name.erase(0, dot + 1);
  }
  return name;
}

// True when `name` is `family` or starts with it followed by a non-alphanumeric character, so
// that "gpt-4" matches "gpt-4-turbo" and "gpt-4-0613" but not "gpt-4o".
bool IsOfFamily(std::string_view name, std::string_view family) {
  if (!name.starts_with(family)) return false;
  return name.size() == family.size() ||
         std::isalnum(static_cast<unsigned char>(name[family.size()])) == 0;
}

constexpr std::string_view kO200kFamilies[] = {
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.5",
    "gpt-5",
    "o1",
    "o3",
    "o4",
    "gpt-oss",
    "chatgpt-4o",
    "codex-mini",
    "computer-use-preview",
};
constexpr std::string_view kCl100kFamilies[] = {
    "gpt-4",
    "gpt-3.5",
    "gpt-35",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
    "davinci-002",
    "babbage-002",
};

}  // namespace

EncodingChoice EncodingForModel(std::string_view model) {
  const std::string name = BareModelName(model);
  // o200k families first: "gpt-4.1" must not be taken for a "gpt-4".
  for (std::string_view family : kO200kFamilies) {
    if (IsOfFamily(name, family)) return EncodingChoice{"o200k_base", true};
  }
  for (std::string_view family : kCl100kFamilies) {
    if (IsOfFamily(name, family)) return EncodingChoice{"cl100k_base", true};
  }
  return EncodingChoice{"o200k_base", false};
}

}  // namespace tokenscope::tokenize
