#include "semconv/coerce.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tokenscope::semconv {
namespace {

using model::AnyValue;

TEST(CoerceTest, AsInt) {
  EXPECT_EQ(AsInt(AnyValue::Int(5)), 5);
  EXPECT_EQ(AsInt(AnyValue::Double(12.0)), 12);
  EXPECT_EQ(AsInt(AnyValue::Double(12.6)), 13);
  EXPECT_EQ(AsInt(AnyValue::String(" 42 ")), 42);
  EXPECT_EQ(AsInt(AnyValue::String("+7")), 7);
  EXPECT_EQ(AsInt(AnyValue::String("12.0")), 12);
  EXPECT_EQ(AsInt(AnyValue::String("1e3")), 1000);
  EXPECT_EQ(AsInt(AnyValue::String("-3")), -3);
  EXPECT_EQ(AsInt(AnyValue::String("abc")), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::String("12abc")), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::String("")), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::Double(std::numeric_limits<double>::quiet_NaN())), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::Double(1e300)), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::String("99999999999999999999999")), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue::Bool(true)), std::nullopt);
  EXPECT_EQ(AsInt(AnyValue{}), std::nullopt);
}

TEST(CoerceTest, AsDouble) {
  EXPECT_EQ(AsDouble(AnyValue::Double(0.25)), 0.25);
  EXPECT_EQ(AsDouble(AnyValue::Int(2)), 2.0);
  EXPECT_EQ(AsDouble(AnyValue::String("0.7")), 0.7);
  EXPECT_EQ(AsDouble(AnyValue::String("inf")), std::nullopt);
  EXPECT_EQ(AsDouble(AnyValue::String("nan")), std::nullopt);
  EXPECT_EQ(AsDouble(AnyValue::Double(std::numeric_limits<double>::infinity())), std::nullopt);
  EXPECT_EQ(AsDouble(AnyValue::String("0.7x")), std::nullopt);
}

TEST(CoerceTest, AsBool) {
  EXPECT_EQ(AsBool(AnyValue::Bool(false)), false);
  EXPECT_EQ(AsBool(AnyValue::String("TRUE")), true);
  EXPECT_EQ(AsBool(AnyValue::String("0")), false);
  EXPECT_EQ(AsBool(AnyValue::Int(1)), true);
  EXPECT_EQ(AsBool(AnyValue::Int(2)), std::nullopt);
  EXPECT_EQ(AsBool(AnyValue::String("yes please")), std::nullopt);
}

TEST(CoerceTest, AsString) {
  EXPECT_EQ(AsString(AnyValue::String("x")), "x");
  EXPECT_EQ(AsString(AnyValue::Int(4)), "4");
  EXPECT_EQ(AsString(AnyValue::Double(0.5)), "0.5");
  EXPECT_EQ(AsString(AnyValue::Bool(true)), "true");
  EXPECT_EQ(AsString(AnyValue::Bytes("raw")), "");
}

TEST(CoerceTest, AsStringList) {
  AnyValue array;
  array.type = model::ValueType::kArray;
  array.array_value = {AnyValue::String("a"), AnyValue::Int(2), AnyValue::String("")};
  EXPECT_EQ(AsStringList(array), (std::vector<std::string>{"a", "2"}));
  EXPECT_EQ(AsStringList(AnyValue::String(R"(["x", "y", 3])")),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(AsStringList(AnyValue::String("stop")), std::vector<std::string>{"stop"});
  EXPECT_EQ(AsStringList(AnyValue::String("[not json")), std::vector<std::string>{"[not json"});
  EXPECT_TRUE(AsStringList(AnyValue::String("  ")).empty());
}

TEST(CoerceTest, AnyValueToJson) {
  AnyValue map;
  map.type = model::ValueType::kKvList;
  AnyValue list;
  list.type = model::ValueType::kArray;
  list.array_value = {AnyValue::Int(-1), AnyValue::Double(1.5), AnyValue::Bool(false), AnyValue{},
                      AnyValue::Double(std::numeric_limits<double>::quiet_NaN())};
  map.kvlist_value = {{"s", AnyValue::String("q\"\\\n\x01")},
                      {"b", AnyValue::Bytes(std::string_view("\x00\xff", 2))},
                      {"l", list}};
  EXPECT_EQ(AnyValueToJson(map),
            R"({"s":"q\"\\\n\u0001","b":"AP8=","l":[-1,1.5,false,null,null]})");
  // Invalid UTF-8 is replaced, so the text stays valid JSON.
  EXPECT_EQ(AnyValueToJson(AnyValue::String("a\xff"
                                            "b")),
            "\"a\xEF\xBF\xBD"
            "b\"");
  // Depth is bounded.
  AnyValue deep = AnyValue::Int(1);
  for (int i = 0; i < 10; ++i) {
    AnyValue wrap;
    wrap.type = model::ValueType::kArray;
    wrap.array_value.push_back(deep);
    deep = wrap;
  }
  EXPECT_EQ(AnyValueToJson(deep, 3), "[[[null]]]");  // three levels, then null
}

}  // namespace
}  // namespace tokenscope::semconv
