// Recorded fields keep their type from the curator to every report format:
// ctx.record("bytes", 109) is the JSON number 109, never the string "109".

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include <cmath>
#include <limits>

#include "engine/node_context.hpp"
#include "protocol/codec.hpp"
#include "protocol/record_fields.hpp"
#include "sink/report_file.hpp"
#include "sink/report_row.hpp"
#include "support/fake_context.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

TEST(RecordFields, ANumberRecordedIsANumber) {
  testing::FakeContext ctx;
  Context& as_curator_sees_it = ctx;
  as_curator_sees_it.record("bytes", std::uint64_t{109});
  as_curator_sees_it.record("sessions", 2);
  as_curator_sees_it.record("ratio", 0.25);
  as_curator_sees_it.record("complete", true);
  as_curator_sees_it.record("sha256", "ab12");
  as_curator_sees_it.record("name", std::string("sub-01"));
  EXPECT_EQ(ctx.fields["bytes"], "109");
  EXPECT_EQ(ctx.field_types["bytes"], FieldType::integer);
  EXPECT_EQ(ctx.field_types["sessions"], FieldType::integer);
  EXPECT_EQ(ctx.fields["ratio"], "0.25");
  EXPECT_EQ(ctx.field_types["ratio"], FieldType::real);
  EXPECT_EQ(ctx.fields["complete"], "true");
  EXPECT_EQ(ctx.field_types["complete"], FieldType::boolean);
  EXPECT_EQ(ctx.field_types["sha256"], FieldType::text);
  EXPECT_EQ(ctx.field_types["name"], FieldType::text);
}

TEST(RecordFields, ARealWithoutAJsonFormIsText) {
  EXPECT_EQ(make_field("x", std::numeric_limits<double>::quiet_NaN()).type, FieldType::text);
  EXPECT_EQ(make_field("x", std::numeric_limits<double>::infinity()).type, FieldType::text);
  EXPECT_EQ(make_field("x", -1.5e300).type, FieldType::real);
  EXPECT_EQ(make_field("x", std::int64_t{-7}).value, "-7");
}

TEST(RecordFields, TheReportWritesNumbersAsNumbers) {
  LogRecord r;
  r.kind = RecordKind::outcome;
  r.fields = {{"sha256", "ab"}, make_field("bytes", 109), make_field("ratio", 0.5), make_field("ok", false)};
  const std::string json = report_row_json(ReportRow{"run", "w", 1, r});
  EXPECT_NE(json.find(R"("results":{"sha256":"ab","bytes":109,"ratio":0.5,"ok":false})"), std::string::npos) << json;
  const ReportRow back = report_row_from_json(parse_json(json));
  EXPECT_EQ(back.record.fields, r.fields);
}

TEST(RecordFields, AValueThatDoesNotFitItsTypeIsWrittenAsAString) {
  // From a plugin (or off the wire): nothing but a number is ever written bare.
  LogRecord r;
  r.fields = {{"a", "1}, \"x\": {", FieldType::integer}, {"b", "0x10", FieldType::integer},
              {"c", "1.5", FieldType::integer}, {"d", "yes", FieldType::boolean}, {"e", "007", FieldType::real}};
  const std::string json = results_json(r);
  EXPECT_EQ(json, R"({"a":"1}, \"x\": {","b":"0x10","c":"1.5","d":"yes","e":"007"})");
  EXPECT_EQ(parse_json(json).members.size(), 5u);
}

TEST(RecordFields, TheEngineKeepsOnlyTypesThatFit) {
  struct Nothing : RecordSink {
    void add(LogRecord) override {}
  } records;
  const CuratorOptions options;
  NodeContext ctx(nullptr, nullptr, NodeContext::Services{records, options, nullptr, nullptr, nullptr}, {});
  ctx.record_field(Field{"bad", "12abc", FieldType::integer});
  ctx.record("good", 12);
  ctx.record("good", 13);  // recorded twice: the last value counts
  ASSERT_EQ(ctx.fields().size(), 2u);
  EXPECT_EQ(ctx.fields()[0], (Field{"bad", "12abc", FieldType::text}));
  EXPECT_EQ(ctx.fields()[1], (Field{"good", "13", FieldType::integer}));
  EXPECT_EQ(ctx.outcome().fields, ctx.fields());
}

TEST(RecordFields, TypesTravelInABatchAndAnOlderPeerSendsText) {
  LogRecord r;
  r.fields = {make_field("bytes", 109), {"sha256", "ab"}};
  EXPECT_EQ(decode_records(encode_records({r}), 1).at(0).fields, r.fields);

  // A peer that knows no types sends 14 elements: every field is text, even in reused storage.
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(1);
  packer.pack_array(14);
  for (int i = 0; i < 3; ++i) packer.pack(0u);
  packer.pack(std::int64_t{1});
  for (int i = 0; i < 5; ++i) packer.pack(std::string());
  packer.pack(true);
  packer.pack(std::string());
  packer.pack(std::uint64_t{0});
  packer.pack(std::uint32_t{0});
  packer.pack_array(1);
  packer.pack_array(2);
  packer.pack(std::string("bytes"));
  packer.pack(std::string("109"));
  std::vector<LogRecord> reused{r};
  decode_records(std::string_view(buffer.data(), buffer.size()), 1, reused);
  EXPECT_EQ(reused.at(0).fields, (std::vector<Field>{{"bytes", "109", FieldType::text}}));
}

TEST(RecordFields, EveryReportFormatReadsTypesBack) {
  testing::TempDir dir;
  for (const std::string name : {"r.jsonl", "r.csv", "r.db"}) {
    const std::string path = dir.str() + "/" + name;
    ReportRow row{"run", "w", 1, {}};
    row.record.kind = RecordKind::outcome;
    row.record.fields = {make_field("bytes", 109), make_field("ratio", 0.5), make_field("ok", true), {"s", "7"}};
    {
      auto report = open_report(path, ExistingReport::refuse, nullptr);
      report->write(row);
      report->finish();
    }
    std::vector<ReportRow> back;
    open_report(path, ExistingReport::append, [&](const ReportRow& r) { back.push_back(r); });
    ASSERT_EQ(back.size(), 1u) << name;
    EXPECT_EQ(back[0].record.fields, row.record.fields) << name;
  }
}

TEST(RecordFields, JsonNumbersFollowTheGrammar) {
  for (const char* good : {"0", "-0", "109", "-7", "0.5", "1e9", "1E-3", "-2.5e+10"}) EXPECT_TRUE(is_json_number(good)) << good;
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "+1", "0x10", "nan", "inf", "1 ", " 1"})
    EXPECT_FALSE(is_json_number(bad)) << bad;
}

}  // namespace
}  // namespace ramify
