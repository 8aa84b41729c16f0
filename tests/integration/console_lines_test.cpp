// What `ramify run` prints tells the truth, once: every failure one line;
// the summary's list says how many more there are; findings show their text
// and are counted; a subtree summary shows its figures; the console names a
// node as the report does; a stopped run's lines make sense.

#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <set>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

std::size_t lines_with(const std::vector<std::string>& lines, const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

// The node a record's console line names: "HH:MM:SS.mmm TAG     NODE: text"
// (a daemon's own lines name it in brackets: "... error [broker] run ...").
std::optional<std::string> node_of(const std::string& line) {
  static const std::regex shape(R"(^\d\d:\d\d:\d\d\.\d\d\d (\S+) +([^:\[][^:]*): .*)");
  std::smatch match;
  if (!std::regex_match(line, match, shape)) return std::nullopt;
  return match[2].str();
}

TEST(ConsoleLines, AFailureThatKillsTheRunIsPrintedOnce) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 4, 3);
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--exec",
                                     "file=sh -c 'case \"$1\" in sub-2/f2.txt) echo broken >&2; exit 3;; esac' sh {id}",
                                     "--workers", "2", "--report", dir.str() + "/r.jsonl"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 1) << result.err;
  // The FAILED line, and the last line that says why the run failed; nothing in between repeats it.
  EXPECT_EQ(lines_with(result.err_lines, "sub-2/f2.txt: sh: exit code 3"), 1u) << result.err;
  EXPECT_EQ(lines_with(result.err_lines, "FAILED  sub-2/f2.txt: sh: exit code 3 (broken)"), 1u) << result.err;
  // The broker's last line says why the run failed (a worker that started late may still say it leaves after it).
  const auto last_broker_line = std::find_if(result.err_lines.rbegin(), result.err_lines.rend(), [](const std::string& l) {
    return l.find("[broker]") != std::string::npos;
  });
  ASSERT_NE(last_broker_line, result.err_lines.rend()) << result.err;
  EXPECT_NE(last_broker_line->find("failed: 1 failure(s); first: sub-2/f2.txt (file): sh: exit code 3"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(lines_with(result.err_lines, "run aborted: a node failed (on_failure = kill); stopping every worker"), 1u)
      << result.err;
}

TEST(ConsoleLines, EachFailureIsPrintedOnceAndTheSummarySaysHowManyMore) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 4, 3);  // f1 of every subject fails: 4 failures
  auto result = testing::run_ramify(
      {"run", "--root", root, "--levels", "project,subject", "--exec",
       "file=sh -c 'case \"$1\" in *f1.txt) exit 3;; esac' sh {id}", "--on-failure", "continue", "--workers", "2",
       "--report", dir.str() + "/r.jsonl"},
      dir.str());
  ASSERT_EQ(result.exit_code, 1) << result.err;
  for (int s = 1; s <= 4; ++s) {
    const std::string id = "sub-" + std::to_string(s) + "/f1.txt";
    EXPECT_EQ(lines_with(result.err_lines, "FAILED  " + id + ": sh: exit code 3"), 1u) << result.err;
    EXPECT_EQ(lines_with(result.err_lines, id) - (result.err_lines.back().find(id) != std::string::npos ? 1 : 0), 1u)
        << id << " is printed more than once:\n" << result.err;
  }
  // Five listed at most: here all four, so no "more".
  EXPECT_EQ(result.out.find("more failure(s)"), std::string::npos) << result.out;

  // Twelve failures: five listed, and the seven others counted.
  TempDir other;
  const std::string twelve_files = testing::make_tree(other, 12, 1);
  auto twelve = testing::run_ramify({"run", "--root", twelve_files, "--levels", "project,subject", "--exec",
                                     "file=false", "--on-failure", "continue", "--workers", "2", "-q"},
                                    other.str());
  ASSERT_EQ(twelve.exit_code, 1) << twelve.err;
  EXPECT_NE(twelve.out.find("   and 7 more failure(s): 12 in all"), std::string::npos) << twelve.out;
}

TEST(ConsoleLines, FindingsShowTheirTextAndTheSummaryCountsThem) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 3, 1);  // sub-1, sub-2, sub-3: none matches sub-0[1-9]
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "validate",
                                     "--set", "validate.subject=^sub-0[1-9]$", "--workers", "1", "--report",
                                     dir.str() + "/r.jsonl"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(lines_with(result.err_lines, "finding: subject label 'sub-"), 3u) << result.err;
  EXPECT_EQ(lines_with(result.err_lines, "sub-2: finding: subject label 'sub-2' does not match ^sub-0[1-9]$"), 1u)
      << result.err;
  EXPECT_NE(result.out.find(": ok (3 finding(s))"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("findings: 3 (log rows with msg \"finding\" in the report)"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  subject sub-1: subject label 'sub-1' does not match"), std::string::npos) << result.out;
}

TEST(ConsoleLines, ASubtreeSummaryShowsItsFigures) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 2, 3);  // one-byte files
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "inventory",
                                     "--workers", "1", "--report", dir.str() + "/r.jsonl"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::regex figures(R"(^.* info +sub-1: subtree summary nodes=4 files=3 bytes=\d+$)");
  EXPECT_EQ(std::count_if(result.err_lines.begin(), result.err_lines.end(),
                          [&](const std::string& l) { return std::regex_match(l, figures); }),
            1)
      << result.err;
}

TEST(ConsoleLines, TheConsoleNamesNodesAsTheReportDoes) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 3, 2);
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--exec",
                                     "file=sh -c 'echo \"$1\"; case \"$1\" in *f2.txt) exit 1;; esac' sh {label}",
                                     "--on-failure", "continue", "--workers", "2", "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 1) << result.err;
  std::set<std::string> ids;
  for (const auto& row : testing::read_report(report)) ids.insert(row.get("container_id"));
  std::size_t named = 0;
  for (const auto& line : result.err_lines) {
    auto node = node_of(line);
    if (!node) continue;
    ++named;
    EXPECT_TRUE(ids.count(*node)) << "the console names '" << *node << "', which the report does not: " << line;
  }
  EXPECT_GE(named, 9u) << result.err;  // 6 files log a line, 3 fail
  EXPECT_EQ(result.err.find(" p/sub-"), std::string::npos) << result.err;  // not the search key (root label first)
}

TEST(ConsoleLines, AStoppedRunSaysSoWithoutCountingFailuresItDidNotHave) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 4, 10);
  const std::string marks = dir.mkdir("marks");
  testing::Background run(dir.str(), "run",
                          {"run", "--root", root, "--levels", "project,subject", "--exec",
                           "file=sh -c 'mktemp \"$0/m.XXXXXX\" > /dev/null; sleep 0.2' " + marks, "--workers", "2",
                           "--concurrency", "1", "--report", dir.str() + "/r.jsonl"});
  ASSERT_TRUE(testing::eventually([&] { return testing::count_files(marks) >= 2; }, 30s)) << run.err();
  run.signal(SIGINT);
  auto status = run.wait_for(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 130) << run.err();
  EXPECT_EQ(run.err().find("0 failure(s)"), std::string::npos) << run.err();
  EXPECT_EQ(run.err().find("first: stopped by"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find("run aborted: stopped by SIGINT; stopping every worker"), std::string::npos) << run.err();
  std::istringstream lines(run.err());
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  EXPECT_NE(last.find("stopped by SIGINT"), std::string::npos) << run.err();
  EXPECT_NE(run.out().find(": stopped by SIGINT\n"), std::string::npos) << run.out();
}

}  // namespace
}  // namespace ramify
