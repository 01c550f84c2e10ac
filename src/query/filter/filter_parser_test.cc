#include "query/filter/filter_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/filter/filter_lexer.h"

namespace tokenscope::query::filter {
namespace {

// The tree as an s-expression, to check structure: (and (not service = "a") (or ...)).
std::string Sexp(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kComparison: {
      Node alone = node;
      return FormatFilter(Filter(std::move(alone)));
    }
    case Node::Kind::kNot:
      return "(not " + Sexp(node.children.front()) + ")";
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::string out = node.kind == Node::Kind::kAnd ? "(and" : "(or";
      for (const Node& child : node.children) out += " " + Sexp(child);
      return out + ")";
    }
  }
  return "?";
}

Filter MustParse(std::string_view text) {
  StatusOr<Filter> filter = ParseFilter(text);
  EXPECT_TRUE(filter.ok()) << text << " -> " << filter.status().ToString();
  return filter.ok() ? *filter : Filter();
}

std::string Tree(std::string_view text) {
  Filter filter = MustParse(text);
  return filter.empty() ? "<empty>" : Sexp(*filter.root());
}

// The single comparison `text` parses to.
Comparison OnlyComparison(std::string_view text) {
  Filter filter = MustParse(text);
  if (filter.empty() || filter.root()->kind != Node::Kind::kComparison) {
    ADD_FAILURE() << text << " is not a single comparison";
    return Comparison();
  }
  return filter.root()->comparison;
}

TEST(FilterParserTest, EmptyAndBlankTextIsTheEmptyFilter) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("  \t\n ").empty());
  EXPECT_EQ(FormatFilter(Filter()), "");
}

TEST(FilterParserTest, StringFieldsTakeEqualityRegexAndIn) {
  for (std::string_view name : {"service", "name", "kind", "model", "provider", "operation",
                                "error_class", "session", "user", "input", "output"}) {
    const std::string field(name);
    Comparison eq = OnlyComparison(field + " = \"x\"");
    EXPECT_EQ(FieldName(eq.field), name);
    EXPECT_EQ(eq.op, CompareOp::kEq);
    ASSERT_EQ(eq.values.size(), 1u);
    EXPECT_EQ(eq.values[0].type, Literal::Type::kString);
    EXPECT_EQ(eq.values[0].string_value, "x");
    EXPECT_EQ(OnlyComparison(field + " != \"x\"").op, CompareOp::kNe);
    Comparison match = OnlyComparison(field + " ~ \"^x\"");
    EXPECT_EQ(match.op, CompareOp::kMatch);
    EXPECT_NE(match.regex, nullptr);
    Comparison in = OnlyComparison(field + " in (\"a\", \"b\")");
    EXPECT_EQ(in.op, CompareOp::kIn);
    EXPECT_EQ(in.values.size(), 2u);
  }
}

TEST(FilterParserTest, NumericFieldsTakeEveryOrdering) {
  const std::vector<std::pair<std::string, CompareOp>> ops = {
      {"=", CompareOp::kEq},  {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
      {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
  for (std::string_view name :
       {"duration", "ttft", "input_tokens", "output_tokens", "total_tokens", "cost"}) {
    for (const auto& [text, op] : ops) {
      Comparison c = OnlyComparison(std::string(name) + " " + text + " 12");
      EXPECT_EQ(FieldName(c.field), name);
      EXPECT_EQ(c.op, op) << name << text;
      EXPECT_EQ(c.values[0].type, Literal::Type::kNumber);
      EXPECT_EQ(c.values[0].number_value, 12);
    }
  }
}

TEST(FilterParserTest, NumbersAreDecimalNegativeOrExponent) {
  EXPECT_EQ(OnlyComparison("cost > 0.01").values[0].number_value, 0.01);
  EXPECT_EQ(OnlyComparison("cost > -1.5").values[0].number_value, -1.5);
  EXPECT_EQ(OnlyComparison("cost < 1e-3").values[0].number_value, 1e-3);
  EXPECT_EQ(OnlyComparison("cost < 2E+2").values[0].number_value, 200);
  Comparison big = OnlyComparison("attr.n = 9007199254740993");
  ASSERT_TRUE(big.values[0].int_value.has_value());
  EXPECT_EQ(*big.values[0].int_value, 9007199254740993);
  EXPECT_FALSE(OnlyComparison("cost = 1.0").values[0].int_value.has_value());
}

TEST(FilterParserTest, DurationsBecomeNanoseconds) {
  EXPECT_EQ(OnlyComparison("duration > 250ms").values[0].number_value, 250e6);
  EXPECT_EQ(OnlyComparison("duration > 2s").values[0].number_value, 2e9);
  EXPECT_EQ(OnlyComparison("duration > 1.5m").values[0].number_value, 90e9);
  EXPECT_EQ(OnlyComparison("duration > 2h").values[0].number_value, 7200e9);
  EXPECT_EQ(OnlyComparison("ttft < 800us").values[0].number_value, 800e3);
  EXPECT_EQ(OnlyComparison("ttft < 800\xC2\xB5s").values[0].number_value, 800e3);
  EXPECT_EQ(OnlyComparison("ttft < 100ns").values[0].number_value, 100);
  Comparison plain = OnlyComparison("duration >= 1000");
  EXPECT_EQ(plain.values[0].type, Literal::Type::kNumber);  // a plain number means ns
  EXPECT_EQ(plain.values[0].number_value, 1000);
  Comparison written = OnlyComparison("duration > 1.5m");
  EXPECT_EQ(written.values[0].type, Literal::Type::kDuration);
  EXPECT_EQ(written.values[0].text, "1.5m");
}

TEST(FilterParserTest, StatusTakesQuotedOrBareValuesInAnyCase) {
  EXPECT_EQ(OnlyComparison("status = error").values[0].string_value, "error");
  EXPECT_EQ(OnlyComparison("status = \"OK\"").values[0].string_value, "ok");
  EXPECT_EQ(OnlyComparison("status != Unset").values[0].string_value, "unset");
  Comparison in = OnlyComparison("status in (error, \"ok\")");
  ASSERT_EQ(in.values.size(), 2u);
  EXPECT_EQ(in.values[1].string_value, "ok");
}

TEST(FilterParserTest, TraceIdIsNormalizedToLowercaseHex) {
  Comparison c = OnlyComparison("trace_id = \"5B8EFFF798038103D269B633813FC60C\"");
  EXPECT_EQ(c.values[0].string_value, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(OnlyComparison("trace_id ~ \"^5b8e\"").op, CompareOp::kMatch);
}

TEST(FilterParserTest, AttributeKeysQuotedOrBare) {
  Comparison quoted = OnlyComparison("attr.\"key with spaces\" = \"x\"");
  EXPECT_EQ(quoted.field, Field::kAttribute);
  EXPECT_EQ(quoted.key, "key with spaces");
  EXPECT_EQ(OnlyComparison("attr.\"a\\\"b\\\\c\\u00e9\" = 1").key, "a\"b\\c\xC3\xA9");
  EXPECT_EQ(OnlyComparison("attr.gen_ai.system = \"openai\"").key, "gen_ai.system");
  EXPECT_EQ(OnlyComparison("attr.http.request.header.x-request-id = \"1\"").key,
            "http.request.header.x-request-id");
  EXPECT_EQ(OnlyComparison("attr.k8s.pod.0 = \"1\"").key, "k8s.pod.0");
  Comparison resource = OnlyComparison("resource.\"deployment.environment\" = \"prod\"");
  EXPECT_EQ(resource.field, Field::kResourceAttribute);
  EXPECT_EQ(resource.key, "deployment.environment");
  EXPECT_EQ(OnlyComparison("RESOURCE.service.name = \"api\"").key, "service.name");
  EXPECT_EQ(OnlyComparison("Attr.\"Team\" = \"x\"").key, "Team");  // keys keep their case
}

TEST(FilterParserTest, AttributesTakeEveryLiteralType) {
  EXPECT_EQ(OnlyComparison("attr.x = \"s\"").values[0].type, Literal::Type::kString);
  EXPECT_EQ(OnlyComparison("attr.x = 5").values[0].type, Literal::Type::kNumber);
  EXPECT_EQ(OnlyComparison("attr.x > 2s").values[0].type, Literal::Type::kDuration);
  Comparison yes = OnlyComparison("attr.x = TRUE");
  EXPECT_EQ(yes.values[0].type, Literal::Type::kBool);
  EXPECT_TRUE(yes.values[0].bool_value);
  EXPECT_FALSE(OnlyComparison("attr.x != false").values[0].bool_value);
  EXPECT_EQ(OnlyComparison("attr.x < 5").op, CompareOp::kLt);
  EXPECT_NE(OnlyComparison("resource.x ~ \"a|b\"").regex, nullptr);
  EXPECT_EQ(OnlyComparison("attr.x in (1, \"one\", true)").values.size(), 3u);
}

TEST(FilterParserTest, StringEscapes) {
  EXPECT_EQ(OnlyComparison(R"(name = "a\"b\\c\/d\be\ff\ng\rh\ti")").values[0].string_value,
            "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(OnlyComparison(R"(name = "\u0041\u00e9\u4e2d")").values[0].string_value,
            "A\xC3\xA9\xE4\xB8\xAD");
  EXPECT_EQ(OnlyComparison(R"(name = "\ud83d\ude00")").values[0].string_value, "\xF0\x9F\x98\x80");
  EXPECT_EQ(OnlyComparison("name = \"\xE4\xB8\xAD\"").values[0].string_value, "\xE4\xB8\xAD");
}

TEST(FilterParserTest, RegexPatternsKeepTheirBackslashes) {
  EXPECT_EQ(OnlyComparison(R"(output ~ "\d+\.\d")").values[0].string_value, R"(\d+\.\d)");
  EXPECT_EQ(OnlyComparison(R"(output ~ "\bword\b")").values[0].string_value, R"(\bword\b)");
  EXPECT_EQ(OnlyComparison(R"(output ~ "a\\b")").values[0].string_value, R"(a\\b)");
  EXPECT_EQ(OnlyComparison(R"(output ~ "say \"hi\"")").values[0].string_value, R"(say "hi")");
  EXPECT_EQ(OnlyComparison(R"(output ~ "\u00e9\n")").values[0].string_value, "\xC3\xA9\\n");
  EXPECT_EQ(RegexSource(R"("\ud83d\ude00\t")"), "\xF0\x9F\x98\x80\\t");
  // The same escapes in plain text are decoded, or rejected.
  EXPECT_EQ(OnlyComparison(R"(output = "a\\b")").values[0].string_value, R"(a\b)");
  EXPECT_FALSE(ParseFilter(R"(output = "\d")").ok());
}

TEST(FilterParserTest, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(Tree(R"(name = "a" or name = "b" and name = "c")"),
            R"((or name = "a" (and name = "b" name = "c")))");
  EXPECT_EQ(Tree(R"(name = "a" and name = "b" or name = "c")"),
            R"((or (and name = "a" name = "b") name = "c"))");
  EXPECT_EQ(Tree(R"(not name = "a" and name = "b")"), R"((and (not name = "a") name = "b"))");
  EXPECT_EQ(Tree(R"(not name = "a" or name = "b")"), R"((or (not name = "a") name = "b"))");
  EXPECT_EQ(Tree(R"(not not name = "a")"), R"((not (not name = "a")))");
  EXPECT_EQ(Tree(R"(name = "a" and name = "b" and name = "c")"),
            R"((and name = "a" name = "b" name = "c"))");
}

TEST(FilterParserTest, ParenthesesGroup) {
  EXPECT_EQ(Tree(R"((name = "a" or name = "b") and name = "c")"),
            R"((and (or name = "a" name = "b") name = "c"))");
  EXPECT_EQ(Tree(R"(not (name = "a" and name = "b"))"), R"((not (and name = "a" name = "b")))");
  EXPECT_EQ(Tree(R"(((name = "a")))"), R"(name = "a")");
  EXPECT_EQ(Tree(R"(name = "a" and (name = "b" and name = "c"))"),
            R"((and name = "a" (and name = "b" name = "c")))");
}

TEST(FilterParserTest, KeywordsAndFieldNamesAreCaseInsensitive) {
  EXPECT_EQ(Tree(R"(SERVICE = "a" AND Not NAME = "b" Or model IN ("x"))"),
            R"((or (and service = "a" (not name = "b")) model in ("x")))");
}

TEST(FilterParserTest, WhitespaceIsOptionalBetweenTokens) {
  EXPECT_EQ(Tree(R"(service="a"and(duration>2s)or not(cost<=0.5))"),
            R"((or (and service = "a" duration > 2s) (not cost <= 0.5)))");
  EXPECT_EQ(Tree("service\t=\n\"a\""), R"(service = "a")");
}

TEST(FilterParserTest, DesignDocumentExamplesParse) {
  EXPECT_EQ(Tree(R"(model = "gpt-4o" and duration > 2s and status = error)"),
            R"((and model = "gpt-4o" duration > 2s status = error))");
  EXPECT_EQ(Tree(R"(cost > 0.01 and (service = "rag-api" or attr."team" = "search"))"),
            R"((and cost > 0.01 (or service = "rag-api" attr."team" = "search")))");
  EXPECT_EQ(Tree(R"(error_class in ("prompt", "model") and not output ~ "(?i)sorry")"),
            R"((and error_class in ("prompt", "model") (not output ~ "(?i)sorry")))");
  EXPECT_EQ(Tree(R"(resource."deployment.environment" = "prod" and output_tokens >= 1000)"),
            R"((and resource."deployment.environment" = "prod" output_tokens >= 1000))");
}

TEST(FilterParserTest, NestingUpToTheLimitIsAccepted) {
  const std::string parens = std::string(64, '(') + "name = \"a\"" + std::string(64, ')');
  EXPECT_EQ(Tree(parens), R"(name = "a")");
  std::string nots;
  for (int i = 0; i < 64; ++i) nots += "not ";
  EXPECT_TRUE(ParseFilter(nots + "name = \"a\"").ok());
  // 32 parentheses holding 32 nots: 64 levels in all.
  std::string mixed;
  for (int i = 0; i < 32; ++i) mixed += "(not ";
  mixed += "name = \"a\"" + std::string(32, ')');
  EXPECT_TRUE(ParseFilter(mixed).ok());
}

TEST(FilterParserTest, LongChainsAreNotNesting) {
  std::string chain = "name = \"a\"";
  while (chain.size() < 4000) chain += " or name = \"a\"";
  Filter filter = MustParse(chain);
  ASSERT_FALSE(filter.empty());
  EXPECT_EQ(filter.root()->kind, Node::Kind::kOr);
  EXPECT_GT(filter.root()->children.size(), 200u);
}

TEST(FilterParserTest, TextOfExactlyTheMaximumLengthIsAccepted) {
  std::string text = "name = \"" + std::string(4096 - 9, 'a') + "\"";
  ASSERT_EQ(text.size(), 4096u);
  EXPECT_TRUE(ParseFilter(text).ok());
}

TEST(FilterParserTest, LimitsAreConfigurable) {
  ParseLimits limits;
  limits.max_depth = 2;
  EXPECT_TRUE(ParseFilter("((name = \"a\"))", nullptr, limits).ok());
  EXPECT_FALSE(ParseFilter("(((name = \"a\")))", nullptr, limits).ok());
  limits.max_length = 8;
  EXPECT_FALSE(ParseFilter("name = \"a\"", nullptr, limits).ok());
}

TEST(FilterParserTest, FormatFilterIsCanonicalAndRoundTrips) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(SERVICE="a"AND NOT(name="b"OR name="c"))",
       R"(service = "a" and not (name = "b" or name = "c"))"},
      {R"(attr.gen_ai.system = "openai")", R"(attr."gen_ai.system" = "openai")"},
      {R"(status = "ERROR")", "status = error"},
      {"duration > 1.5m and cost <= 1e-3", "duration > 1.5m and cost <= 1e-3"},
      {R"(name = "tab\tquote\"nl\n\u0001")", R"(name = "tab\tquote\"nl\n\u0001")"},
      {R"(((name = "a" or name = "b")) or name = "c")",
       R"((name = "a" or name = "b") or name = "c")"},
      {R"(attr.x in (1, true, "s"))", R"(attr."x" in (1, true, "s"))"},
      {R"(not not (name = "a"))", R"(not not name = "a")"},
      {R"(output ~ "\d+ \"x\" \\ \u005c\"")", R"(output ~ "\d+ \"x\" \\ \u005c\"")"},
      {R"(output ~ "\u00e9\u005c.")", "output ~ \"\xC3\xA9\\.\""},
  };
  for (const auto& [text, canonical] : cases) {
    const std::string formatted = FormatFilter(MustParse(text));
    EXPECT_EQ(formatted, canonical) << text;
    EXPECT_EQ(FormatFilter(MustParse(formatted)), canonical) << text;
    EXPECT_EQ(Tree(formatted), Tree(text)) << text;
  }
}

TEST(FilterParserTest, ErrorsCarryPositionLengthAndByteOffset) {
  ParseError error;
  StatusOr<Filter> filter = ParseFilter("service = \"\xC3\xA9\" and bogus = 1", &error);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(error.position, 18u);  // characters: the é counts once
  EXPECT_EQ(error.byte_offset, 19u);
  EXPECT_EQ(error.length, 5u);
  EXPECT_EQ(filter.status().message(), error.ToString());
  EXPECT_EQ(error.ToString().rfind("position 18: unknown field 'bogus'", 0), 0u)
      << error.ToString();

  ParseError at_end;
  ASSERT_FALSE(ParseFilter("service =", &at_end).ok());
  EXPECT_EQ(at_end.position, 9u);
  EXPECT_EQ(at_end.length, 0u);
  EXPECT_EQ(at_end.ToString(), "position 9: expected a value after '=' but found end of input");
}

struct BadFilter {
  std::string text;
  size_t position;
  std::string fragment;
};

std::string Repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

std::vector<BadFilter> BadFilters() {
  return {
      // Strings and escapes.
      {R"(service = "abc)", 10, "unterminated string: expected a closing '\"' before end of input"},
      {R"(service = "abc\")", 10, "unterminated string"},
      {R"(service = "\q")", 11, R"(invalid escape '\q' in string; use \" \\ \/ \b \f \n)"},
      {R"(service = "\u12")", 11, R"(expected 4 hex digits after '\u')"},
      {R"(service = "\ud800")", 11, "a high surrogate (\\uD800-\\uDBFF) must be followed"},
      {R"(service = "\udc00")", 11, "a low surrogate (\\uDC00-\\uDFFF) must follow"},
      {"service = 'x'", 10, "unexpected character '''; strings use double quotes"},
      // Missing pieces.
      {"service =", 9, "expected a value after '=' but found end of input"},
      {"service = ", 10, "expected a value after '=' but found end of input"},
      {"service", 7,
       "expected an operator (=, !=, <, <=, >, >=, ~ or in) after 'service' but "
       "found end of input"},
      {R"(service "x")", 8,
       R"(expected an operator (=, !=, <, <=, >, >=, ~ or in) after 'service' but found string "x")"},
      {R"(= "x")", 0, "expected a field name, 'not' or '(' but found '='"},
      {R"(service = "x" and)", 17,
       "expected a field name, 'not' or '(' after 'and' but found end of input"},
      {R"(service = "x" or not)", 20,
       "expected a field name, 'not' or '(' after 'not' but found end of input"},
      {"not", 3, "expected a field name, 'not' or '(' after 'not' but found end of input"},
      {R"(and = "x")", 0, "expected a field name, 'not' or '(' but found 'and'"},
      {R"(service = and)", 10, "expected a value after '=' but found 'and'"},
      // Fields.
      {R"(servce = "x")", 0,
       "unknown field 'servce' (did you mean 'service'?); valid fields are service, name, kind, "
       "status, model, provider, operation, duration, ttft, input_tokens, output_tokens, "
       "total_tokens, cost, error_class, session, user, trace_id, input, output, attr.\"key\" "
       "and resource.\"key\""},
      {R"(service.name = "x")", 0,
       "unknown field 'service.name' (for an attribute write attr.\"service.name\" or "
       "resource.\"service.name\"); valid fields are service,"},
      {R"(attr = "x")", 0, "expected an attribute key after 'attr', as in attr.\"key\""},
      {R"(resource = "x")", 0, "as in resource.\"key\" or resource.key"},
      {R"(attr. = "x")", 6, "expected an attribute key after 'attr.' but found '='"},
      {R"(attr."" = "x")", 5, "an attribute key must not be empty"},
      {R"(attr.a..b = "x")", 5, "invalid attribute key 'a..b': a bare key is names joined"},
      // Operators against field types.
      {R"(service < "x")", 8,
       "operator '<' does not apply to 'service', which is text; use =, !=, ~ or in"},
      {R"(model >= "x")", 6, "operator '>=' does not apply to 'model', which is text"},
      {"status > ok", 7, "operator '>' does not apply to 'status'; use =, != or in"},
      {R"(status ~ "e")", 7, "operator '~' does not apply to 'status'"},
      {R"(cost ~ "1")", 5,
       "operator '~' does not apply to 'cost', which is a number; use =, !=, <, <=, >, >= or in"},
      {"service == \"x\"", 8, "unexpected '=='; compare with a single '='"},
      {"service ! \"x\"", 8, "unexpected character '!'; did you mean '!='?"},
      // Literals against field types.
      {R"(cost = "x")", 7, R"(expected a number (USD) for 'cost' but found string "x")"},
      {"input_tokens > 2s", 15, "expected a number for 'input_tokens' but found duration 2s"},
      {R"(duration > "2s")", 11,
       R"(expected a duration (as in 250ms or 2s) or a number of nanoseconds for 'duration' but found string "2s")"},
      {"status = bad", 9, "expected unset, ok or error for 'status' but found 'bad'"},
      {"status = true", 9, "expected unset, ok or error for 'status' but found 'true'"},
      {"service = true", 10, "expected a string for 'service' but found 'true'"},
      {"model = gpt-4o", 8,
       "expected a string for 'model' but found 'gpt-4o'; put text in double quotes, as in "
       "\"gpt-4o\""},
      {R"(service in ("a", 5))", 17, "expected a string for 'service' but found number 5"},
      {R"(trace_id = "xyz")", 11,
       R"(expected a trace id of 32 hex digits for 'trace_id' but found string "xyz")"},
      {R"(attr.x > "abc")", 9,
       R"(expected a number or duration after '>' but found string "abc"; text and booleans compare only with =, !=, ~ and in)"},
      {"attr.x < true", 9, "expected a number or duration after '<' but found 'true'"},
      {"attr.x ~ 5", 9, "expected a regular expression (a string) after '~' but found number 5"},
      {"attr.x = foo", 9,
       "expected a value for 'attr.x' but found 'foo'; put text in double quotes"},
      {R"(attr."k" = foo)", 11, "expected a value for 'attr.\"k\"' but found 'foo'"},
      // Numbers and durations.
      {"cost > 1.2.3", 7, "invalid number or duration '1.2.3'"},
      {"duration > 5parsecs", 11,
       "invalid number or duration '5parsecs'; a duration is a number and a unit (ns, us, ms, "
       "s, m, h or d), as in 250ms"},
      {"duration > -2s", 11, "durations cannot be negative, but found '-2s'"},
      {"cost > 1e999", 7, "number '1e999' is out of range"},
      {"cost > 1.", 7, "invalid number or duration '1.'"},
      // Regular expressions.
      {R"(output ~ "(abc")", 9, "invalid regular expression: missing ): (abc"},
      {R"(output ~ "a{1001}")", 9, "invalid regular expression: invalid repetition size: {1001}"},
      {R"(output ~ "\q")", 9, R"(invalid regular expression: invalid escape sequence: \q)"},
      {R"(output ~ "\u12")", 9, R"(invalid regular expression: invalid escape sequence: \u)"},
      {R"(output ~ "a" and name = "\d")", 25, R"(invalid escape '\d' in string)"},
      {R"(attr."\d" = 1)", 6, R"(invalid escape '\d' in string)"},
      {R"(output ~ "a" and output ~ "[z-a]")", 26,
       "invalid regular expression: invalid character class range: z-a"},
      // Lists.
      {R"(service in "x")", 11, R"(expected '(' to start a list after 'in' but found string "x")"},
      {R"(service in ("a" "b"))", 16,
       R"(expected ',' or ')' in the list after '"a"' but found string "b")"},
      {"service in ()", 12, "expected a value after '(' but found ')'"},
      {R"(service in ("a",))", 16, "expected a value after ',' but found ')'"},
      {R"(service in ("a")", 15, "expected ',' or ')' in the list after '\"a\"' but found end"},
      // Parentheses and trailing text.
      {R"((service = "x")", 14,
       "expected ')' to close the '(' at position 0 but found end of input"},
      {R"(name = "1" or (service = "x")", 28,
       "expected ')' to close the '(' at position 14 but found end of input"},
      {R"(service = "x"))", 13, "unmatched ')': no '(' is open here"},
      {"()", 1, "expected a field name, 'not' or '(' after '(' but found ')'"},
      {"(", 1, "expected a field name, 'not' or '(' after '(' but found end of input"},
      {R"((service = "x" name = "y"))", 15,
       R"(expected 'and', 'or' or ')' after '"x"' but found 'name')"},
      {R"(service = "x" foo)", 14,
       R"(expected 'and', 'or' or end of input after '"x"' but found 'foo')"},
      {R"(service = "x" "y")", 14, R"(but found string "y")"},
      // Stray characters.
      {R"(service = "a" & name = "b")", 14, "unexpected character '&'; use 'and'"},
      {R"(service = "a" | name = "b")", 14, "unexpected character '|'; use 'or'"},
      {"service = \x01", 10, "unexpected character '\\x01'"},
      {"service = \"a\" \xC3\xA9", 14, "unexpected character '\xC3\xA9'"},
      {"service = \"a\" \xFF", 14, "unexpected character '\\xFF'"},
      // Limits.
      {Repeat("(", 65) + R"(service = "x")" + Repeat(")", 65), 64,
       "filter nests deeper than 64 levels of parentheses and 'not'"},
      {Repeat("(", 4000), 64, "filter nests deeper than 64 levels"},
      {Repeat("not ", 65) + R"(service = "x")", 256, "filter nests deeper than 64 levels"},
      {Repeat("(not ", 33) + R"(service = "x")" + Repeat(")", 33), 160,
       "filter nests deeper than 64 levels"},
      {R"(service = ")" + std::string(5108, 'a') + "\"", 4096,
       "filter is too long: 5120 bytes, at most 4096 are allowed"},
      {Repeat(R"(output ~ "a" and )", 16) + R"(output ~ "b")", 16 * 17 + 9,
       "too many regular expressions: a filter may use '~' at most 16 times"},
  };
}

TEST(FilterParserTest, MalformedFiltersReportPositionAndExpectation) {
  const std::vector<BadFilter> cases = BadFilters();
  EXPECT_GE(cases.size(), 30u);
  for (const BadFilter& bad : cases) {
    ParseError error;
    StatusOr<Filter> filter = ParseFilter(bad.text, &error);
    const std::string shown = Abbreviate(bad.text, 80);
    ASSERT_FALSE(filter.ok()) << shown;
    EXPECT_EQ(filter.status().code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(error.position, bad.position) << shown << " -> " << error.ToString();
    EXPECT_NE(error.message.find(bad.fragment), std::string::npos)
        << shown << " -> " << error.ToString() << "\nwanted: " << bad.fragment;
    EXPECT_EQ(filter.status().message(), error.ToString());
    EXPECT_EQ(filter.status().message().rfind("position " + std::to_string(bad.position) + ": ", 0),
              0u);
  }
}

TEST(FilterParserTest, LexerReportsTheFirstErrorInTextOrder) {
  // The grammar error at '=' comes before the unterminated string and wins.
  ParseError error;
  ASSERT_FALSE(ParseFilter(R"(service = = "abc)", &error).ok());
  EXPECT_EQ(error.position, 10u);
  EXPECT_NE(error.message.find("expected a value after '=' but found '='"), std::string::npos);
}

TEST(FilterLexerTest, TokensInOrder) {
  Lexer lexer(R"(attr."k" != -1.5e3 <= 2s ( , ) ~ "s")");
  std::vector<TokenKind> kinds;
  for (Token t = lexer.Next(); t.kind != TokenKind::kEnd; t = lexer.Next()) {
    ASSERT_NE(t.kind, TokenKind::kError) << t.error_message;
    kinds.push_back(t.kind);
  }
  EXPECT_EQ(kinds, (std::vector<TokenKind>{
                       TokenKind::kWord, TokenKind::kString, TokenKind::kOperator,
                       TokenKind::kNumber, TokenKind::kOperator, TokenKind::kDuration,
                       TokenKind::kLeftParen, TokenKind::kComma, TokenKind::kRightParen,
                       TokenKind::kOperator, TokenKind::kString}));
  EXPECT_EQ(lexer.Next().kind, TokenKind::kEnd);  // stays at the end
}

TEST(FilterLexerTest, DescribeTokenShortensLongText) {
  const std::string text = "\"" + std::string(100, 'x') + "\"";
  Lexer lexer(text);  // holds a view: the text must outlive it
  const std::string described = DescribeToken(lexer.Next());
  EXPECT_EQ(described, "string \"" + std::string(39, 'x') + "...");
  EXPECT_EQ(Abbreviate("\xC3\xA9\xC3\xA9", 3), "\xC3\xA9...");  // never splits a character
}

}  // namespace
}  // namespace tokenscope::query::filter
