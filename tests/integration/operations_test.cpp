// What operators use: ramify tail, ramify status, the report formats, progress.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <regex>
#include <set>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::TempDir;
using testing::ipc;
using testing::make_tree;

TEST(Operations, TailSeesEveryRecordItsFilterAdmits) {
  TempDir dir;
  const std::string root = make_tree(dir, 4, 5);
  const std::string report = (dir.path() / "r.jsonl").string();
  Background sink(dir.str(), "sink",
                  {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report", report, "-q"});
  Background tail(dir.str(), "tail", {"tail", "--sink", ipc(dir, "sink"), "--severity", "warning", "--json"});
  ASSERT_TRUE(eventually([&] { return sink.err().find("a tailer subscribed") != std::string::npos; }, 10s)) << sink.err();
  // Odd files warn on stderr, even files only print on stdout.
  Background broker(dir.str(), "broker",
                    {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels", "project,subject", "--exec",
                     "file=sh -c 'case \"$RAMIFY_LABEL\" in *[13579].txt) echo \"odd $RAMIFY_ID\" >&2;; *) echo even;; esac'"});
  Background worker(dir.str(), "worker", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink")});
  ASSERT_TRUE(broker.wait_for(60s).has_value());
  auto tail_status = tail.wait_for(10s);  // the tail leaves when the run ends
  ASSERT_TRUE(tail_status.has_value()) << tail.err();
  EXPECT_EQ(*tail_status, 0);

  std::multiset<std::string> expected, seen;
  for (const auto& row : testing::read_report(report))
    if (row.get("severity") == "warning" || row.get("severity") == "error")
      expected.insert(row.get("worker") + "/" + std::to_string(row.get_uint("seq")));
  std::istringstream lines(tail.out());
  for (std::string line; std::getline(lines, line);) {
    JsonValue row = parse_json(line);
    EXPECT_EQ(row.get("severity"), "warning") << line;
    seen.insert(row.get("worker") + "/" + std::to_string(row.get_uint("seq")));
  }
  EXPECT_EQ(expected.size(), 12u);  // 3 odd files in each of 4 subjects
  EXPECT_EQ(seen, expected);
}

// The broker's status, once it answers.
std::optional<JsonValue> status_json(const TempDir& dir) {
  auto result = testing::run_ramify({"status", "--broker", ipc(dir, "broker"), "--json"}, dir.str(), 10s);
  if (result.exit_code != 0) return std::nullopt;
  return parse_json(result.out);
}

TEST(Operations, StatusReportsLiveWorkersAndAssignmentsAndSeesAWorkerDie) {
  TempDir dir;
  const std::string root = make_tree(dir, 6, 10);
  Background broker(dir.str(), "broker",
                    {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels", "project,subject", "--exec",
                     "file=sleep 0.1", "--set", "job.heartbeat=0.2", "--no-sink"});
  Background w1(dir.str(), "w1", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j", "1",
                                  "--id", "first", "--flush-timeout", "0.1"});
  Background w2(dir.str(), "w2", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j", "1",
                                  "--id", "second", "--flush-timeout", "0.1"});
  JsonValue status;
  ASSERT_TRUE(eventually(
      [&] {
        auto answer = status_json(dir);
        if (!answer) return false;
        status = *answer;
        return status.get_uint("workers_alive") == 2 && status.find("assignments_by_state")->get_uint("running") >= 1;
      },
      20s));
  EXPECT_EQ(status.get("state"), "running");
  EXPECT_EQ(status.get_uint("assignments"), 7u);  // the root, then 6 subjects
  // A worker's id is its name, its pid and a random part: one per process.
  std::set<std::string> names;
  for (const auto& w : status.find("workers")->items) {
    names.insert(w.get("id").substr(0, w.get("id").find('-')));
    EXPECT_TRUE(w.find("alive")->boolean);
    EXPECT_EQ(w.get_uint("slots"), 1u);
  }
  EXPECT_EQ(names, (std::set<std::string>{"first", "second"}));

  w2.signal(SIGKILL);
  ASSERT_TRUE(eventually(
      [&] {
        auto answer = status_json(dir);
        if (!answer) return false;
        for (const auto& w : answer->find("workers")->items)
          if (w.get("id").starts_with("second-")) return !w.find("alive")->boolean;
        return false;
      },
      10s));
  EXPECT_TRUE(broker.wait_for(60s).has_value());
}

TEST(Operations, StatusFailsWhenNoDaemonAnswers) {
  TempDir dir;
  auto result = testing::run_ramify({"status", "--broker", ipc(dir, "nobody"), "--timeout", "0.3"}, dir.str(), 10s);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no answer"), std::string::npos);
}

TEST(Operations, CsvAndSqliteReportsHoldOneOutcomePerNode) {
  TempDir dir;
  const std::string root = make_tree(dir, 3, 4);  // 1 + 3 + 12 nodes
  const std::string csv = (dir.path() / "r.csv").string();
  ASSERT_EQ(testing::run_ramify({"run", "--root", root, "--report", csv}, dir.str()).exit_code, 0);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("container_type,container_id,label,err,msg,resolved,search_key", 0), 0u);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) rows += line.find(",outcome,") != std::string::npos;
  EXPECT_EQ(rows, 16u);

  const std::string db = (dir.path() / "r.db").string();
  ASSERT_EQ(testing::run_ramify({"run", "--root", root, "--report", db}, dir.str()).exit_code, 0);
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(handle, "SELECT count(*), count(DISTINCT container_id) FROM outcomes", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 16);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 16);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);

  // Neither is overwritten by a second run.
  for (const std::string& path : {csv, db}) {
    auto again = testing::run_ramify({"run", "--root", root, "--report", path}, dir.str());
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_NE(again.err.find("already exists"), std::string::npos);
  }
}

TEST(Operations, ProgressPrintsPlainLinesWhenNotOnATerminal) {
  TempDir dir;
  const std::string root = make_tree(dir, 4, 6);
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--exec",
                                     "file=sleep 0.05", "--workers", "1", "--concurrency", "1", "--progress-interval",
                                     "0.2"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::regex line(R"(^progress: assignments (\d+)/5 done, \d+ running \| nodes (\d+) \(\d+/s\) \| failures 0 \| workers \d+ \| ETA \S+$)");
  std::uint64_t previous_nodes = 0, lines = 0;
  for (const auto& text : result.err_lines) {
    std::smatch match;
    if (!std::regex_match(text, match, line)) continue;
    ++lines;
    const std::uint64_t nodes = std::stoull(match[2]);
    EXPECT_GE(nodes, previous_nodes);
    previous_nodes = nodes;
  }
  EXPECT_GE(lines, 3u) << result.err;  // about 1.2 s of work, a line every 0.2 s
  EXPECT_EQ(previous_nodes, 29u);      // the last line counts every node
  EXPECT_EQ(result.err.find("\r"), std::string::npos);  // no terminal line outside a terminal
}

}  // namespace
}  // namespace ramify
