#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sink/csv_report.hpp"
#include "sink/report_file.hpp"
#include "support/small_disk.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

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
  if (kind == RecordKind::outcome) {  // when the node's curation began, and how long it took
    r.record.start_us = 1700000000000001;
    r.record.duration_us = 2500123;
  }
  return r;
}

std::vector<ReportRow> read_back(const std::string& path) {
  std::vector<ReportRow> rows;
  open_report(path, ExistingReport::append, [&](const ReportRow& r) { rows.push_back(r); });
  return rows;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// The message of the ConfigError `open` throws, or "" when it throws none.
template <class F>
std::string config_error(F open) {
  try {
    open();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// Takes the disk's last free bytes (fill() leaves up to a page).
void use_up(const testing::SmallDisk& disk) {
  disk.fill("filler");
  std::ofstream out(disk.path("last"), std::ios::binary);
  const std::string block(4096, 'x');
  for (int i = 0; i < 4 && out; ++i) out.write(block.data(), static_cast<std::streamsize>(block.size())).flush();
}

class ReportFileTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::TempDir dir;
  std::string path() const { return (dir.path() / ("report" + GetParam())).string(); }
  bool text() const { return GetParam() != ".db"; }
  // How a complete row of this format ends.
  std::string row_end() const { return GetParam() == ".csv" ? "\r\n" : "\n"; }
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

// read_report (ramify report): the same rows, read-only, while a sink still
// holds the report (its lock does not keep readers out).
TEST_P(ReportFileTest, AReaderSeesEveryRowWithoutOpeningItForWriting) {
  const std::vector<ReportRow> rows{row("w1", 1, RecordKind::log, 3, 1), row("w1", 2, RecordKind::outcome, 3, 1)};
  auto report = open_report(path(), ExistingReport::refuse);
  for (const auto& r : rows) report->write(r);
  report->flush();
  ::chmod(path().c_str(), 0444);  // read-only: a reader needs no more
  std::vector<ReportRow> back;
  read_report(path(), [&](const ReportRow& r) { back.push_back(r); });
  ASSERT_EQ(back.size(), 2u);
  std::sort(back.begin(), back.end(), [](const ReportRow& a, const ReportRow& b) { return a.seq < b.seq; });
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(back[i].record, rows[i].record);
  EXPECT_THROW(read_report((dir.path() / ("missing" + GetParam())).string(), [](const ReportRow&) {}), ConfigError);
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

TEST_P(ReportFileTest, CountsItsRowsWithThoseAlreadyThere) {
  {
    auto report = open_report(path(), ExistingReport::refuse);
    EXPECT_EQ(report->rows(), 0u);
    report->write(row("w1", 1, RecordKind::outcome, 1, 1));
    report->write(row("w1", 2, RecordKind::log, 1, 1));
    EXPECT_EQ(report->rows(), 2u);
  }
  auto report = open_report(path(), ExistingReport::append);
  EXPECT_EQ(report->rows(), 2u);
  report->write(row("w1", 3, RecordKind::outcome, 2, 1));
  EXPECT_EQ(report->rows(), 3u);
  EXPECT_EQ(report->drop_outcomes({{1, 1}}), 1u);
  EXPECT_EQ(report->rows(), 2u);
}

TEST_P(ReportFileTest, CompactionLeavesNoTemporaryFileAndKeepsTheLock) {
  auto report = open_report(path(), ExistingReport::refuse);
  report->write(row("w1", 1, RecordKind::outcome, 4, 1));
  report->write(row("w2", 1, RecordKind::outcome, 4, 2));
  ASSERT_EQ(report->drop_outcomes({{4, 1}}), 1u);
  EXPECT_FALSE(exists(path() + ".compacting"));
  // Neither this process nor another can take the report now.
  EXPECT_EQ(config_error([&] { open_report(path(), ExistingReport::append); }),
            "report " + path() + " is being written by another sink");
  const int fd = ::open(path().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_NE(flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
  report->write(row("w2", 2, RecordKind::log, 4, 2));
  report.reset();
  EXPECT_EQ(read_back(path()).size(), 2u);
}

TEST_P(ReportFileTest, OneWriterAtATime) {
  auto first = open_report(path(), ExistingReport::refuse);
  first->write(row("w1", 1, RecordKind::outcome, 1, 1));
  first->flush();
  const std::string busy = "report " + path() + " is being written by another sink";
  EXPECT_EQ(config_error([&] { open_report(path(), ExistingReport::replace); }), busy);
  EXPECT_EQ(config_error([&] { open_report(path(), ExistingReport::append); }), busy);
  first->write(row("w1", 2, RecordKind::log, 1, 1));
  first.reset();
  auto back = read_back(path());
  ASSERT_EQ(back.size(), 2u);
  std::sort(back.begin(), back.end(), [](const ReportRow& a, const ReportRow& b) { return a.seq < b.seq; });
  EXPECT_EQ(back[0].record, row("w1", 1, RecordKind::outcome, 1, 1).record);
  EXPECT_EQ(back[1].record, row("w1", 2, RecordKind::log, 1, 1).record);
  // The first one gone, another takes over.
  EXPECT_NO_THROW(open_report(path(), ExistingReport::replace)->flush());
  EXPECT_TRUE(read_back(path()).empty());
}

// A lock held by another process (here: another open file description, which
// flock treats the same way): --force must not empty the report it cannot lock.
TEST_P(ReportFileTest, ForceDoesNotTouchAReportAnotherSinkHolds) {
  { open_report(path(), ExistingReport::refuse)->write(row("w1", 1, RecordKind::outcome, 1, 1)); }
  const std::string before = slurp(path());
  ASSERT_FALSE(before.empty());
  const int fd = ::open(path().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string busy = "report " + path() + " is being written by another sink";
  EXPECT_EQ(config_error([&] { open_report(path(), ExistingReport::replace); }), busy);
  EXPECT_EQ(config_error([&] { open_report(path(), ExistingReport::append); }), busy);
  EXPECT_TRUE(slurp(path()) == before) << "the report changed";
  ::close(fd);
  EXPECT_EQ(read_back(path()).size(), 1u);
}

TEST_P(ReportFileTest, FinishLeavesEverythingInTheFileItself) {
  auto report = open_report(path(), ExistingReport::refuse);
  for (std::uint64_t i = 1; i <= 50; ++i) report->write(row("w1", i, i % 2 ? RecordKind::log : RecordKind::outcome, i, 1));
  report->finish();
  // A fresh reader of the file alone (a copy: SQLite's log not included), while
  // the report is still open.
  const std::string copy = (dir.path() / ("copy" + GetParam())).string();
  std::filesystem::copy_file(path(), copy);
  EXPECT_EQ(read_back(copy).size(), 50u);
  if (!text()) {
    EXPECT_TRUE(!exists(path() + "-wal") || std::filesystem::file_size(path() + "-wal") == 0);
  }
  // Writing goes on after.
  report->write(row("w1", 51, RecordKind::log, 51, 1));
  report->finish();
  EXPECT_EQ(report->rows(), 51u);
}

TEST_P(ReportFileTest, AFullDiskLeavesWholeRowsAndSaysHowMany) {
  testing::SmallDisk disk(200 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  disk.fill("filler", 128 * 1024);  // removed before reading back: readers need some room (SQLite's index)
  const std::string file = disk.path("report" + GetParam());
  auto report = open_report(file, ExistingReport::refuse);
  std::string message;
  for (std::uint64_t seq = 1; message.empty(); ++seq) {
    ASSERT_LT(seq, 100000u) << "the disk never filled";
    try {
      report->write(row("w1", seq, seq % 3 ? RecordKind::log : RecordKind::outcome, seq, 1));
      if (seq % 7 == 0) report->flush();
    } catch (const WriteError& e) {
      message = e.what();
    }
  }
  const std::uint64_t rows = report->rows();
  EXPECT_GT(rows, 0u);
  EXPECT_EQ(message, "report " + file + ": No space left on device after " + std::to_string(rows) + " rows");
  EXPECT_EQ(report->path(), file);
  // It stays failed, with the same error.
  for (const auto& again : std::vector<std::function<void()>>{
           [&] { report->write(row("w1", 1000000, RecordKind::log, 1, 1)); }, [&] { report->flush(); },
           [&] { report->finish(); }, [&] { report->drop_outcomes({{3, 1}}); }}) {
    try {
      again();
      ADD_FAILURE() << "a write after the failure went through";
    } catch (const WriteError& e) {
      EXPECT_EQ(e.what(), message);
    }
  }
  EXPECT_EQ(report->rows(), rows);
  report.reset();

  ASSERT_EQ(std::remove(disk.path("filler").c_str()), 0);
  const std::string content = slurp(file);
  if (text()) {
    ASSERT_GE(content.size(), row_end().size());
    EXPECT_EQ(content.substr(content.size() - row_end().size()), row_end()) << "a row cut short at the end";
  }
  auto back = read_back(file);
  if (text()) {
    EXPECT_EQ(std::filesystem::file_size(file), content.size()) << "reading it back cut a row short";
  }
  ASSERT_EQ(back.size(), rows);
  std::sort(back.begin(), back.end(), [](const ReportRow& a, const ReportRow& b) { return a.seq < b.seq; });
  for (std::uint64_t i = 0; i < rows; ++i) ASSERT_EQ(back[i].seq, i + 1) << "the rows kept are the first ones";
}

TEST_P(ReportFileTest, AFullBufferThatCannotBeWrittenFailsTheWrite) {
  testing::SmallDisk disk(200 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  const std::string file = disk.path("report" + GetParam());
  auto report = open_report(file, ExistingReport::refuse);
  std::string message;
  for (std::uint64_t seq = 1; message.empty(); ++seq) {  // never flushed: the buffer fills
    ASSERT_LT(seq, 200000u) << "the disk never filled";
    try {
      report->write(row("w1", seq, RecordKind::log, seq, 1));
    } catch (const WriteError& e) {
      message = e.what();
    }
  }
  EXPECT_EQ(message, "report " + file + ": No space left on device after " + std::to_string(report->rows()) + " rows");
  EXPECT_EQ(report->rows(), 0u);  // nothing reached the file whole
  report.reset();
  if (text()) {
    EXPECT_EQ(std::filesystem::file_size(file), 0u);
  }
}

TEST_P(ReportFileTest, CompactionOnAFullDiskLeavesTheReportAsItWas) {
  testing::SmallDisk disk(200 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  const std::string file = disk.path("report" + GetParam());
  auto report = open_report(file, ExistingReport::refuse);
  for (std::uint64_t i = 1; i <= 60; ++i) {
    report->write(row("w1", 2 * i - 1, RecordKind::log, i, 1));
    report->write(row("w1", 2 * i, RecordKind::outcome, i, 1));
  }
  report->finish();
  const std::string before = slurp(file);
  use_up(disk);

  const std::vector<AssignmentRef> superseded{{2, 1}, {5, 1}, {9, 1}};
  try {
    report->drop_outcomes(superseded);
    FAIL() << "the compaction went through on a full disk";
  } catch (const WriteError& e) {
    EXPECT_EQ(std::string(e.what()), "report " + file +
                                         ": cannot remove 3 outcome row(s) of attempts that were run again: "
                                         "No space left on device");
  }
  const std::string after = slurp(file);
  EXPECT_TRUE(after == before) << "the report changed: " << before.size() << " bytes before, " << after.size()
                               << " after";
  EXPECT_FALSE(exists(file + ".compacting"));
  EXPECT_EQ(report->rows(), 120u);

  // Still the report's writer: with room again it goes on, and compacts.
  ASSERT_EQ(std::remove(disk.path("filler").c_str()), 0);
  ASSERT_EQ(std::remove(disk.path("last").c_str()), 0);
  report->write(row("w1", 121, RecordKind::log, 61, 1));
  EXPECT_EQ(report->drop_outcomes(superseded), 3u);
  report->finish();
  EXPECT_EQ(report->rows(), 118u);
  report.reset();
  EXPECT_EQ(read_back(file).size(), 118u);
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

// A report of a ramify from before the timing columns is continued: it gets them.
TEST(SqliteReport, AnOlderReportWithoutTheTimingColumnsIsContinued) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "old.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* old_columns =
      "container_type TEXT, container_id TEXT, label TEXT, err TEXT, msg TEXT, resolved INTEGER, search_key TEXT,"
      " severity TEXT, ts TEXT, worker TEXT, seq INTEGER, assignment INTEGER, attempt INTEGER, run TEXT, results TEXT";
  for (const std::string& sql : {std::string("CREATE TABLE outcomes (status TEXT, ") + old_columns + ")",
                                std::string("CREATE TABLE logs (") + old_columns + ")",
                                std::string("INSERT INTO outcomes (status, container_id, seq, run) VALUES "
                                            "('ok', 'a', 1, 'run1')")})
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);

  std::vector<ReportRow> existing;
  {
    auto report = open_report(path, ExistingReport::append, [&](const ReportRow& r) { existing.push_back(r); });
    report->write(row("w", 2, RecordKind::outcome, 1, 1));
    report->finish();
  }
  ASSERT_EQ(existing.size(), 1u);
  EXPECT_EQ(existing[0].record.start_us, 0);
  const auto rows = read_back(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].record.start_us, row("w", 2, RecordKind::outcome, 1, 1).record.start_us);
  EXPECT_EQ(rows[1].record.duration_us, 2500123);
}

TEST(ReportPath, ADirectoryIsNoReport) {
  testing::TempDir dir;
  const std::string path = dir.mkdir("r.jsonl");
  for (const auto existing : {ExistingReport::refuse, ExistingReport::replace, ExistingReport::append})
    EXPECT_EQ(config_error([&] { open_report(path, existing); }), "report " + path + " is a directory");
  EXPECT_EQ(config_error([&] { check_report_path(path, true); }), "report " + path + " is a directory");
}

TEST(ReportPath, AMissingFolderIsNamed) {
  testing::TempDir dir;
  for (const std::string name : {"r.jsonl", "r.csv", "r.db"}) {
    const std::string path = (dir.path() / "missing" / name).string();
    const std::string message = "cannot create report " + path + ": No such file or directory";
    EXPECT_EQ(config_error([&] { open_report(path, ExistingReport::refuse); }), message);
    EXPECT_EQ(config_error([&] { check_report_path(path, true); }), message);
  }
  EXPECT_FALSE(exists((dir.path() / "missing").string()));
}

TEST(ReportPath, AnExistingReportIsRefusedUnlessReplaced) {
  testing::TempDir dir;
  const std::string path = dir.write("r.jsonl", "");
  EXPECT_EQ(config_error([&] { open_report(path, ExistingReport::refuse); }),
            "report " + path + " already exists (use --force to replace it, or --append to continue it)");
  EXPECT_EQ(config_error([&] { check_report_path(path, false); }),
            "report " + path + " already exists (use --force to replace it)");
  EXPECT_NO_THROW(check_report_path(path, true));
}

TEST(ReportPath, CheckingCreatesNothing) {
  testing::TempDir dir;
  for (const std::string name : {"r.jsonl", "r.csv", "r.db"}) {
    const std::string path = (dir.path() / name).string();
    EXPECT_NO_THROW(check_report_path(path, false));
    EXPECT_NO_THROW(check_report_path(path, true));
    EXPECT_FALSE(exists(path));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// Root writes into a read-only folder anyway, so as root the check runs in a
// child process that is nobody.
TEST(ReportPath, AReadOnlyFolderIsNamed) {
  testing::TempDir dir;
  const std::string folder = dir.mkdir("read-only");
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_exec);
  std::filesystem::permissions(folder, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                                           std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  const std::string writable = dir.mkdir("writable");  // the control: the same path, but writable
  std::filesystem::permissions(writable, std::filesystem::perms::all);
  const std::string path = folder + "/r.jsonl";
  const std::string message = "cannot create report " + path + ": Permission denied";
  const auto check = [&] {
    return config_error([&] { open_report(path, ExistingReport::refuse); }) == message &&
           config_error([&] { check_report_path(path, true); }) == message && !exists(path) &&
           config_error([&] { check_report_path(writable + "/r.jsonl", false); }).empty();
  };
  if (geteuid() != 0) {
    EXPECT_TRUE(check());
    return;
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
    _exit(check() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "running as root, and cannot become nobody to see permissions";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "expected: " << message;
}

}  // namespace
}  // namespace ramify
