// A full disk under the report, during the report's compaction, and under
// the broker's journal: the run exits 1 with one line naming the file and the
// cause, every row already written stays whole, and a complete report is
// never replaced by a shorter one. Full disks are small tmpfs mounts (root;
// skipped otherwise).

#include <sqlite3.h>

#include "faults/fault_support.hpp"
#include "support/small_disk.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::FaultStudy;
using testing::SmallDisk;

// Each file command prints `lines` lines of about 100 bytes: reports grow fast.
std::string chatty_file_command(const FaultStudy& study, int lines, const std::string& then = "") {
  return "file=sh -c 'mktemp \"$0/p.XXXXXX\" > /dev/null; i=0; while [ $i -lt " + std::to_string(lines) +
         " ]; do echo \"did $1 line $i ......................................................................\"; "
         "i=$((i+1)); done; " +
         then + "' " + study.progress + " {id}";
}

// Rows of an SQLite report, or -1 when it cannot be read.
long long sqlite_rows(const std::string& path) {
  sqlite3* db = nullptr;
  long long rows = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM outcomes) + (SELECT count(*) FROM logs)", -1, &stmt,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      rows = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

class DiskFullUnderTheReport : public ::testing::TestWithParam<std::string> {};

TEST_P(DiskFullUnderTheReport, FailsTheRunWithTheCauseAndKeepsEveryRowWhole) {
  SmallDisk disk(200 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  FaultStudy study(10, 40);
  const std::string report = disk.path("r" + GetParam());
  auto result = testing::run_ramify({"run", "--root", study.root, "--levels", "project,subject", "--exec",
                                     "project=true", "--exec", "subject=true", "--exec", chatty_file_command(study, 3),
                                     "--report", report, "-q"},
                                    study.dir.str(), 60s);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const std::string last = testing::last_line(result.err);
  EXPECT_NE(last.find("report " + report + ": No space left on device after "), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find(": ok"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("report NOT complete"), std::string::npos) << result.out;
  // What is in the report is whole: the number the message gives, every row readable.
  const auto after = last.find("after ");
  ASSERT_NE(after, std::string::npos);
  const long long said = std::stoll(last.substr(after + 6));
  if (GetParam() == ".jsonl") {
    EXPECT_EQ(static_cast<long long>(testing::whole_rows(report).size()), said);
  } else if (GetParam() == ".db") {
    EXPECT_EQ(sqlite_rows(report), said);
  } else {
    std::ifstream in(report, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "the CSV report ends inside a row";
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, DiskFullUnderTheReport, ::testing::Values(".jsonl", ".csv", ".db"),
                         [](const auto& param_info) { return param_info.param.substr(1); });

TEST(Faults, ADiskFullDuringCompactionKeepsTheCompleteReport) {
  SmallDisk disk(8 << 20);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  FaultStudy study(6, 12);
  const std::string report = disk.path("r.jsonl");
  const std::string gate = (study.dir.path() / "gate").string();
  // The last file of sub-3 (byte order) waits for the gate: the test fills the
  // disk while only it is left.
  const std::string wait_at_the_gate =
      "case $1 in sub-3/f9.txt) while [ ! -e " + gate + " ]; do sleep 0.02; done;; esac; sleep 0.05";
  Background run(study.dir.str(), "run",
                 {"run", "--root", study.root, "--levels", "project,subject", "--exec", "project=true", "--exec",
                  "subject=true", "--exec", chatty_file_command(study, 20, wait_at_the_gate), "--set",
                  "job.heartbeat=0.2", "--workers", "3", "--concurrency", "1", "--report", report, "-q"});
  // A worker killed mid-run: its assignment runs again, and its outcome rows must go.
  ASSERT_TRUE(eventually([&] { return study.marks() >= 10; }, 30s)) << run.err();
  pid_t victim = 0;
  ASSERT_TRUE(eventually([&] { return (victim = testing::busy_worker(study.progress)) != 0; }, 10s))
      << "no worker runs a command; the run says: " << run.err();
  ::kill(victim, SIGKILL);
  ASSERT_TRUE(eventually([&] { return testing::outcome_counts(testing::whole_rows(report)).size() == study.nodes - 1; },
                         60s))
      << run.err();
  // Every node but the one at the gate has its row: room for the last rows, not for a copy.
  disk.fill("filler", testing::file_size(report) / 2);
  const auto before = testing::whole_rows(report).size();
  std::ofstream(gate).put('x');
  auto status = run.wait_for(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1) << run.out() << run.err();
  EXPECT_NE(testing::last_line(run.err()).find("cannot remove"), std::string::npos) << run.err();
  EXPECT_NE(testing::last_line(run.err()).find("No space left on device"), std::string::npos) << run.err();
  // The report is the one written before the compaction: whole, every node in it.
  const auto rows = testing::whole_rows(report);
  EXPECT_GT(rows.size(), before);
  EXPECT_EQ(testing::outcome_counts(rows).size(), study.nodes);
}

TEST(Faults, ADiskFullUnderTheJournalFailsTheRunWithTheCause) {
  SmallDisk disk(1 << 20);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  FaultStudy study(8, 6);
  const std::string journal = disk.path("journal.db");
  auto args = study.job("0.1");
  args.insert(args.begin(), {"run", "--workers", "2", "--concurrency", "1", "--report", study.report, "--set",
                             "job.journal=" + journal, "-q"});
  Background run(study.dir.str(), "run", args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 8; }, 30s)) << run.err();
  disk.fill("filler");
  const auto filled_at = std::chrono::steady_clock::now();
  auto status = run.wait_for(30s);
  ASSERT_TRUE(status.has_value()) << "the run did not end after its journal's disk filled";
  EXPECT_LT(std::chrono::steady_clock::now() - filled_at, 15s);
  EXPECT_EQ(*status, 1) << run.err();
  EXPECT_NE(testing::last_line(run.err()).find("journal " + journal + ": database or disk is full"),
            std::string::npos)
      << run.err();
  // No failure of a node: the line does not count any ("failed: 0 failure(s); first: journal ..." it said).
  EXPECT_EQ(testing::last_line(run.err()).find("failure(s)"), std::string::npos) << run.err();
  // What was written is whole, and no node has two outcomes.
  for (const auto& [id, count] : testing::outcome_counts(testing::whole_rows(study.report))) EXPECT_EQ(count, 1) << id;
}

}  // namespace
}  // namespace ramify
