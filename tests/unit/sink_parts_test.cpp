#include <gtest/gtest.h>

#include <fstream>

#include "sink/report_row.hpp"
#include "sink/run_summary.hpp"
#include "sink/sequence_tracker.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"
#include "util/json_reader.hpp"
#include "util/json_text.hpp"

namespace ramify {
namespace {

TEST(SequenceTracker, CountsContiguousAndMissingAcrossGapsAndDuplicates) {
  SequenceTracker t;
  EXPECT_TRUE(t.accept(1));
  EXPECT_TRUE(t.accept(2));
  EXPECT_TRUE(t.accept(5));
  EXPECT_FALSE(t.accept(2));
  EXPECT_FALSE(t.accept(0));
  EXPECT_EQ(t.contiguous(), 2u);
  EXPECT_EQ(t.missing_through(6), 3u);  // 3, 4, 6
  EXPECT_TRUE(t.accept(4));
  EXPECT_TRUE(t.accept(3));
  EXPECT_EQ(t.contiguous(), 5u);
  EXPECT_EQ(t.received(), 5u);
  EXPECT_EQ(t.missing_through(5), 0u);
}

TEST(JsonText, EscapesControlsAndKeepsInvalidBytesAsSurrogates) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\nd\x01\xc3\xa9\xff", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\\udcff\"");
}

TEST(JsonText, EveryByteStringSurvivesARoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  all += "\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf";  // valid, valid, a surrogate, an overlong form
  std::string json;
  append_json_string(json, all);
  EXPECT_EQ(parse_json(json).text, all);
}

TEST(JsonText, EachByteIsEscapedAtEveryPositionOfALongPlainRun) {
  // Plain runs are scanned 8 bytes at a time: a byte that needs escaping must
  // be found wherever it sits in the word.
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string text(20, 'a');
      text[at] = static_cast<char>(byte);
      std::string json;
      append_json_string(json, text);
      ASSERT_EQ(parse_json(json).text, text) << "byte " << byte << " at " << at;
      const bool plain = byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\';
      EXPECT_EQ(json.size() == text.size() + 2, plain) << "byte " << byte << " at " << at;
    }
  }
}

TEST(ReportRow, HasTheHierarchyCuratorColumnsFirst) {
  LogRecord r;
  r.kind = RecordKind::outcome;
  r.status = Status::failed;
  r.container_type = "file";
  r.container_id = "s/x";
  r.err = "boom";
  r.resolved = false;
  r.fields = {{"sha256", "ab"}};
  std::string json = report_row_json(ReportRow{"run1", "w1", 9, r});
  EXPECT_EQ(json.rfind("{\"kind\":\"outcome\",\"status\":\"failed\",\"container_type\":\"file\",\"container_id\":\"s/x\","
                       "\"label\":\"\",\"err\":\"boom\",\"msg\":\"\",\"resolved\":false,\"search_key\":\"\",\"ts\":",
                       0),
            0u)
      << json;
  JsonValue row = parse_json(json);
  EXPECT_EQ(row.get("worker"), "w1");
  EXPECT_EQ(row.get_uint("seq"), 9u);
  EXPECT_EQ(row.find("results")->get("sha256"), "ab");
}

// A row carried over by a later run is written from the parts the state
// store kept: byte for byte what the whole record would give, with the later
// run's fields and `cached: true` last among the results.
TEST(ReportRow, ACarriedRowFromItsStoredPartsIsTheRowOfItsRecordMarkedCached) {
  LogRecord timed;
  timed.kind = RecordKind::outcome;
  timed.status = Status::ok;
  timed.severity = Severity::warning;
  timed.container_type = "file";
  timed.container_id = "sub-1/\"x\"\n.txt";
  timed.label = "\"x\"\n.txt";
  timed.msg = "caf\xc3\xa9";
  timed.search_key = "p/sub-1/\"x\"\n.txt";
  timed.ts_us = 1796194080123456;
  timed.start_us = 1796194080000001;
  timed.duration_us = 2500001;
  timed.assignment = 3;
  timed.attempt = 1;
  timed.fields = {{"sha256", "ab"}, make_field("bytes", std::int64_t{42})};
  LogRecord plain = timed;
  plain.start_us = 0;
  plain.fields.clear();
  plain.status = Status::skipped;
  for (const LogRecord& record : {timed, plain}) {
    const RowJson parts = carried_json_parts(record);
    std::string carried;
    append_carried_row_json(carried, parts, record.severity, "run2", "state", 77, 12, 2);
    LogRecord expected = record;
    expected.assignment = 12;
    expected.attempt = 2;
    expected.fields.push_back(make_field("cached", true));
    EXPECT_EQ(carried, report_row_json(ReportRow{"run2", "state", 77, expected}));
    EXPECT_TRUE(parse_json(carried).find("results")->find("cached")->boolean) << carried;
  }
}

TEST(RunSummary, CountsByLevelAndForgetsSupersededAttempts) {
  RunSummary summary;
  auto outcome = [](std::string level, std::string key, Status status, std::uint32_t attempt) {
    LogRecord r;
    r.kind = RecordKind::outcome;
    r.container_type = std::move(level);
    r.search_key = std::move(key);
    r.status = status;
    r.assignment = 1;
    r.attempt = attempt;
    return r;
  };
  summary.add("w", outcome("file", "p/s/f", Status::ok, 1));
  summary.add("w", outcome("subject", "p/s", Status::failed, 1));
  summary.add("w", outcome("project", "p", Status::ok, 2));
  summary.add("w", outcome("subject", "p/s", Status::ok, 2));
  summary.drop_attempts({{1, 1}});
  auto levels = summary.by_level();
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[0].first, "project");
  EXPECT_EQ(levels[1].first, "subject");
  EXPECT_EQ(levels[1].second.ok, 1u);
  EXPECT_EQ(levels[1].second.failed, 0u);
  EXPECT_TRUE(summary.failures(5).empty());
  EXPECT_NE(summary.render({"r", 0, 0, "", 1.0, 0, 0, 0, "", "", 0, ""}).find("log records lost: 0"), std::string::npos);
}

}  // namespace
}  // namespace ramify
