// The progress line tells the truth: its node count moves per node (not per
// finished assignment), and a stopped run says it stops and counts only what
// is really done (it used to say "assignments 17/17 done ... ETA 0:00").

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
using testing::Background;
using testing::eventually;
using testing::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Progress, TheNodeCountMovesWhileAnAssignmentRuns) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 1, 30);  // one subject: one long assignment
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--exec", "file=sleep 0.1",
                                     "--workers", "1", "--concurrency", "1", "--progress", "plain",
                                     "--progress-interval", "0.2", "--set", "job.heartbeat=0.25"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::regex during(R"(^progress: assignments 1/2 done, 1 running \| nodes (\d+) .*)");
  std::vector<std::uint64_t> counts;
  for (const auto& line : result.err_lines) {
    std::smatch match;
    if (std::regex_match(line, match, during)) counts.push_back(std::stoull(match[1]));
  }
  ASSERT_FALSE(counts.empty()) << result.err;
  EXPECT_TRUE(std::is_sorted(counts.begin(), counts.end())) << result.err;
  // About 3 s in one assignment: the count moved at least 4 times on the way.
  EXPECT_GE(std::set<std::uint64_t>(counts.begin(), counts.end()).size(), 5u) << result.err;
}

TEST(Progress, AStoppedRunSaysItStopsAndCountsOnlyWhatIsDone) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 6, 10);
  const std::string marks = dir.mkdir("marks");
  Background run(dir.str(), "run",
                 {"run", "--root", root, "--levels", "project,subject", "--exec",
                  "file=sh -c 'mktemp \"$0/m.XXXXXX\" > /dev/null; sleep 0.2' " + marks, "--workers", "2",
                  "--concurrency", "1", "--progress", "plain", "--progress-interval", "0.1", "--report",
                  dir.str() + "/r.jsonl"});
  ASSERT_TRUE(eventually([&] { return testing::count_files(marks) >= 4; }, 30s)) << run.err();
  run.signal(SIGINT);
  auto status = run.wait_for(20s);
  ASSERT_TRUE(status.has_value()) << run.err();
  EXPECT_EQ(*status, 130) << run.err();

  std::vector<std::string> progress;
  for (const auto& line : lines_of(run.err()))
    if (line.rfind("progress: ", 0) == 0) progress.push_back(line);
  ASSERT_FALSE(progress.empty()) << run.err();
  const std::string& last = progress.back();
  const std::regex aborted(
      R"(^progress: aborted, stopped by SIGINT \| assignments (\d+)/7 done, 0 running, (\d+) not run \| nodes \d+ .*)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(last, match, aborted)) << last;
  const std::uint64_t done = std::stoull(match[1]), not_run = std::stoull(match[2]);
  EXPECT_LT(done, 7u);
  EXPECT_EQ(done + not_run, 7u);
  EXPECT_EQ(last.find("ETA"), std::string::npos);
  // From the stop on, no line promises an ETA.
  bool stopping = false;
  for (const auto& line : progress) {
    if (line.find("stopped by SIGINT") != std::string::npos) stopping = true;
    if (stopping) {
      EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace ramify
