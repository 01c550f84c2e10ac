// Tests for the OTLP logs codec: protobuf round trips of every field and body type, GenAI
// event records, validation of ids, robustness against truncation, and OTLP/JSON decoding.

#include "otlp/logs_decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/log_record.h"
#include "otlp/logs_encoder.h"
#include "otlp/proto_test_util.h"

namespace tokenscope::otlp {
namespace {

using model::AnyValue;
using model::LogBatch;
using model::LogRecord;
using model::ValueType;
using testing::ArrayOf;
using testing::KvListOf;
using testing::MakeSpanId;
using testing::MakeTraceId;
using testing::ProtoBytes;

// Compares everything but resource_index/scope_index (batch-relative).
void ExpectSameLog(const LogRecord& a, const LogRecord& b) {
  EXPECT_EQ(a.time_unix_nano, b.time_unix_nano);
  EXPECT_EQ(a.observed_time_unix_nano, b.observed_time_unix_nano);
  EXPECT_EQ(a.severity_number, b.severity_number);
  EXPECT_EQ(a.severity_text, b.severity_text);
  testing::ExpectSameValue(a.body, b.body, "body");
  testing::ExpectSameAttributes(a.attributes, b.attributes, "attributes");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.trace_id, b.trace_id);
  EXPECT_EQ(a.span_id, b.span_id);
  EXPECT_EQ(a.event_name, b.event_name);
}

void ExpectSameLogBatch(const LogBatch& a, const LogBatch& b) {
  ASSERT_EQ(a.logs.size(), b.logs.size());
  for (size_t i = 0; i < a.logs.size(); ++i) {
    SCOPED_TRACE("log " + std::to_string(i));
    ExpectSameLog(a.logs[i], b.logs[i]);
    ASSERT_LT(b.logs[i].resource_index, b.resources.size());
    ASSERT_LT(b.logs[i].scope_index, b.scopes.size());
    testing::ExpectSameResource(a.ResourceOf(a.logs[i]), b.ResourceOf(b.logs[i]));
    testing::ExpectSameScope(a.ScopeOf(a.logs[i]), b.ScopeOf(b.logs[i]));
  }
}

// Two resources, three scopes, records with every field set and one of every body type.
void FillEveryLogField(LogBatch* batch) {
  model::Resource r0;
  r0.attributes = {{"service.name", AnyValue::String("chat")}};
  r0.dropped_attributes_count = 2;
  r0.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  model::Resource r1;
  r1.attributes = testing::EveryValueType();
  batch->resources = {r0, r1};
  model::Scope s0;
  s0.name = "opentelemetry.instrumentation.openai";
  s0.version = "0.33.1";
  s0.attributes = {{"a", AnyValue::Int(1)}};
  s0.dropped_attributes_count = 3;
  s0.schema_url = "https://opentelemetry.io/schemas/1.27.0";
  model::Scope s1;
  s1.name = "second";
  model::Scope s2;
  s2.name = "third";
  batch->scopes = {s0, s1, s2};

  LogRecord full;
  full.time_unix_nano = 1'700'000'000'123'456'789ULL;
  full.observed_time_unix_nano = 1'700'000'000'223'456'789ULL;
  full.severity_number = 9;
  full.severity_text = "INFO";
  full.body = AnyValue::String("hello, wörld");
  full.attributes = testing::EveryValueType();
  full.dropped_attributes_count = 7;
  full.flags = 0x301;
  full.trace_id = MakeTraceId(1);
  full.span_id = MakeSpanId(17);
  full.event_name = "gen_ai.user.message";
  full.resource_index = 0;
  full.scope_index = 0;
  batch->logs.push_back(full);

  // One record per body type, spread over the other scopes and resource.
  const std::vector<AnyValue> bodies = {
      AnyValue(),
      AnyValue::String(""),
      AnyValue::Bool(false),
      AnyValue::Bool(true),
      AnyValue::Int(std::numeric_limits<int64_t>::min()),
      AnyValue::Double(-0.0),
      AnyValue::Double(std::numeric_limits<double>::quiet_NaN()),
      AnyValue::Bytes(std::string_view("\x00\xff raw", 6)),
      ArrayOf({AnyValue::Int(1), ArrayOf({}), KvListOf({{"k", AnyValue::String("v")}})}),
      KvListOf({{"content", AnyValue::String("hi")}, {"n", KvListOf({})}}),
      ArrayOf({}),
      KvListOf({}),
  };
  for (size_t i = 0; i < bodies.size(); ++i) {
    LogRecord record;
    record.body = bodies[i];
    record.severity_number = static_cast<int32_t>(i) - 1;  // includes a negative value
    record.resource_index = i < 6 ? 0 : 1;
    record.scope_index = i < 6 ? 1 : 2;
    batch->logs.push_back(record);
  }
}

TEST(LogsCodecTest, RoundTripsEveryFieldAndBodyType) {
  LogBatch original;
  FillEveryLogField(&original);
  LogBatch decoded;
  std::string_view body = decoded.Adopt(EncodeLogsRequestProto(original));
  DecodeResult result;
  ASSERT_TRUE(DecodeLogsRequestProto(body, &decoded, &result).ok());
  EXPECT_EQ(result.accepted_log_records, original.logs.size());
  EXPECT_EQ(result.rejected_log_records, 0u);
  EXPECT_EQ(result.accepted_spans, 0u);
  EXPECT_EQ(decoded.resources.size(), 2u);
  EXPECT_EQ(decoded.scopes.size(), 3u);
  ExpectSameLogBatch(original, decoded);
  // Zero-copy: strings point into the adopted body.
  const char* event_name = decoded.logs[0].event_name.data();
  EXPECT_GE(event_name, body.data());
  EXPECT_LT(event_name, body.data() + body.size());
  // Re-encoding gives the same bytes.
  EXPECT_EQ(EncodeLogsRequestProto(decoded), body);
}

TEST(LogsCodecTest, SingleRecordRoundTripsAndRejectsBadInput) {
  LogBatch original;
  FillEveryLogField(&original);
  for (const LogRecord& record : original.logs) {
    std::string bytes;
    EncodeLogRecordProto(record, &bytes);
    LogRecord back;
    ASSERT_TRUE(DecodeLogRecordProto(bytes, &back).ok());
    ExpectSameLog(record, back);
    // Every truncation either fails cleanly, leaving the output untouched, or is a valid
    // shorter record.
    for (size_t n = 0; n < bytes.size(); ++n) {
      LogRecord partial;
      partial.severity_number = 77;
      if (!DecodeLogRecordProto(std::string_view(bytes).substr(0, n), &partial).ok()) {
        EXPECT_EQ(partial.severity_number, 77);
      }
    }
  }
  LogRecord out;
  // trace_id (field 9) of 3 bytes.
  EXPECT_EQ(DecodeLogRecordProto(std::string("\x4a\x03"
                                             "abc",
                                             5),
                                 &out)
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeLogRecordProto(std::string("\x0a\xff\xff", 3), &out).code(),
            StatusCode::kInvalidArgument);
}

TEST(LogsCodecTest, EmptyRequestAndEmptyRecord) {
  LogBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeLogsRequestProto("", &batch, &result).ok());
  EXPECT_TRUE(batch.logs.empty());
  // A record with nothing set is valid: ids are optional for logs.
  std::string request = ProtoBytes().Len(1, ProtoBytes().Len(2, ProtoBytes().Len(2, ""))).str();
  ASSERT_TRUE(DecodeLogsRequestProto(request, &batch, &result).ok());
  ASSERT_EQ(batch.logs.size(), 1u);
  EXPECT_FALSE(batch.logs[0].has_trace_id());
  EXPECT_FALSE(batch.logs[0].has_span_id());
  EXPECT_EQ(batch.logs[0].body.type, ValueType::kEmpty);
  EXPECT_EQ(result.accepted_log_records, 1u);
}

// gen_ai.user.message and gen_ai.choice as the OpenTelemetry GenAI instrumentations emit
// them: the event name in event_name, the payload in a kvlist body.
TEST(LogsCodecTest, GenAiEventRecords) {
  LogBatch original;
  original.resources.emplace_back();
  original.scopes.emplace_back();
  LogRecord user;
  user.event_name = "gen_ai.user.message";
  user.trace_id = MakeTraceId(3);
  user.span_id = MakeSpanId(4);
  user.attributes = {{"gen_ai.system", AnyValue::String("openai")}};
  user.body =
      KvListOf({{"content", AnyValue::String("What is 2+2?")}, {"role", AnyValue::String("user")}});
  LogRecord choice = user;
  choice.event_name = "gen_ai.choice";
  choice.body = KvListOf({{"index", AnyValue::Int(0)},
                          {"finish_reason", AnyValue::String("stop")},
                          {"message", KvListOf({{"content", AnyValue::String("4")},
                                                {"role", AnyValue::String("assistant")}})}});
  original.logs = {user, choice};

  LogBatch decoded;
  std::string_view body = decoded.Adopt(EncodeLogsRequestProto(original));
  ASSERT_TRUE(DecodeLogsRequestProto(body, &decoded, nullptr).ok());
  ExpectSameLogBatch(original, decoded);
  ASSERT_EQ(decoded.logs.size(), 2u);
  EXPECT_EQ(model::EventName(decoded.logs[0]), "gen_ai.user.message");
  EXPECT_EQ(model::EventName(decoded.logs[1]), "gen_ai.choice");
  const AnyValue* message = model::FindAttribute(decoded.logs[1].body.kvlist_value, "message");
  ASSERT_NE(message, nullptr);
  const AnyValue* content = model::FindAttribute(message->kvlist_value, "content");
  ASSERT_NE(content, nullptr);
  EXPECT_EQ(content->string_value, "4");
}

TEST(LogsCodecTest, EventNameFallsBackToTheAttribute) {
  LogRecord record;
  EXPECT_EQ(model::EventName(record), "");
  record.attributes = {{"event.name", AnyValue::String("gen_ai.system.message")}};
  EXPECT_EQ(model::EventName(record), "gen_ai.system.message");
  record.event_name = "gen_ai.user.message";  // the field wins
  EXPECT_EQ(model::EventName(record), "gen_ai.user.message");
  record.event_name = {};
  record.attributes = {{"event.name", AnyValue::Int(3)}};  // not a string: no name
  EXPECT_EQ(model::EventName(record), "");
}

TEST(LogsCodecTest, InvalidIdsRejectTheRecordAndAreCounted) {
  const std::string trace16(16, '\x01');
  const std::string span8(8, '\x02');
  ProtoBytes scope_logs;
  scope_logs.Len(2, ProtoBytes().Len(9, trace16).Len(10, span8).Len(3, "ok"));
  scope_logs.Len(2, ProtoBytes().Len(9, std::string(15, '\x01')));  // short trace_id
  scope_logs.Len(2, ProtoBytes().Len(10, std::string(9, '\x02')));  // long span_id
  scope_logs.Len(2, ProtoBytes().Len(10, span8));                   // span_id alone is fine
  std::string request = ProtoBytes().Len(1, ProtoBytes().Len(2, scope_logs)).str();
  LogBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeLogsRequestProto(request, &batch, &result).ok());
  EXPECT_EQ(result.accepted_log_records, 2u);
  EXPECT_EQ(result.rejected_log_records, 2u);
  EXPECT_EQ(result.rejection_message,
            "resource_logs[0].scope_logs[0].log_records[1]: trace_id must be empty or 16 bytes, "
            "got 15");
  ASSERT_EQ(batch.logs.size(), 2u);
  EXPECT_EQ(batch.logs[0].severity_text, "ok");
  EXPECT_TRUE(batch.logs[0].has_trace_id());
  EXPECT_FALSE(batch.logs[1].has_trace_id());
  EXPECT_TRUE(batch.logs[1].has_span_id());
}

TEST(LogsCodecTest, UnknownFieldsAreIgnored) {
  ProtoBytes record = ProtoBytes()
                          .Len(4, "reserved field 4")
                          .Varint(99, 5)
                          .Fixed32(100, 7)
                          .Fixed64(101, 8)
                          .Len(3, "WARN")
                          .Varint(2, 13);
  ProtoBytes scope_logs = ProtoBytes().Len(2, record).Len(77, "x");
  ProtoBytes resource_logs = ProtoBytes().Len(2, scope_logs).Varint(1000, 1);
  std::string request = ProtoBytes().Len(1, resource_logs).Len(9, "ignored").str();
  LogBatch batch;
  ASSERT_TRUE(DecodeLogsRequestProto(request, &batch, nullptr).ok());
  ASSERT_EQ(batch.logs.size(), 1u);
  EXPECT_EQ(batch.logs[0].severity_text, "WARN");
  EXPECT_EQ(batch.logs[0].severity_number, 13);
}

TEST(LogsCodecTest, MalformedInputNamesThePathAndAppendsNothing) {
  ProtoBytes record = ProtoBytes().Len(5, ProtoBytes().Len(1, "\xff\xfe"));  // bad UTF-8
  std::string request = ProtoBytes().Len(1, ProtoBytes().Len(2, ProtoBytes().Len(2, record))).str();
  LogBatch batch;
  batch.logs.emplace_back();
  Status status = DecodeLogsRequestProto(request, &batch, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "resource_logs[0].scope_logs[0].log_records[0].body.string_value: invalid UTF-8");
  EXPECT_EQ(batch.logs.size(), 1u);
  EXPECT_EQ(batch.resources.size(), 0u);
  // A wrong wire type for a fixed64 field.
  request = ProtoBytes()
                .Len(1, ProtoBytes().Len(2, ProtoBytes().Len(2, ProtoBytes().Varint(11, 1))))
                .str();
  status = DecodeLogsRequestProto(request, &batch, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "resource_logs[0].scope_logs[0].log_records[0].observed_time_unix_nano: wrong wire "
            "type 0 (expected 1)");
}

TEST(LogsCodecTest, EveryTruncationFailsCleanlyOrSucceeds) {
  LogBatch full;
  FillEveryLogField(&full);
  const std::string body = EncodeLogsRequestProto(full);
  size_t failures = 0;
  for (size_t n = 0; n < body.size(); ++n) {
    std::string prefix = body.substr(0, n);  // a copy, so ASan sees reads past its end
    LogBatch batch;
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    batch.logs.emplace_back();
    DecodeResult result;
    Status status = DecodeLogsRequestProto(prefix, &batch, &result);
    if (status.ok()) {
      for (const LogRecord& r : batch.logs) {
        ASSERT_LT(r.resource_index, batch.resources.size()) << n;
        ASSERT_LT(r.scope_index, batch.scopes.size()) << n;
      }
      continue;
    }
    ++failures;
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << n;
    ASSERT_EQ(batch.resources.size(), 1u) << n;
    ASSERT_EQ(batch.scopes.size(), 1u) << n;
    ASSERT_EQ(batch.logs.size(), 1u) << n;
    ASSERT_EQ(result.accepted_log_records + result.rejected_log_records, 0u) << n;
  }
  EXPECT_GT(failures, body.size() / 2);
}

TEST(LogsCodecTest, BodyNestingIsBounded) {
  ProtoBytes value = ProtoBytes().Varint(3, 1);
  for (int i = 0; i < 40; ++i) value = ProtoBytes().Len(5, ProtoBytes().Len(1, value));
  std::string request =
      ProtoBytes()
          .Len(1, ProtoBytes().Len(2, ProtoBytes().Len(2, ProtoBytes().Len(5, value))))
          .str();
  LogBatch batch;
  Status status = DecodeLogsRequestProto(request, &batch, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("nesting deeper than 32"), std::string::npos);
}

TEST(LogsCodecTest, ResponseEncoders) {
  EXPECT_EQ(EncodeLogsResponseProto(0, ""), "");
  EXPECT_EQ(EncodeLogsResponseProto(2, "bad"),
            ProtoBytes().Len(1, ProtoBytes().Varint(1, 2).Len(2, "bad")).str());
  EXPECT_EQ(EncodeLogsResponseJson(0, ""), "{}");
  EXPECT_EQ(EncodeLogsResponseJson(3, "bad \"id\""),
            R"({"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"bad \"id\""}})");
}

// ---- JSON ---------------------------------------------------------------------------------

TEST(LogsJsonTest, DecodesEveryField) {
  const std::string json = R"({"resourceLogs":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"chat"}}],
                "droppedAttributesCount":1},
    "schemaUrl":"https://r",
    "scopeLogs":[{
      "scope":{"name":"openai","version":"1.0"},
      "schemaUrl":"https://s",
      "logRecords":[{
        "timeUnixNano":"1700000000123456789",
        "observedTimeUnixNano":1700000000223456789,
        "severityNumber":17,
        "severityText":"ERROR",
        "body":{"kvlistValue":{"values":[
          {"key":"content","value":{"stringValue":"hi"}},
          {"key":"role","value":{"stringValue":"user"}}]}},
        "attributes":[{"key":"n","value":{"intValue":"-9223372036854775808"}},
                      {"key":"b","value":{"bytesValue":"AP8="}}],
        "droppedAttributesCount":2,
        "flags":1,
        "traceId":"5B8EFFF798038103D269B633813FC60C",
        "spanId":"eee19b7ec3c1b174",
        "eventName":"gen_ai.user.message",
        "unknownField":{"x":[1,2]}
      },{
        "severityNumber":"SEVERITY_NUMBER_WARN3",
        "body":{"doubleValue":"NaN"},
        "traceId":"",
        "spanId":null
      }]
    }]
  }]})";
  LogBatch batch;
  DecodeResult result;
  Status status = DecodeLogsRequestJson(json, &batch, &result);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(result.accepted_log_records, 2u);
  ASSERT_EQ(batch.logs.size(), 2u);
  const LogRecord& r = batch.logs[0];
  EXPECT_EQ(r.time_unix_nano, 1700000000123456789ULL);
  EXPECT_EQ(r.observed_time_unix_nano, 1700000000223456789ULL);
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.severity_text, "ERROR");
  ASSERT_EQ(r.body.type, ValueType::kKvList);
  EXPECT_EQ(r.body.kvlist_value[1].value.string_value, "user");
  ASSERT_EQ(r.attributes.size(), 2u);
  EXPECT_EQ(r.attributes[0].value.int_value, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.attributes[1].value.string_value, std::string_view("\x00\xff", 2));
  EXPECT_EQ(r.dropped_attributes_count, 2u);
  EXPECT_EQ(r.flags, 1u);
  EXPECT_EQ(testing::Hex(model::AsBytes(r.trace_id)),
            "5b 8e ff f7 98 03 81 03 d2 69 b6 33 81 3f c6 0c");
  EXPECT_EQ(testing::Hex(model::AsBytes(r.span_id)), "ee e1 9b 7e c3 c1 b1 74");
  EXPECT_EQ(r.event_name, "gen_ai.user.message");
  EXPECT_EQ(batch.ResourceOf(r).schema_url, "https://r");
  EXPECT_EQ(batch.ResourceOf(r).dropped_attributes_count, 1u);
  EXPECT_EQ(batch.ScopeOf(r).name, "openai");
  EXPECT_EQ(batch.ScopeOf(r).schema_url, "https://s");
  EXPECT_EQ(batch.logs[1].severity_number, 15);
  EXPECT_EQ(batch.logs[1].body.type, ValueType::kDouble);
  EXPECT_FALSE(batch.logs[1].has_trace_id());
}

TEST(LogsJsonTest, MalformedIdsRejectTheRecord) {
  const std::string json = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
    {"traceId":"5b8efff798038103d269b633813fc6"},
    {"spanId":"zzzzzzzzzzzzzzzz"},
    {"severityText":"kept"}]}]}]})";
  LogBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeLogsRequestJson(json, &batch, &result).ok());
  EXPECT_EQ(result.accepted_log_records, 1u);
  EXPECT_EQ(result.rejected_log_records, 2u);
  EXPECT_EQ(result.rejection_message,
            "resourceLogs[0].scopeLogs[0].logRecords[0]: trace_id must be empty or 16 bytes (32 "
            "hex digits)");
  ASSERT_EQ(batch.logs.size(), 1u);
  EXPECT_EQ(batch.logs[0].severity_text, "kept");
}

TEST(LogsJsonTest, ErrorsNameThePathAndAppendNothing) {
  LogBatch batch;
  Status status = DecodeLogsRequestJson(
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"12x"}]}]}]})", &batch,
      nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: expected unsigned 64-bit "
            "integer");
  EXPECT_TRUE(batch.resources.empty());
  EXPECT_FALSE(DecodeLogsRequestJson("[", &batch, nullptr).ok());
  EXPECT_FALSE(DecodeLogsRequestJson("[]", &batch, nullptr).ok());
  EXPECT_TRUE(batch.logs.empty());
}

TEST(LogsJsonTest, EveryTruncationFailsCleanly) {
  const std::string json =
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"arrayValue":{"values":[)"
      R"({"intValue":"1"}]}},"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]})";
  for (size_t n = 0; n < json.size(); ++n) {
    LogBatch batch;
    Status status = DecodeLogsRequestJson(json.substr(0, n), &batch, nullptr);
    ASSERT_FALSE(status.ok()) << n;
    ASSERT_TRUE(batch.logs.empty()) << n;
  }
}

}  // namespace
}  // namespace tokenscope::otlp
