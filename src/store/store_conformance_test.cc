// The Store conformance suite: what every backend must do, tested through the Store
// interface only. A backend joins by adding a StoreHarness and an entry in
// INSTANTIATE_TEST_SUITE_P at the bottom.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "store/store_factory.h"
#include "store/store_test_harness.h"

namespace tokenscope::store {
namespace {

// Copies `s` into the batch, so the batch's views stay valid however the test's strings live.
std::string_view Keep(model::SpanBatch* batch, std::string_view s) {
  return batch->arena().Copy(s);
}

uint32_t AddResource(model::SpanBatch* batch, std::string_view service) {
  model::Resource r;
  r.attributes.push_back(
      {Keep(batch, "service.name"), model::AnyValue::String(Keep(batch, service))});
  batch->resources.push_back(std::move(r));
  return static_cast<uint32_t>(batch->resources.size() - 1);
}

uint32_t AddScope(model::SpanBatch* batch, std::string_view name) {
  model::Scope s;
  s.name = Keep(batch, name);
  s.version = Keep(batch, "1.0");
  batch->scopes.push_back(std::move(s));
  return static_cast<uint32_t>(batch->scopes.size() - 1);
}

struct SpanSpec {
  uint64_t trace = 1;
  uint64_t span = 1;
  uint64_t parent = 0;  // 0: root
  std::string name = "op";
  uint64_t start = kBase;
  uint64_t duration = 1000;
  model::StatusCode status = model::StatusCode::kUnset;
  std::string service = "svc";
};

// A batch of simple spans; each distinct service gets one resource.
model::SpanBatch MakeBatch(const std::string& project, const std::vector<SpanSpec>& specs) {
  model::SpanBatch batch;
  batch.project = project;
  const uint32_t scope = AddScope(&batch, "tokenscope.test");
  std::map<std::string, uint32_t> resource_of;
  for (const auto& spec : specs) {
    auto it = resource_of.find(spec.service);
    if (it == resource_of.end()) {
      it = resource_of.emplace(spec.service, AddResource(&batch, spec.service)).first;
    }
    model::Span span;
    span.trace_id = TraceIdOf(spec.trace);
    span.span_id = SpanIdOf(spec.span);
    if (spec.parent != 0) span.parent_span_id = SpanIdOf(spec.parent);
    span.name = Keep(&batch, spec.name);
    span.kind = model::SpanKind::kInternal;
    span.start_time_unix_nano = spec.start;
    span.end_time_unix_nano = spec.start + spec.duration;
    span.status.code = spec.status;
    span.resource_index = it->second;
    span.scope_index = scope;
    batch.spans.push_back(std::move(span));
  }
  return batch;
}

model::AnyValue Str(model::SpanBatch* b, std::string_view s) {
  return model::AnyValue::String(Keep(b, s));
}

// Every AnyValue type, nested, with awkward contents.
model::Attributes EveryValueType(model::SpanBatch* b) {
  model::Attributes attrs;
  attrs.push_back({Keep(b, "str"), Str(b, "héllo \"world\"\n")});
  attrs.push_back({Keep(b, "empty_str"), model::AnyValue::String({})});
  attrs.push_back({Keep(b, "bool_true"), model::AnyValue::Bool(true)});
  attrs.push_back({Keep(b, "bool_false"), model::AnyValue::Bool(false)});
  attrs.push_back({Keep(b, "int_neg"), model::AnyValue::Int(-9007199254740993LL)});
  attrs.push_back({Keep(b, "int_max"), model::AnyValue::Int(std::numeric_limits<int64_t>::max())});
  attrs.push_back({Keep(b, "int_zero"), model::AnyValue::Int(0)});
  attrs.push_back({Keep(b, "double"), model::AnyValue::Double(0.1)});
  attrs.push_back({Keep(b, "double_neg_zero"), model::AnyValue::Double(-0.0)});
  attrs.push_back(
      {Keep(b, "double_inf"), model::AnyValue::Double(std::numeric_limits<double>::infinity())});
  attrs.push_back(
      {Keep(b, "bytes"), model::AnyValue::Bytes(Keep(b, std::string("\x00\x01\xff\xfe", 4)))});
  attrs.push_back({Keep(b, "null"), model::AnyValue()});

  model::AnyValue array;
  array.type = model::ValueType::kArray;
  array.array_value.push_back(Str(b, "a"));
  array.array_value.push_back(model::AnyValue::Int(7));
  array.array_value.push_back(model::AnyValue::Double(-2.5));
  array.array_value.push_back(model::AnyValue::Bool(true));
  model::AnyValue inner_array;
  inner_array.type = model::ValueType::kArray;
  inner_array.array_value.push_back(Str(b, "nested"));
  array.array_value.push_back(inner_array);
  attrs.push_back({Keep(b, "array"), array});

  model::AnyValue empty_array;
  empty_array.type = model::ValueType::kArray;
  attrs.push_back({Keep(b, "empty_array"), empty_array});

  model::AnyValue kvlist;
  kvlist.type = model::ValueType::kKvList;
  kvlist.kvlist_value.push_back({Keep(b, "k1"), Str(b, "v1")});
  kvlist.kvlist_value.push_back({Keep(b, "k2"), model::AnyValue::Int(2)});
  kvlist.kvlist_value.push_back({Keep(b, "arr"), array});
  model::AnyValue inner_kv;
  inner_kv.type = model::ValueType::kKvList;
  inner_kv.kvlist_value.push_back(
      {Keep(b, "deep"), model::AnyValue::Bytes(Keep(b, std::string("\x00z", 2)))});
  kvlist.kvlist_value.push_back({Keep(b, "kv"), inner_kv});
  attrs.push_back({Keep(b, "kvlist"), kvlist});

  model::AnyValue empty_kvlist;
  empty_kvlist.type = model::ValueType::kKvList;
  attrs.push_back({Keep(b, "empty_kvlist"), empty_kvlist});
  return attrs;
}

// A batch with one fully populated span (every field and value type) and a plain child with
// another resource and scope.
model::SpanBatch MakeFullBatch(const std::string& project) {
  model::SpanBatch b;
  b.project = project;

  model::Resource resource;
  resource.attributes.push_back({Keep(&b, "service.name"), Str(&b, "rag-api")});
  resource.attributes.push_back({Keep(&b, "deployment.environment"), Str(&b, "prod")});
  resource.attributes.push_back({Keep(&b, "host.cpus"), model::AnyValue::Int(8)});
  resource.dropped_attributes_count = 3;
  resource.schema_url = Keep(&b, "https://opentelemetry.io/schemas/1.26.0");
  b.resources.push_back(std::move(resource));
  b.resources.push_back(model::Resource());  // no service.name at all

  model::Scope scope;
  scope.name = Keep(&b, "opentelemetry.instrumentation.openai");
  scope.version = Keep(&b, "0.48b0");
  scope.attributes.push_back({Keep(&b, "scope.attr"), model::AnyValue::Bool(true)});
  scope.dropped_attributes_count = 1;
  scope.schema_url = Keep(&b, "https://opentelemetry.io/schemas/1.24.0");
  b.scopes.push_back(std::move(scope));
  b.scopes.push_back(model::Scope());

  model::Span span;
  span.trace_id = TraceIdOf(0xabcdef);
  span.span_id = SpanIdOf(0x1111);
  span.parent_span_id = SpanIdOf(0x2222);
  span.trace_state = Keep(&b, "vendor=abc,other=1");
  span.name = Keep(&b, "chat gpt-4o");
  span.kind = model::SpanKind::kClient;
  span.start_time_unix_nano = kBase + 123456789;
  span.end_time_unix_nano = kBase + 987654321;
  span.attributes = EveryValueType(&b);
  span.dropped_attributes_count = 4;
  model::Event event;
  event.time_unix_nano = kBase + 200000000;
  event.name = Keep(&b, "gen_ai.content.prompt");
  event.attributes = EveryValueType(&b);
  event.dropped_attributes_count = 2;
  span.events.push_back(std::move(event));
  model::Event bare_event;
  bare_event.time_unix_nano = kBase + 300000000;
  span.events.push_back(std::move(bare_event));
  span.dropped_events_count = 5;
  model::Link link;
  link.trace_id = TraceIdOf(0x999);
  link.span_id = SpanIdOf(0x888);
  link.trace_state = Keep(&b, "k=v");
  link.attributes.push_back({Keep(&b, "link.kind"), Str(&b, "follows")});
  link.dropped_attributes_count = 6;
  link.flags = 0x301;
  span.links.push_back(std::move(link));
  span.dropped_links_count = 7;
  span.status.code = model::StatusCode::kError;
  span.status.message = Keep(&b, "rate limited: 429");
  span.flags = 0x101;
  span.resource_index = 0;
  span.scope_index = 0;
  b.spans.push_back(std::move(span));

  model::Span child;
  child.trace_id = TraceIdOf(0xabcdef);
  child.span_id = SpanIdOf(0x3333);
  child.parent_span_id = SpanIdOf(0x1111);
  child.name = Keep(&b, "http.post");
  child.start_time_unix_nano = kBase + 200000000;
  child.end_time_unix_nano = kBase + 200000000;  // zero duration
  child.resource_index = 1;
  child.scope_index = 1;
  b.spans.push_back(std::move(child));
  return b;
}

// ----------------------------------------------------------------------------------------
// Comparing

void ExpectAttributesEq(const model::Attributes& a, const model::Attributes& b,
                        const std::string& where);

void ExpectValueEq(const model::AnyValue& a, const model::AnyValue& b, const std::string& where) {
  ASSERT_EQ(a.type, b.type) << where;
  switch (a.type) {
    case model::ValueType::kEmpty:
      break;
    case model::ValueType::kString:
    case model::ValueType::kBytes:
      EXPECT_EQ(a.string_value, b.string_value) << where;
      break;
    case model::ValueType::kBool:
      EXPECT_EQ(a.bool_value, b.bool_value) << where;
      break;
    case model::ValueType::kInt:
      EXPECT_EQ(a.int_value, b.int_value) << where;
      break;
    case model::ValueType::kDouble:
      EXPECT_EQ(std::bit_cast<uint64_t>(a.double_value), std::bit_cast<uint64_t>(b.double_value))
          << where;
      break;
    case model::ValueType::kArray:
      ASSERT_EQ(a.array_value.size(), b.array_value.size()) << where;
      for (size_t i = 0; i < a.array_value.size(); ++i) {
        ExpectValueEq(a.array_value[i], b.array_value[i], where + "[" + std::to_string(i) + "]");
      }
      break;
    case model::ValueType::kKvList:
      ExpectAttributesEq(a.kvlist_value, b.kvlist_value, where);
      break;
  }
}

void ExpectAttributesEq(const model::Attributes& a, const model::Attributes& b,
                        const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key) << where;
    ExpectValueEq(a[i].value, b[i].value, where + "." + std::string(a[i].key));
  }
}

void ExpectResourceEq(const model::Resource& a, const model::Resource& b) {
  ExpectAttributesEq(a.attributes, b.attributes, "resource");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  EXPECT_EQ(a.schema_url, b.schema_url);
}

void ExpectScopeEq(const model::Scope& a, const model::Scope& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.version, b.version);
  ExpectAttributesEq(a.attributes, b.attributes, "scope");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  EXPECT_EQ(a.schema_url, b.schema_url);
}

// Compares spans field by field, including the resource and scope each refers to.
void ExpectSpanEq(const model::SpanBatch& want_batch, const model::Span& want,
                  const model::SpanBatch& got_batch, const model::Span& got) {
  EXPECT_EQ(want.trace_id, got.trace_id);
  EXPECT_EQ(want.span_id, got.span_id);
  EXPECT_EQ(want.parent_span_id, got.parent_span_id);
  EXPECT_EQ(want.trace_state, got.trace_state);
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.kind, got.kind);
  EXPECT_EQ(want.start_time_unix_nano, got.start_time_unix_nano);
  EXPECT_EQ(want.end_time_unix_nano, got.end_time_unix_nano);
  ExpectAttributesEq(want.attributes, got.attributes, "span");
  EXPECT_EQ(want.dropped_attributes_count, got.dropped_attributes_count);
  ASSERT_EQ(want.events.size(), got.events.size());
  for (size_t i = 0; i < want.events.size(); ++i) {
    EXPECT_EQ(want.events[i].time_unix_nano, got.events[i].time_unix_nano);
    EXPECT_EQ(want.events[i].name, got.events[i].name);
    ExpectAttributesEq(want.events[i].attributes, got.events[i].attributes, "event");
    EXPECT_EQ(want.events[i].dropped_attributes_count, got.events[i].dropped_attributes_count);
  }
  EXPECT_EQ(want.dropped_events_count, got.dropped_events_count);
  ASSERT_EQ(want.links.size(), got.links.size());
  for (size_t i = 0; i < want.links.size(); ++i) {
    EXPECT_EQ(want.links[i].trace_id, got.links[i].trace_id);
    EXPECT_EQ(want.links[i].span_id, got.links[i].span_id);
    EXPECT_EQ(want.links[i].trace_state, got.links[i].trace_state);
    ExpectAttributesEq(want.links[i].attributes, got.links[i].attributes, "link");
    EXPECT_EQ(want.links[i].dropped_attributes_count, got.links[i].dropped_attributes_count);
    EXPECT_EQ(want.links[i].flags, got.links[i].flags);
  }
  EXPECT_EQ(want.dropped_links_count, got.dropped_links_count);
  EXPECT_EQ(want.status.code, got.status.code);
  EXPECT_EQ(want.status.message, got.status.message);
  EXPECT_EQ(want.flags, got.flags);
  ASSERT_LT(got.resource_index, got_batch.resources.size());
  ASSERT_LT(got.scope_index, got_batch.scopes.size());
  ExpectResourceEq(want_batch.ResourceOf(want), got_batch.ResourceOf(got));
  ExpectScopeEq(want_batch.ScopeOf(want), got_batch.ScopeOf(got));
}

// ----------------------------------------------------------------------------------------
// The suite

using ScanKey = std::tuple<uint64_t, model::TraceId, model::SpanId>;

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void Write(const model::SpanBatch& batch) {
    Status s = store_->Write(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  model::TraceSummary Summary(const std::string& project, uint64_t trace) {
    auto summary = store_->GetTraceSummary(project, TraceIdOf(trace));
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.ok() ? summary.value() : model::TraceSummary();
  }

  model::SpanBatch Spans(const std::string& project, uint64_t trace, size_t offset = 0,
                         size_t limit = SIZE_MAX) {
    TraceSpansRequest request;
    request.project = project;
    request.trace_id = TraceIdOf(trace);
    request.offset = offset;
    request.limit = limit;
    auto spans = store_->GetTraceSpans(request);
    EXPECT_TRUE(spans.ok()) << spans.status().ToString();
    return spans.ok() ? std::move(spans).value() : model::SpanBatch();
  }

  // Scans up to `max` summaries (all when 0); the token of the last one goes to *last_token.
  std::vector<SpanSummary> Scan(SpanScan scan, size_t max = 0, std::string* last_token = nullptr) {
    std::vector<SpanSummary> out;
    Status s = store_->ScanSpans(scan, [&](const SpanSummary& summary, const ScanPosition& pos) {
      out.push_back(summary);
      if (last_token != nullptr) *last_token = pos.token;
      return max == 0 || out.size() < max;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static std::vector<ScanKey> Keys(const std::vector<SpanSummary>& summaries) {
    std::vector<ScanKey> keys;
    for (const auto& s : summaries)
      keys.emplace_back(s.start_time_unix_nano, s.trace_id, s.span_id);
    return keys;
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, RoundTripsEveryFieldExactly) {
  const model::SpanBatch written = MakeFullBatch("proj");
  Write(written);

  model::SpanBatch got = Spans("proj", 0xabcdef);
  // Moving the batch must keep every view valid: it owns its bytes.
  model::SpanBatch moved = std::move(got);
  ASSERT_EQ(moved.spans.size(), 2u);
  EXPECT_EQ(moved.project, "proj");
  // Ordered by start time: the full span starts first.
  ExpectSpanEq(written, written.spans[0], moved, moved.spans[0]);
  ExpectSpanEq(written, written.spans[1], moved, moved.spans[1]);
  EXPECT_EQ(moved.resources.size(), 2u);
  EXPECT_EQ(moved.scopes.size(), 2u);

  auto one = store_->GetSpan("proj", written.spans[0].trace_id, written.spans[0].span_id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->spans.size(), 1u);
  ExpectSpanEq(written, written.spans[0], *one, one->spans[0]);
}

TEST_P(StoreConformanceTest, OneResourcePerDistinctResourceInATrace) {
  std::vector<SpanSpec> specs;
  for (uint64_t i = 1; i <= 300; ++i) {
    specs.push_back({.trace = 7, .span = i, .parent = i == 1 ? 0u : 1u, .start = kBase + i});
  }
  for (size_t from = 0; from < specs.size(); from += 100) {
    Write(MakeBatch("p", {specs.begin() + from, specs.begin() + from + 100}));
  }
  model::SpanBatch got = Spans("p", 7);
  EXPECT_EQ(got.spans.size(), 300u);
  EXPECT_EQ(got.resources.size(), 1u);
  EXPECT_EQ(got.scopes.size(), 1u);
  EXPECT_EQ(model::ServiceName(got.resources[0]), "svc");
}

TEST_P(StoreConformanceTest, SummaryFromShuffledBatches) {
  std::vector<SpanSpec> specs;
  specs.push_back({.trace = 1,
                   .span = 1,
                   .name = "request",
                   .start = kBase + 100,
                   .duration = 5000,
                   .service = "gateway"});
  for (uint64_t i = 2; i <= 40; ++i) {
    specs.push_back({.trace = 1,
                     .span = i,
                     .parent = 1,
                     .name = "step",
                     .start = kBase + 100 + i * 10,
                     .duration = i == 40 ? 100000u : 50u,
                     .status = i % 7 == 0 ? model::StatusCode::kError : model::StatusCode::kOk,
                     .service = i % 2 ? "worker" : "retriever"});
  }
  specs.push_back({.trace = 1,
                   .span = 41,
                   .parent = 1,
                   .name = "early",
                   .start = kBase,
                   .duration = 10,
                   .service = "worker"});
  std::mt19937 rng(42);
  std::shuffle(specs.begin(), specs.end(), rng);
  const size_t cuts[] = {0, 3, 17, 18, 30, specs.size()};
  for (size_t c = 0; c + 1 < std::size(cuts); ++c) {
    Write(MakeBatch("p", {specs.begin() + cuts[c], specs.begin() + cuts[c + 1]}));
  }

  const model::TraceSummary s = Summary("p", 1);
  EXPECT_EQ(s.trace_id, TraceIdOf(1));
  EXPECT_TRUE(s.has_root);
  EXPECT_EQ(s.root_name, "request");
  EXPECT_EQ(s.root_service, "gateway");
  EXPECT_EQ(s.span_count, 41u);
  EXPECT_EQ(s.error_count, 5u);  // 7, 14, 21, 28, 35
  EXPECT_EQ(s.start_time_unix_nano, kBase);
  EXPECT_EQ(s.end_time_unix_nano, kBase + 100 + 400 + 100000);
  EXPECT_EQ(s.last_span_start_unix_nano, kBase + 500);
}

TEST_P(StoreConformanceTest, RootlessTraceTakesEarliestService) {
  Write(MakeBatch("p",
                  {{.trace = 2, .span = 2, .parent = 1, .start = kBase + 50, .service = "late"}}));
  Write(MakeBatch("p",
                  {{.trace = 2, .span = 3, .parent = 1, .start = kBase + 10, .service = "early"}}));
  const model::TraceSummary s = Summary("p", 2);
  EXPECT_FALSE(s.has_root);
  EXPECT_EQ(s.root_name, "");
  EXPECT_EQ(s.root_service, "early");
  EXPECT_EQ(s.span_count, 2u);
}

TEST_P(StoreConformanceTest, RewritingASpanDoesNotDoubleCount) {
  const std::vector<SpanSpec> specs = {
      {.trace = 3, .span = 1, .name = "root", .start = kBase},
      {.trace = 3, .span = 2, .parent = 1, .start = kBase + 5, .status = model::StatusCode::kError},
  };
  Write(MakeBatch("p", specs));
  Write(MakeBatch("p", specs));  // a retry
  // The same span twice within one batch.
  Write(MakeBatch("p", {specs[1], specs[1]}));
  // A new span together with a retried one.
  Write(MakeBatch("p", {specs[0], {.trace = 3, .span = 3, .parent = 1, .start = kBase + 9}}));

  const model::TraceSummary s = Summary("p", 3);
  EXPECT_EQ(s.span_count, 3u);
  EXPECT_EQ(s.error_count, 1u);
  EXPECT_EQ(Spans("p", 3).spans.size(), 3u);
  SpanScan scan;
  scan.project = "p";
  EXPECT_EQ(Scan(scan).size(), 3u);
  scan.index = IndexTerm{IndexedField::kStatus, "error"};
  EXPECT_EQ(Scan(scan).size(), 1u);
}

TEST_P(StoreConformanceTest, LaterWriteOfASpanWinsEverywhere) {
  Write(MakeBatch("p", {{.trace = 4,
                         .span = 1,
                         .name = "old-name",
                         .start = kBase + 10,
                         .status = model::StatusCode::kError,
                         .service = "old-svc"}}));
  Write(MakeBatch("p", {{.trace = 4,
                         .span = 1,
                         .name = "new-name",
                         .start = kBase + 20,
                         .status = model::StatusCode::kOk,
                         .service = "new-svc"}}));

  model::SpanBatch got = Spans("p", 4);
  ASSERT_EQ(got.spans.size(), 1u);
  EXPECT_EQ(got.spans[0].name, "new-name");
  EXPECT_EQ(got.spans[0].start_time_unix_nano, kBase + 20);
  EXPECT_EQ(model::ServiceName(got.ResourceOf(got.spans[0])), "new-svc");

  SpanScan scan;
  scan.project = "p";
  auto all = Scan(scan);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "new-name");
  EXPECT_EQ(all[0].start_time_unix_nano, kBase + 20);
  for (auto term :
       {IndexTerm{IndexedField::kName, "old-name"}, IndexTerm{IndexedField::kService, "old-svc"},
        IndexTerm{IndexedField::kStatus, "error"}}) {
    scan.index = term;
    EXPECT_TRUE(Scan(scan).empty()) << term.value;
  }
  for (auto term :
       {IndexTerm{IndexedField::kName, "new-name"}, IndexTerm{IndexedField::kService, "new-svc"},
        IndexTerm{IndexedField::kStatus, "ok"}}) {
    scan.index = term;
    EXPECT_EQ(Scan(scan).size(), 1u) << term.value;
  }
}

TEST_P(StoreConformanceTest, TraceSpansPaging) {
  std::vector<SpanSpec> specs;
  for (uint64_t i = 1; i <= 25; ++i) {
    // Every third pair shares a start time, so the span id tie-break matters.
    specs.push_back({.trace = 5,
                     .span = 100 - i,
                     .parent = i == 1 ? 0u : 99u,
                     .start = kBase + (i / 2) * 1000});
  }
  std::shuffle(specs.begin(), specs.end(), std::mt19937(7));
  Write(MakeBatch("p", specs));

  model::SpanBatch all = Spans("p", 5);
  ASSERT_EQ(all.spans.size(), 25u);
  for (size_t i = 1; i < all.spans.size(); ++i) {
    const auto& a = all.spans[i - 1];
    const auto& b = all.spans[i];
    EXPECT_TRUE(std::tie(a.start_time_unix_nano, a.span_id) <
                std::tie(b.start_time_unix_nano, b.span_id));
  }

  std::vector<model::SpanId> paged;
  for (size_t offset = 0; offset < 25; offset += 7) {
    model::SpanBatch page = Spans("p", 5, offset, 7);
    EXPECT_EQ(page.spans.size(), std::min<size_t>(7, 25 - offset));
    for (const auto& span : page.spans) {
      paged.push_back(span.span_id);
      ASSERT_LT(span.resource_index, page.resources.size());
      EXPECT_EQ(model::ServiceName(page.ResourceOf(span)), "svc");
    }
  }
  ASSERT_EQ(paged.size(), 25u);
  for (size_t i = 0; i < 25; ++i) EXPECT_EQ(paged[i], all.spans[i].span_id);

  EXPECT_TRUE(Spans("p", 5, 25, 10).spans.empty());
  EXPECT_TRUE(Spans("p", 5, 1000).spans.empty());
  EXPECT_TRUE(Spans("p", 5, 0, 0).spans.empty());
}

TEST_P(StoreConformanceTest, UnknownTraceIsNotFound) {
  Write(MakeBatch("p", {{.trace = 6, .span = 1}}));
  TraceSpansRequest request;
  request.project = "p";
  request.trace_id = TraceIdOf(666);
  EXPECT_EQ(store_->GetTraceSpans(request).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetTraceSummary("p", TraceIdOf(666)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSpan("p", TraceIdOf(6), SpanIdOf(2)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSpan("p", TraceIdOf(666), SpanIdOf(1)).status().code(),
            StatusCode::kNotFound);

  auto summaries = store_->GetTraceSummaries("p", {TraceIdOf(666), TraceIdOf(6), TraceIdOf(7)});
  ASSERT_TRUE(summaries.ok());
  ASSERT_EQ(summaries->size(), 1u);
  EXPECT_EQ((*summaries)[0].trace_id, TraceIdOf(6));
  EXPECT_EQ((*summaries)[0].span_count, 1u);
}

TEST_P(StoreConformanceTest, GetTraceSummariesReturnsEachKnownTrace) {
  for (uint64_t t = 1; t <= 10; ++t) {
    Write(MakeBatch("p", {{.trace = t, .span = 1}, {.trace = t, .span = 2, .parent = 1}}));
  }
  std::vector<model::TraceId> ids;
  for (uint64_t t = 0; t <= 12; ++t) ids.push_back(TraceIdOf(t));
  auto summaries = store_->GetTraceSummaries("p", ids);
  ASSERT_TRUE(summaries.ok());
  ASSERT_EQ(summaries->size(), 10u);
  for (const auto& s : *summaries) EXPECT_EQ(s.span_count, 2u);
}

TEST_P(StoreConformanceTest, ProjectsAreIsolated) {
  const std::vector<std::string> projects = {"a", std::string("a\0b", 3), "ab", ""};
  for (size_t i = 0; i < projects.size(); ++i) {
    std::vector<SpanSpec> specs;
    for (uint64_t s = 1; s <= i + 1; ++s) {
      specs.push_back({.trace = 9,
                       .span = s,
                       .parent = s == 1 ? 0u : 1u,
                       .name = "n" + std::to_string(i),
                       .start = kBase + s,
                       .service = "svc" + std::to_string(i)});
    }
    Write(MakeBatch(projects[i], specs));
  }
  for (size_t i = 0; i < projects.size(); ++i) {
    const std::string& project = projects[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(Summary(project, 9).span_count, i + 1);
    EXPECT_EQ(Summary(project, 9).root_name, "n" + std::to_string(i));
    model::SpanBatch spans = Spans(project, 9);
    EXPECT_EQ(spans.spans.size(), i + 1);
    EXPECT_EQ(spans.project, project);
    SpanScan scan;
    scan.project = project;
    auto all = Scan(scan);
    EXPECT_EQ(all.size(), i + 1);
    for (const auto& s : all) EXPECT_EQ(s.service, "svc" + std::to_string(i));
    scan.index = IndexTerm{IndexedField::kService, "svc0"};
    EXPECT_EQ(Scan(scan).size(), i == 0 ? 1u : 0u);
    auto services = store_->ListServices(project);
    ASSERT_TRUE(services.ok());
    EXPECT_EQ(*services, std::vector<std::string>{"svc" + std::to_string(i)});
  }
  EXPECT_EQ(store_->GetTraceSummary("zzz", TraceIdOf(9)).status().code(), StatusCode::kNotFound);
}

// Spans at assorted times, with ties, in one project.
std::vector<SpanSpec> ScanFixture() {
  std::vector<SpanSpec> specs;
  uint64_t span = 1;
  for (uint64_t trace = 1; trace <= 6; ++trace) {
    for (uint64_t k = 0; k < 5; ++k) {
      specs.push_back({.trace = trace,
                       .span = span++,
                       .parent = k == 0 ? 0u : 1u,
                       .name = k == 0 ? "root" : (k % 2 ? "llm" : "tool"),
                       .start = kBase + ((trace * 7 + k * 3) % 10) * 1000,  // many ties
                       .status = k == 4 ? model::StatusCode::kError : model::StatusCode::kUnset,
                       .service = trace % 2 ? "odd" : "even"});
    }
  }
  return specs;
}

std::vector<ScanKey> ExpectedOrder(const std::vector<SpanSpec>& specs, uint64_t start = 0,
                                   uint64_t end = UINT64_MAX) {
  std::vector<ScanKey> keys;
  for (const auto& s : specs) {
    if (s.start >= start && s.start < end) {
      keys.emplace_back(s.start, TraceIdOf(s.trace), SpanIdOf(s.span));
    }
  }
  std::sort(keys.rbegin(), keys.rend());  // newest first; ties by trace, span descending
  return keys;
}

TEST_P(StoreConformanceTest, ScanIsNewestFirstWithinTimeBounds) {
  const auto specs = ScanFixture();
  Write(MakeBatch("p", specs));
  Write(MakeBatch("other", {{.trace = 1, .span = 999, .start = kBase + 5000}}));

  SpanScan scan;
  scan.project = "p";
  auto all = Scan(scan);
  EXPECT_EQ(Keys(all), ExpectedOrder(specs));

  // The summaries carry what the search needs.
  for (const auto& s : all) {
    const auto& spec = *std::find_if(specs.begin(), specs.end(), [&](const SpanSpec& x) {
      return SpanIdOf(x.span) == s.span_id;
    });
    EXPECT_EQ(s.trace_id, TraceIdOf(spec.trace));
    EXPECT_EQ(s.name, spec.name);
    EXPECT_EQ(s.service, spec.service);
    EXPECT_EQ(s.status, spec.status);
    EXPECT_EQ(s.duration_ns, spec.duration);
    EXPECT_EQ(s.kind, model::SpanKind::kInternal);
    EXPECT_EQ(s.parent_span_id, spec.parent ? SpanIdOf(spec.parent) : model::SpanId{});
  }

  // [start, end): start inclusive, end exclusive.
  scan.start_unix_nano = kBase + 3000;
  scan.end_unix_nano = kBase + 7000;
  EXPECT_EQ(Keys(Scan(scan)), ExpectedOrder(specs, kBase + 3000, kBase + 7000));
  scan.start_unix_nano = kBase + 3000;
  scan.end_unix_nano = kBase + 3001;
  EXPECT_EQ(Keys(Scan(scan)), ExpectedOrder(specs, kBase + 3000, kBase + 3001));
  EXPECT_FALSE(Scan(scan).empty());
  scan.start_unix_nano = kBase + 3000;
  scan.end_unix_nano = kBase + 3000;
  EXPECT_TRUE(Scan(scan).empty());
  scan.start_unix_nano = 0;
  scan.end_unix_nano = 0;
  EXPECT_TRUE(Scan(scan).empty());
}

TEST_P(StoreConformanceTest, ScanResumesWithoutDuplicatesOrGaps) {
  const auto specs = ScanFixture();
  Write(MakeBatch("p", specs));
  const auto expected = ExpectedOrder(specs);

  for (size_t page_size : {1u, 4u, 7u}) {
    SCOPED_TRACE(page_size);
    SpanScan scan;
    scan.project = "p";
    std::vector<ScanKey> seen;
    for (int pages = 0; pages < 100; ++pages) {
      std::string token;
      auto page = Keys(Scan(scan, page_size, &token));
      seen.insert(seen.end(), page.begin(), page.end());
      if (page.size() < page_size) break;
      scan.resume_after = token;
    }
    EXPECT_EQ(seen, expected);
  }
}

TEST_P(StoreConformanceTest, ResumeSurvivesWritesBetweenPages) {
  const auto specs = ScanFixture();
  Write(MakeBatch("p", specs));
  const auto expected = ExpectedOrder(specs);

  SpanScan scan;
  scan.project = "p";
  std::string token;
  auto first = Keys(Scan(scan, 10, &token));
  ASSERT_EQ(first.size(), 10u);
  const auto [last_start, last_trace, last_span] = first.back();

  // Newer spans, a span tied with the last position that sorts before it, and one that
  // sorts after it, plus older spans.
  model::TraceId before_trace = last_trace;
  before_trace[15] = 0xff;  // larger trace id: earlier in the order
  model::TraceId after_trace = last_trace;
  after_trace[1] = 0x00;
  after_trace[15] = 0x00;  // smaller trace id: later in the order
  model::SpanBatch extra = MakeBatch("p", {{.trace = 100, .span = 5000, .start = kBase + 99999},
                                           {.trace = 101, .span = 5001, .start = last_start},
                                           {.trace = 102, .span = 5002, .start = last_start},
                                           {.trace = 103, .span = 5003, .start = kBase - 5}});
  extra.spans[1].trace_id = before_trace;
  extra.spans[2].trace_id = after_trace;
  Write(extra);

  scan.resume_after = token;
  auto rest = Keys(Scan(scan));
  std::set<ScanKey> seen(first.begin(), first.end());
  for (const auto& key : rest) EXPECT_TRUE(seen.insert(key).second) << "duplicate";
  for (const auto& key : expected) EXPECT_TRUE(seen.count(key)) << "gap";
  EXPECT_FALSE(seen.count({kBase + 99999, TraceIdOf(100), SpanIdOf(5000)}));
  EXPECT_FALSE(seen.count({last_start, before_trace, SpanIdOf(5001)}));
  EXPECT_TRUE(seen.count({last_start, after_trace, SpanIdOf(5002)}));
  EXPECT_TRUE(seen.count({kBase - 5, TraceIdOf(103), SpanIdOf(5003)}));
  // Still newest first after the resume point.
  EXPECT_TRUE(std::is_sorted(rest.rbegin(), rest.rend()));
}

TEST_P(StoreConformanceTest, IndexScansVisitOnlyMatchingSpans) {
  const auto specs = ScanFixture();
  Write(MakeBatch("p", specs));

  struct Case {
    IndexTerm term;
    std::function<bool(const SpanSpec&)> match;
  };
  const std::vector<Case> cases = {
      {{IndexedField::kService, "odd"}, [](const SpanSpec& s) { return s.service == "odd"; }},
      {{IndexedField::kService, "even"}, [](const SpanSpec& s) { return s.service == "even"; }},
      {{IndexedField::kService, "od"}, [](const SpanSpec&) { return false; }},
      {{IndexedField::kName, "llm"}, [](const SpanSpec& s) { return s.name == "llm"; }},
      {{IndexedField::kName, "root"}, [](const SpanSpec& s) { return s.name == "root"; }},
      {{IndexedField::kStatus, "error"},
       [](const SpanSpec& s) { return s.status == model::StatusCode::kError; }},
      {{IndexedField::kStatus, "unset"},
       [](const SpanSpec& s) { return s.status == model::StatusCode::kUnset; }},
      {{IndexedField::kStatus, "ok"}, [](const SpanSpec&) { return false; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.term.value);
    std::vector<SpanSpec> matching;
    std::copy_if(specs.begin(), specs.end(), std::back_inserter(matching), c.match);
    SpanScan scan;
    scan.project = "p";
    scan.index = c.term;
    auto got = Scan(scan);
    EXPECT_EQ(Keys(got), ExpectedOrder(matching));

    // Bounded and resumed like the time scan.
    scan.start_unix_nano = kBase + 2000;
    scan.end_unix_nano = kBase + 8000;
    std::vector<ScanKey> paged;
    for (int pages = 0; pages < 100; ++pages) {
      std::string token;
      auto page = Keys(Scan(scan, 3, &token));
      paged.insert(paged.end(), page.begin(), page.end());
      if (page.size() < 3) break;
      scan.resume_after = token;
    }
    EXPECT_EQ(paged, ExpectedOrder(matching, kBase + 2000, kBase + 8000));
  }
}

TEST_P(StoreConformanceTest, ScanStopsWhenTheVisitorSaysSo) {
  Write(MakeBatch("p", ScanFixture()));
  SpanScan scan;
  scan.project = "p";
  EXPECT_EQ(Scan(scan, 1).size(), 1u);
}

TEST_P(StoreConformanceTest, MalformedResumeTokenIsInvalid) {
  Write(MakeBatch("p", ScanFixture()));
  SpanScan scan;
  scan.project = "p";
  scan.resume_after = "not a token";
  Status s = store_->ScanSpans(scan, [](const SpanSummary&, const ScanPosition&) { return true; });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ListServicesIsSortedAndDistinct) {
  Write(MakeBatch("p", {{.trace = 1, .span = 1, .service = "zeta"},
                        {.trace = 1, .span = 2, .service = "alpha"},
                        {.trace = 2, .span = 3, .service = "mid"}}));
  Write(MakeBatch("p", {{.trace = 3, .span = 4, .service = "alpha"},
                        {.trace = 3, .span = 5, .service = "beta"}}));
  auto services = store_->ListServices("p");
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"alpha", "beta", "mid", "zeta"}));
  auto none = store_->ListServices("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // A resource without service.name counts as the SDK default.
  Write(MakeFullBatch("q"));
  services = store_->ListServices("q");
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"rag-api", "unknown_service"}));
}

TEST_P(StoreConformanceTest, EverythingSurvivesReopen) {
  const model::SpanBatch full = MakeFullBatch("proj");
  Write(full);
  const auto specs = ScanFixture();
  Write(MakeBatch("p", specs));

  Reopen();

  model::SpanBatch got = Spans("proj", 0xabcdef);
  ASSERT_EQ(got.spans.size(), 2u);
  ExpectSpanEq(full, full.spans[0], got, got.spans[0]);
  ExpectSpanEq(full, full.spans[1], got, got.spans[1]);
  const model::TraceSummary s = Summary("proj", 0xabcdef);
  EXPECT_EQ(s.span_count, 2u);
  EXPECT_EQ(s.error_count, 1u);
  SpanScan scan;
  scan.project = "p";
  EXPECT_EQ(Keys(Scan(scan)), ExpectedOrder(specs));
  auto services = store_->ListServices("p");
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"even", "odd"}));

  // Summaries keep merging across the reopen, and retries are still recognised.
  Write(MakeBatch(
      "proj", {{.trace = 0xabcdef, .span = 0x4444, .parent = 0x1111, .start = kBase + 400000000}}));
  Write(full);
  EXPECT_EQ(Summary("proj", 0xabcdef).span_count, 3u);
}

TEST_P(StoreConformanceTest, ConcurrentWriters) {
  constexpr int kThreads = 8;
  constexpr int kBatchesPerThread = 20;
  constexpr int kSpansPerBatch = 25;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        std::vector<SpanSpec> specs;
        for (int s = 0; s < kSpansPerBatch; ++s) {
          // Each thread's trace t gets spans from every batch; traces 100+ are per batch.
          const uint64_t span = (uint64_t(t) << 32) | (uint64_t(b) << 16) | uint64_t(s);
          const uint64_t trace = s % 2 ? uint64_t(t) : 100 + uint64_t(t) * 1000 + uint64_t(b);
          specs.push_back({.trace = trace,
                           .span = span + 1,
                           .parent = 1,
                           .start = kBase + span,
                           .status = s == 0 ? model::StatusCode::kError : model::StatusCode::kOk,
                           .service = "svc" + std::to_string(t)});
        }
        Status st = store_->Write(MakeBatch("p", specs));
        if (!st.ok()) {
          results[t] = st;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.ToString();

  const size_t total = size_t{kThreads} * kBatchesPerThread * kSpansPerBatch;
  SpanScan scan;
  scan.project = "p";
  auto all = Scan(scan);
  EXPECT_EQ(all.size(), total);
  std::set<std::pair<model::TraceId, model::SpanId>> distinct;
  for (const auto& s : all) distinct.emplace(s.trace_id, s.span_id);
  EXPECT_EQ(distinct.size(), total);

  size_t counted = 0;
  size_t errors = 0;
  std::vector<model::TraceId> ids;
  for (int t = 0; t < kThreads; ++t) {
    ids.push_back(TraceIdOf(t));
    for (int b = 0; b < kBatchesPerThread; ++b) ids.push_back(TraceIdOf(100 + t * 1000 + b));
  }
  auto summaries = store_->GetTraceSummaries("p", ids);
  ASSERT_TRUE(summaries.ok());
  EXPECT_EQ(summaries->size(), ids.size());
  for (const auto& s : *summaries) {
    counted += s.span_count;
    errors += s.error_count;
  }
  EXPECT_EQ(counted, total);
  EXPECT_EQ(errors, size_t{kThreads} * kBatchesPerThread);
  EXPECT_EQ(Summary("p", 0).span_count, size_t{kBatchesPerThread} * (kSpansPerBatch / 2));

  scan.index = IndexTerm{IndexedField::kStatus, "error"};
  EXPECT_EQ(Scan(scan).size(), size_t{kThreads} * kBatchesPerThread);
  auto services = store_->ListServices("p");
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(services->size(), size_t{kThreads});

  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.spans_written, total);
  EXPECT_EQ(stats.batches_written, uint64_t{kThreads} * kBatchesPerThread);
  EXPECT_GT(stats.bytes_on_disk, 0u);
}

TEST_P(StoreConformanceTest, EmptyBatchIsANoOp) {
  model::SpanBatch empty;
  empty.project = "p";
  Write(empty);
  auto services = store_->ListServices("p");
  ASSERT_TRUE(services.ok());
  EXPECT_TRUE(services->empty());
}

TEST_P(StoreConformanceTest, BatchWithDanglingResourceIndexIsRejected) {
  model::SpanBatch batch = MakeBatch("p", {{.trace = 1, .span = 1}});
  batch.spans[0].resource_index = 5;
  EXPECT_EQ(store_->Write(batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetTraceSummary("p", TraceIdOf(1)).status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, AllBackends(), BackendName);

}  // namespace
}  // namespace tokenscope::store
