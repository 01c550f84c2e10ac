#include "query/filter/filter_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "query/filter/filter_parser.h"

namespace tokenscope::query::filter {
namespace {

// A span made of maps; whatever is not set is missing.
class FakeSpan : public FilterSubject {
 public:
  FakeSpan& Set(Field field, std::string value) {
    strings_[field] = std::move(value);
    return *this;
  }
  FakeSpan& Set(Field field, double value) {
    numbers_[field] = value;
    return *this;
  }
  FakeSpan& Attr(std::string_view key, model::AnyValue value) {
    attributes_.push_back({key, std::move(value)});
    return *this;
  }
  FakeSpan& ResourceAttr(std::string_view key, model::AnyValue value) {
    resource_.push_back({key, std::move(value)});
    return *this;
  }

  std::optional<std::string_view> StringField(Field field) const override {
    auto it = strings_.find(field);
    if (it == strings_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<double> NumberField(Field field) const override {
    auto it = numbers_.find(field);
    if (it == numbers_.end()) return std::nullopt;
    return it->second;
  }
  const model::AnyValue* Attribute(std::string_view key) const override {
    return model::FindAttribute(attributes_, key);
  }
  const model::AnyValue* ResourceAttribute(std::string_view key) const override {
    return model::FindAttribute(resource_, key);
  }

 private:
  std::map<Field, std::string> strings_;
  std::map<Field, double> numbers_;
  model::Attributes attributes_;
  model::Attributes resource_;
};

// A typical LLM call span.
FakeSpan ChatSpan() {
  FakeSpan span;
  span.Set(Field::kService, "rag-api")
      .Set(Field::kName, "chat gpt-4o")
      .Set(Field::kKind, "llm")
      .Set(Field::kStatus, "error")
      .Set(Field::kModel, "gpt-4o")
      .Set(Field::kProvider, "openai")
      .Set(Field::kOperation, "chat")
      .Set(Field::kErrorClass, "model")
      .Set(Field::kSession, "s-1")
      .Set(Field::kUser, "u-42")
      .Set(Field::kTraceId, "5b8efff798038103d269b633813fc60c")
      .Set(Field::kInput, "What is the capital of France?")
      .Set(Field::kOutput, "Sorry, I cannot help with that.")
      .Set(Field::kDuration, 2.5e9)
      .Set(Field::kTtft, 300e6)
      .Set(Field::kInputTokens, 1200.0)
      .Set(Field::kOutputTokens, 80.0)
      .Set(Field::kTotalTokens, 1280.0)
      .Set(Field::kCost, 0.0125);
  span.Attr("team", model::AnyValue::String("search"))
      .Attr("key with spaces", model::AnyValue::String("v"))
      .Attr("http.status_code", model::AnyValue::Int(503))
      .Attr("big", model::AnyValue::Int(9007199254740993))
      .Attr("temperature", model::AnyValue::Double(0.7))
      .Attr("stream", model::AnyValue::Bool(true))
      .Attr("empty", model::AnyValue());
  span.ResourceAttr("deployment.environment", model::AnyValue::String("prod"))
      .ResourceAttr("service.name", model::AnyValue::String("rag-api"));
  return span;
}

bool Matches(std::string_view text, const FilterSubject& subject) {
  StatusOr<Filter> filter = ParseFilter(text);
  EXPECT_TRUE(filter.ok()) << text << " -> " << filter.status().ToString();
  return filter.ok() && Evaluate(*filter, subject);
}

class FilterEvalTest : public ::testing::Test {
 protected:
  bool M(std::string_view text) { return Matches(text, span_); }
  FakeSpan span_ = ChatSpan();
};

TEST_F(FilterEvalTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(M(""));
  EXPECT_TRUE(Matches("", FakeSpan()));
}

// What a store's span summary knows: service, name, kind, status, duration, trace id.
bool KnowsSummaryFields(Field field) {
  return field == Field::kService || field == Field::kName || field == Field::kKind ||
         field == Field::kStatus || field == Field::kDuration || field == Field::kTraceId;
}

std::optional<bool> Known(std::string_view text, const FilterSubject& subject) {
  StatusOr<Filter> filter = ParseFilter(text);
  EXPECT_TRUE(filter.ok()) << text;
  return EvaluateKnown(*filter, subject, KnowsSummaryFields);
}

TEST_F(FilterEvalTest, KnownFieldsDecideWhatTheyCan) {
  // Decided by the summary's fields alone.
  EXPECT_EQ(Known("model = \"gpt-4o\" and duration > 5s", span_), false);
  EXPECT_EQ(Known("service = \"other\" and model = \"gpt-4o\"", span_), false);
  EXPECT_EQ(Known("model = \"x\" or duration > 1s", span_), true);
  EXPECT_EQ(Known("not (duration > 5s or model = \"x\")", span_), std::nullopt);
  EXPECT_EQ(Known("not (duration < 1s and model = \"x\")", span_), true);
  EXPECT_EQ(Known("duration > 1s", span_), true);
  // Left open: the answer depends on a field the summary lacks.
  EXPECT_EQ(Known("model = \"gpt-4o\" and duration > 1s", span_), std::nullopt);
  EXPECT_EQ(Known("model = \"x\" or duration > 5s", span_), std::nullopt);
  EXPECT_EQ(Known("not model = \"x\"", span_), std::nullopt);
  EXPECT_EQ(Known("attr.team = \"search\"", span_), std::nullopt);
  // Whenever known, the answer is the full evaluation's.
  for (const char* text : {"model = \"gpt-4o\" and duration > 5s", "duration > 1s",
                           "not (duration < 1s and model = \"x\")", "status = error or cost > 1"}) {
    const std::optional<bool> known = Known(text, span_);
    if (known.has_value()) {
      EXPECT_EQ(*known, M(text)) << text;
    }
  }
}

TEST_F(FilterEvalTest, StringEqualityAndInequality) {
  EXPECT_TRUE(M(R"(service = "rag-api")"));
  EXPECT_FALSE(M(R"(service = "RAG-API")"));  // byte for byte
  EXPECT_FALSE(M(R"(service != "rag-api")"));
  EXPECT_TRUE(M(R"(service != "other")"));
  EXPECT_TRUE(M(R"(name = "chat gpt-4o")"));
  EXPECT_TRUE(M(R"(kind = "llm")"));
  EXPECT_TRUE(M(R"(model = "gpt-4o")"));
  EXPECT_TRUE(M(R"(provider = "openai")"));
  EXPECT_TRUE(M(R"(operation = "chat")"));
  EXPECT_TRUE(M(R"(error_class = "model")"));
  EXPECT_TRUE(M(R"(session = "s-1")"));
  EXPECT_TRUE(M(R"(user = "u-42")"));
  EXPECT_TRUE(M(R"(trace_id = "5B8EFFF798038103D269B633813FC60C")"));
  EXPECT_TRUE(M(R"(input = "What is the capital of France?")"));
}

TEST_F(FilterEvalTest, RegexSearchesAnywhere) {
  EXPECT_TRUE(M(R"(output ~ "(?i)sorry")"));
  EXPECT_TRUE(M(R"(output ~ "cannot")"));
  EXPECT_FALSE(M(R"(output ~ "^cannot")"));
  EXPECT_TRUE(M(R"(input ~ "France\?$")"));
  EXPECT_TRUE(M(R"(trace_id ~ "^5b8e")"));
  EXPECT_FALSE(M(R"(model ~ "claude")"));
  EXPECT_TRUE(M(R"(output ~ "\bhelp\b")"));
  EXPECT_FALSE(M(R"(output ~ "\bhel\b")"));
  FakeSpan quoted;
  quoted.Set(Field::kInput, R"(say "hi" from C:\temp)");
  EXPECT_TRUE(Matches(R"(input ~ "say \"hi\"")", quoted));
  EXPECT_TRUE(Matches(R"(input ~ "C:\\temp$")", quoted));
  EXPECT_TRUE(Matches(R"(input = "say \"hi\" from C:\\temp")", quoted));
}

TEST_F(FilterEvalTest, InLists) {
  EXPECT_TRUE(M(R"(error_class in ("prompt", "model"))"));
  EXPECT_FALSE(M(R"(error_class in ("prompt", "infrastructure"))"));
  EXPECT_TRUE(M("status in (ok, error)"));
  EXPECT_TRUE(M("output_tokens in (1, 80, 3)"));
  EXPECT_TRUE(M("duration in (1s, 2.5s)"));
  EXPECT_TRUE(M(R"(attr.team in ("x", "search"))"));
  EXPECT_TRUE(M(R"(attr."http.status_code" in ("503", 503))"));
}

TEST_F(FilterEvalTest, Status) {
  EXPECT_TRUE(M("status = error"));
  EXPECT_TRUE(M("status = ERROR"));
  EXPECT_FALSE(M("status = ok"));
  EXPECT_TRUE(M("status != unset"));
}

TEST_F(FilterEvalTest, DurationsCompareInNanoseconds) {
  EXPECT_TRUE(M("duration > 2s"));
  EXPECT_FALSE(M("duration > 2.5s"));
  EXPECT_TRUE(M("duration >= 2.5s"));
  EXPECT_TRUE(M("duration = 2500ms"));
  EXPECT_TRUE(M("duration < 1m"));
  EXPECT_TRUE(M("duration <= 2500000000"));  // a plain number is nanoseconds
  EXPECT_TRUE(M("duration != 1h"));
  EXPECT_TRUE(M("ttft < 500ms"));
  EXPECT_FALSE(M("ttft > 0.3s"));
}

TEST_F(FilterEvalTest, NumbersCompareNumerically) {
  EXPECT_TRUE(M("input_tokens >= 1000"));
  EXPECT_TRUE(M("output_tokens < 100"));
  EXPECT_TRUE(M("total_tokens = 1280"));
  EXPECT_TRUE(M("total_tokens != 1281"));
  EXPECT_TRUE(M("cost > 0.01"));
  EXPECT_TRUE(M("cost <= 0.0125"));
  EXPECT_FALSE(M("cost > 1e-1"));
}

TEST_F(FilterEvalTest, PrecedenceAndParentheses) {
  // false or (true and true)
  EXPECT_TRUE(M(R"(model = "x" or service = "rag-api" and status = error)"));
  // (false or true) and false
  EXPECT_FALSE(M(R"((model = "x" or service = "rag-api") and status = ok)"));
  // false or true and false -> false or (true and false)
  EXPECT_FALSE(M(R"(model = "x" or service = "rag-api" and status = ok)"));
  // (true and false) or true
  EXPECT_TRUE(M(R"(service = "rag-api" and status = ok or model = "gpt-4o")"));
  // not binds tighter than and: (not false) and true
  EXPECT_TRUE(M(R"(not model = "x" and status = error)"));
  EXPECT_FALSE(M(R"(not (model = "gpt-4o" and status = error))"));
  EXPECT_TRUE(M(R"(not not model = "gpt-4o")"));
}

TEST_F(FilterEvalTest, DesignDocumentExamples) {
  EXPECT_TRUE(M(R"(model = "gpt-4o" and duration > 2s and status = error)"));
  EXPECT_TRUE(M(R"(cost > 0.01 and (service = "rag-api" or attr."team" = "search"))"));
  EXPECT_FALSE(M(R"(error_class in ("prompt", "model") and not output ~ "(?i)sorry")"));
  EXPECT_FALSE(M(R"(resource."deployment.environment" = "prod" and output_tokens >= 1000)"));
  EXPECT_TRUE(M(R"(resource."deployment.environment" = "prod" and input_tokens >= 1000)"));
}

TEST_F(FilterEvalTest, MissingFieldsMakeEveryComparisonFalseButNotNegates) {
  const FakeSpan bare;
  for (std::string_view text :
       {R"(model = "gpt-4o")", R"(model != "gpt-4o")", R"(model ~ "")", R"(model in ("a"))",
        "status = error", "status != error", "duration > 0", "duration != 5", "cost < 1",
        "input_tokens = 0", R"(attr.team = "search")", R"(attr.team != "search")",
        R"(attr.team ~ ".*")", R"(resource.x != 1)"}) {
    EXPECT_FALSE(Matches(text, bare)) << text;
    EXPECT_TRUE(Matches("not " + std::string(text), bare)) << text;
  }
  // An attribute present without a value counts as missing.
  EXPECT_FALSE(M(R"(attr.empty != "x")"));
  EXPECT_FALSE(M(R"(attr.empty ~ "")"));
  EXPECT_TRUE(M(R"(not attr.empty = "x")"));
}

TEST_F(FilterEvalTest, StringAttributes) {
  EXPECT_TRUE(M(R"(attr.team = "search")"));
  EXPECT_TRUE(M(R"(attr."team" != "ads")"));
  EXPECT_TRUE(M(R"(attr."key with spaces" = "v")"));
  EXPECT_TRUE(M(R"(attr.team ~ "^sea")"));
  EXPECT_TRUE(M(R"(resource."service.name" = "rag-api")"));
  EXPECT_TRUE(M(R"(resource.deployment.environment = "prod")"));
  EXPECT_FALSE(M(R"(attr."deployment.environment" = "prod")"));  // span, not resource
}

TEST_F(FilterEvalTest, NumericAttributesCompareNumerically) {
  EXPECT_TRUE(M(R"(attr."http.status_code" = 503)"));
  EXPECT_TRUE(M(R"(attr."http.status_code" >= 500)"));
  EXPECT_TRUE(M(R"(attr."http.status_code" < 503.5)"));
  EXPECT_FALSE(M(R"(attr."http.status_code" > 503.5)"));
  EXPECT_TRUE(M(R"(attr."http.status_code" != 404)"));
  EXPECT_TRUE(M("attr.temperature = 0.7"));
  EXPECT_TRUE(M("attr.temperature < 1"));
  EXPECT_TRUE(M("attr.temperature > -1"));
  // Exact beyond 2^53, where a double would round 9007199254740993 to ...992.
  EXPECT_TRUE(M("attr.big = 9007199254740993"));
  EXPECT_FALSE(M("attr.big = 9007199254740992"));
  EXPECT_TRUE(M("attr.big > 9007199254740992"));
  EXPECT_TRUE(M("attr.big < 1e300"));
  EXPECT_TRUE(M("attr.big > -1e300"));
}

TEST_F(FilterEvalTest, BoolAttributes) {
  EXPECT_TRUE(M("attr.stream = true"));
  EXPECT_FALSE(M("attr.stream = false"));
  EXPECT_TRUE(M("attr.stream != false"));
  EXPECT_TRUE(M("attr.stream in (true)"));
}

TEST_F(FilterEvalTest, MismatchedAttributeTypesAreFalseForEveryOperator) {
  EXPECT_FALSE(M(R"(attr."http.status_code" = "503")"));
  EXPECT_FALSE(M(R"(attr."http.status_code" != "503")"));
  EXPECT_FALSE(M(R"(attr.team = 1)"));
  EXPECT_FALSE(M(R"(attr.team != 1)"));
  EXPECT_FALSE(M(R"(attr.team > 1)"));
  EXPECT_FALSE(M(R"(attr.stream = "true")"));
  EXPECT_FALSE(M(R"(attr.stream = 1)"));
  EXPECT_FALSE(M(R"(attr.temperature != true)"));
}

TEST_F(FilterEvalTest, NaNAttributeSatisfiesNothing) {
  FakeSpan span;
  span.Attr("x", model::AnyValue::Double(std::numeric_limits<double>::quiet_NaN()));
  for (std::string_view text : {"attr.x = 1", "attr.x != 1", "attr.x < 1", "attr.x >= 1"}) {
    EXPECT_FALSE(Matches(text, span)) << text;
  }
  EXPECT_TRUE(Matches(R"(attr.x ~ "^NaN$")", span));
}

TEST_F(FilterEvalTest, RegexOnNonStringAttributesMatchesTheirText) {
  EXPECT_TRUE(M(R"(attr."http.status_code" ~ "^5\d\d$")"));
  EXPECT_TRUE(M(R"(attr.stream ~ "^true$")"));
  EXPECT_TRUE(M(R"(attr.temperature ~ "^0\.7$")"));
  EXPECT_TRUE(M(R"(attr.big ~ "993$")"));
}

TEST(AttributeTextTest, RendersEveryValueType) {
  EXPECT_EQ(AttributeText(model::AnyValue::String("a\"b")), "a\"b");
  EXPECT_EQ(AttributeText(model::AnyValue::Int(-7)), "-7");
  EXPECT_EQ(AttributeText(model::AnyValue::Double(0.1)), "0.1");
  EXPECT_EQ(AttributeText(model::AnyValue::Double(3)), "3");
  EXPECT_EQ(AttributeText(model::AnyValue::Double(-INFINITY)), "-Infinity");
  EXPECT_EQ(AttributeText(model::AnyValue::Bool(false)), "false");
  EXPECT_EQ(AttributeText(model::AnyValue::Bytes("\x01\x02\x03")), "AQID");
  EXPECT_EQ(AttributeText(model::AnyValue()), "");

  model::AnyValue array;
  array.type = model::ValueType::kArray;
  array.array_value = {model::AnyValue::String("x\n\"y\""), model::AnyValue::Int(1),
                       model::AnyValue::Bool(true),         model::AnyValue(),
                       model::AnyValue::Double(NAN),        model::AnyValue::Bytes("\xFF")};
  EXPECT_EQ(AttributeText(array), R"(["x\u000a\"y\"",1,true,null,"NaN","/w=="])");

  model::AnyValue map;
  map.type = model::ValueType::kKvList;
  map.kvlist_value = {{"a", model::AnyValue::Int(1)}, {"b", array}};
  EXPECT_EQ(AttributeText(map), R"({"a":1,"b":["x\u000a\"y\"",1,true,null,"NaN","/w=="]})");

  FakeSpan span;
  span.Attr("tags", array).Attr("meta", map);
  EXPECT_TRUE(Matches(R"(attr.tags ~ "true,null")", span));
  EXPECT_TRUE(Matches(R"(attr.meta ~ "\"a\":1")", span));
}

TEST(FilterAnalysisTest, FieldsUsedListsEachFieldOnceInOrder) {
  StatusOr<Filter> filter = ParseFilter(
      R"(model = "a" and (duration > 2s or not attr.x = 1) and model != "b" and attr.y = 2 )"
      R"(and resource.z = 3 and cost > 0)");
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(FieldsUsed(*filter),
            (std::vector<Field>{Field::kModel, Field::kDuration, Field::kAttribute,
                                Field::kResourceAttribute, Field::kCost}));
  EXPECT_TRUE(FieldsUsed(Filter()).empty());
}

TEST(FilterAnalysisTest, IndexableEqualitiesAreTheTopLevelConjuncts) {
  auto indexable = [](std::string_view text) {
    StatusOr<Filter> filter = ParseFilter(text);
    EXPECT_TRUE(filter.ok()) << filter.status().ToString();
    return filter.ok() ? IndexableEqualities(*filter)
                       : std::vector<std::pair<Field, std::string>>();
  };
  using Terms = std::vector<std::pair<Field, std::string>>;
  EXPECT_EQ(indexable(R"(service = "x")"), (Terms{{Field::kService, "x"}}));
  EXPECT_EQ(indexable(R"(duration > 2s and (name = "n" and status = ERROR) and model in ("m"))"),
            (Terms{{Field::kName, "n"}, {Field::kStatus, "error"}, {Field::kModel, "m"}}));
  EXPECT_EQ(indexable(R"(error_class = "prompt" and cost > 1)"),
            (Terms{{Field::kErrorClass, "prompt"}}));
  // Not required of every match, or not indexed: nothing.
  EXPECT_TRUE(indexable(R"(service = "x" or name = "y")").empty());
  EXPECT_TRUE(indexable(R"(not service = "x")").empty());
  EXPECT_TRUE(indexable(R"(service != "x")").empty());
  EXPECT_TRUE(indexable(R"(service ~ "x")").empty());
  EXPECT_TRUE(indexable(R"(service in ("x", "y"))").empty());
  EXPECT_TRUE(indexable(R"(session = "s" and user = "u" and provider = "p")").empty());
  EXPECT_TRUE(indexable(R"(attr.service = "x")").empty());

  StatusOr<Filter> filter = ParseFilter(R"(cost > 1 and model = "m" and service = "s")");
  ASSERT_TRUE(filter.ok());
  std::optional<std::pair<Field, std::string>> first = IndexableEquality(*filter);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->first, Field::kModel);
  EXPECT_EQ(first->second, "m");
  EXPECT_FALSE(IndexableEquality(Filter()).has_value());
}

TEST(FilterConcurrencyTest, OneFilterEvaluatesOnManyThreads) {
  StatusOr<Filter> filter = ParseFilter(R"(output ~ "(?i)sorry" and duration > 1s)");
  ASSERT_TRUE(filter.ok());
  const FakeSpan span = ChatSpan();
  std::vector<std::thread> threads;
  std::vector<int> matches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Filter copy = *filter;  // copies share the tree
      for (int i = 0; i < 1000; ++i) matches[t] += Evaluate(copy, span) ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : matches) EXPECT_EQ(count, 1000);
}

TEST(FilterOutlivesTextTest, FilterOwnsItsStrings) {
  std::string text = R"(attr."team" = "search" and model ~ "gpt")";
  StatusOr<Filter> filter = ParseFilter(text);
  ASSERT_TRUE(filter.ok());
  text.assign(text.size(), 'x');
  EXPECT_TRUE(Evaluate(*filter, ChatSpan()));
}

}  // namespace
}  // namespace tokenscope::query::filter
