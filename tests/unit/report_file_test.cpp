#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "common/errors.hpp"
#include "sink/csv_report.hpp"
#include "sink/report_file.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

ReportRow row(std::string worker, std::uint64_t seq, RecordKind kind, std::uint64_t assignment,
              std::uint32_t attempt) {
  ReportRow r;
  r.run = "run1";
  r.worker = std::move(worker);
  r.seq = seq;
  r.record.kind = kind;
  r.record.status = kind == RecordKind::outcome ? Status::failed : Status::ok;
  r.record.severity = Severity::warning;
  r.record.container_type = "file";
  r.record.container_id = "sub-01/odd, \"name\"\n\xff.nii";  // a comma, quotes, a newline, a non-UTF-8 byte
  r.record.label = "odd.nii";
  r.record.err = kind == RecordKind::outcome ? "boom" : "";
  r.record.msg = "line, with \"quotes\"";
  r.record.resolved = kind != RecordKind::outcome;
  r.record.search_key = "p/sub-01/odd.nii";
  r.record.ts_us = 1700000000123456;
  r.record.assignment = assignment;
  r.record.attempt = attempt;
  r.record.fields = {{"sha256", "ab"}, {"bytes", "12"}};
  return r;
}

std::vector<ReportRow> read_back(const std::string& path) {
  std::vector<ReportRow> rows;
  open_report(path, ExistingReport::append, [&](const ReportRow& r) { rows.push_back(r); });
  return rows;
}

class ReportFileTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::TempDir dir;
  std::string path() const { return (dir.path() / ("report" + GetParam())).string(); }
};

TEST_P(ReportFileTest, RoundTripsEveryFieldAndEveryByte) {
  const std::vector<ReportRow> rows{row("w1", 1, RecordKind::log, 3, 1), row("w1", 2, RecordKind::outcome, 3, 1)};
  {
    auto report = open_report(path(), ExistingReport::refuse);
    for (const auto& r : rows) report->write(r);
    report->flush();
  }
  auto back = read_back(path());
  ASSERT_EQ(back.size(), 2u);
  // Outcomes and logs may come back in another order (SQLite keeps them in two tables).
  std::sort(back.begin(), back.end(), [](const ReportRow& a, const ReportRow& b) { return a.seq < b.seq; });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(back[i].run, rows[i].run);
    EXPECT_EQ(back[i].worker, rows[i].worker);
    EXPECT_EQ(back[i].seq, rows[i].seq);
    EXPECT_EQ(back[i].record, rows[i].record);
  }
}

TEST_P(ReportFileTest, NeverOverwritesSilently) {
  { open_report(path(), ExistingReport::refuse)->write(row("w1", 1, RecordKind::log, 1, 1)); }
  EXPECT_THROW(open_report(path(), ExistingReport::refuse), ConfigError);
  EXPECT_EQ(read_back(path()).size(), 1u);
  { open_report(path(), ExistingReport::replace)->flush(); }
  EXPECT_TRUE(read_back(path()).empty());
}

TEST_P(ReportFileTest, AppendContinuesAfterTheRowsAlreadyThere) {
  { open_report(path(), ExistingReport::refuse)->write(row("w1", 1, RecordKind::log, 1, 1)); }
  {
    auto report = open_report(path(), ExistingReport::append);
    report->write(row("w1", 2, RecordKind::log, 1, 1));
  }
  EXPECT_EQ(read_back(path()).size(), 2u);
}

TEST_P(ReportFileTest, DropsTheOutcomesOfSupersededAttemptsOnly) {
  auto report = open_report(path(), ExistingReport::refuse);
  report->write(row("w1", 1, RecordKind::outcome, 4, 1));
  report->write(row("w1", 2, RecordKind::log, 4, 1));
  report->write(row("w2", 1, RecordKind::outcome, 4, 2));
  report->write(row("w2", 2, RecordKind::outcome, 5, 1));
  report->flush();
  EXPECT_EQ(report->drop_outcomes({{4, 1}}), 1u);
  report->write(row("w2", 3, RecordKind::log, 5, 1));
  report.reset();
  auto back = read_back(path());
  ASSERT_EQ(back.size(), 4u);
  for (const auto& r : back) EXPECT_FALSE(r.record.kind == RecordKind::outcome && r.record.attempt == 1 && r.record.assignment == 4);
}

INSTANTIATE_TEST_SUITE_P(Formats, ReportFileTest, ::testing::Values(".jsonl", ".csv", ".db"),
                         [](const auto& test) { return test.param.substr(1); });

TEST(CsvReport, StartsWithTheHierarchyCuratorColumns) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "r.csv").string();
  { open_report(path, ExistingReport::refuse)->write(row("w1", 1, RecordKind::outcome, 1, 1)); }
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("container_type,container_id,label,err,msg,resolved,search_key,", 0), 0u) << header;
}

TEST(CsvReport, RefusesToAppendToAFileWithOtherColumns) {
  testing::TempDir dir;
  const std::string path = dir.write("r.csv", "a,b,c\r\n1,2,3\r\n");
  EXPECT_THROW(open_report(path, ExistingReport::append), ConfigError);
}

TEST(TextReports, DropATornLastRowWhenContinued) {
  testing::TempDir dir;
  for (const std::string extension : {".jsonl", ".csv"}) {
    const std::string path = (dir.path() / ("torn" + extension)).string();
    { open_report(path, ExistingReport::refuse)->write(row("w1", 1, RecordKind::log, 1, 1)); }
    std::ofstream(path, std::ios::app) << "\"cut short";
    EXPECT_EQ(read_back(path).size(), 1u) << extension;
    { open_report(path, ExistingReport::append)->write(row("w1", 2, RecordKind::log, 1, 1)); }
    EXPECT_EQ(read_back(path).size(), 2u) << extension;
  }
}

TEST(SqliteReport, AnswersCountWithOneOutcomePerRow) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "r.db").string();
  {
    auto report = open_report(path, ExistingReport::refuse);
    for (std::uint64_t i = 1; i <= 3; ++i) report->write(row("w", i, RecordKind::outcome, i, 1));
    report->write(row("w", 4, RecordKind::log, 1, 1));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM outcomes", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 3);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace ramify
