// Incremental re-curation with a state store, through `ramify run` and its
// worker processes: an unchanged rerun curates nothing and its report is
// still complete (every row cached); a changed file, a changed command of one
// level, a failed node and a deleted file are curated again or reported, and
// nothing else is.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"
#include "util/json_reader.hpp"

namespace ramify {
namespace {

using testing::result;
using testing::TempDir;

std::string result_text(const JsonValue& row, const char* key) {
  const JsonValue* value = result(row, key);
  return value ? value->text : "";
}

bool cached(const JsonValue& row) {
  const JsonValue* value = result(row, "cached");
  return value && value->type == JsonValue::Type::boolean && value->boolean;
}

// A study of 3 subjects x 1 session x 3 files; every command appends the
// node's id (its path below the study) to curated.log, so the test sees which
// nodes were curated.
class IncrementalRun : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int s = 1; s <= 3; ++s)
      for (const char* f : {"a", "b", "c"})
        dir.write("study/sub-0" + std::to_string(s) + "/ses-1/" + f + ".txt", std::to_string(s) + f);
  }

  std::string path(const std::string& relative) const { return (dir.path() / relative).string(); }

  std::string command(const std::string& tag = "") const {
    return "sh -c 'echo \"$0" + tag + "\" >> " + path("curated.log") + "' {id}";
  }

  // One run with the state store; `session_tag` changes the session level's command.
  testing::CommandResult run(const std::string& report, const std::string& session_tag = "",
                             std::vector<std::string> more = {}) {
    std::filesystem::remove(path("curated.log"));
    std::vector<std::string> args{"run",       path("study"),
                                  "--levels",  "project,subject,session",
                                  "--workers", "2",
                                  "--state",   path("state.db"),
                                  "--report",  path(report),
                                  "--exec",    "project=" + command(),
                                  "--exec",    "subject=" + command(),
                                  "--exec",    "session=" + command(session_tag),
                                  "--exec",    "file=" + command()};
    args.insert(args.end(), more.begin(), more.end());
    auto result = testing::run_ramify(args, dir.str());
    EXPECT_FALSE(result.timed_out);
    return result;
  }

  std::set<std::string> curated() const {
    std::set<std::string> lines;
    std::ifstream in(path("curated.log"));
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
  }

  // Outcome rows by node id; each node must have exactly one.
  std::map<std::string, JsonValue> outcomes(const std::string& report) const {
    std::map<std::string, JsonValue> by_id;
    for (const JsonValue& row : testing::outcomes(testing::read_report(path(report)))) {
      const bool fresh = by_id.emplace(row.get("container_id"), row).second;
      EXPECT_TRUE(fresh) << "two outcome rows for " << row.get("container_id");
    }
    return by_id;
  }

  static std::set<std::string> not_cached(const std::map<std::string, JsonValue>& rows) {
    std::set<std::string> ids;
    for (const auto& [id, row] : rows)
      if (!cached(row)) ids.insert(id);
    return ids;
  }

  TempDir dir;
};

TEST_F(IncrementalRun, AnUnchangedRerunCuratesNothingAndItsReportIsCompleteAndCached) {
  auto first = run("first.jsonl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(curated().size(), 16u);
  EXPECT_NE(first.out.find("since the last run: 16 node(s) curated (16 new), 0 carried over (cached), 0 removed"),
            std::string::npos)
      << first.out;

  auto again = run("again.jsonl");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(curated().empty()) << "curated again: " << *curated().begin();
  const auto before = outcomes("first.jsonl");
  const auto after = outcomes("again.jsonl");
  ASSERT_EQ(after.size(), 16u);
  for (const auto& [id, row] : after) {
    EXPECT_TRUE(cached(row)) << id << " is not cached";
    ASSERT_TRUE(before.count(id)) << id;
    EXPECT_EQ(row.get("status"), before.at(id).get("status")) << id;
    EXPECT_EQ(row.get("started"), before.at(id).get("started")) << id << ": the last outcome, unchanged";
  }
  EXPECT_NE(again.out.find("since the last run: 0 node(s) curated (0 new), 16 carried over (cached), 0 removed"),
            std::string::npos)
      << again.out;
}

TEST_F(IncrementalRun, ATouchedFileIsCuratedAgainWithItsAncestorsInItsAssignmentOnly) {
  auto first = run("first.jsonl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  dir.write("study/sub-02/ses-1/b.txt", "changed");
  auto again = run("again.jsonl");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::set<std::string> expected{"sub-02", "sub-02/ses-1", "sub-02/ses-1/b.txt"};
  EXPECT_EQ(curated(), expected);
  const auto rows = outcomes("again.jsonl");
  EXPECT_EQ(rows.size(), 16u);
  EXPECT_EQ(not_cached(rows), (std::set<std::string>{"sub-02", "sub-02/ses-1", "sub-02/ses-1/b.txt"}));
}

TEST_F(IncrementalRun, ChangingOneLevelsCommandCuratesExactlyThatLevelAgain) {
  auto first = run("first.jsonl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = run("again.jsonl", " v2");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::set<std::string> expected{"sub-01/ses-1 v2", "sub-02/ses-1 v2", "sub-03/ses-1 v2"};
  EXPECT_EQ(curated(), expected);
  EXPECT_EQ(not_cached(outcomes("again.jsonl")),
            (std::set<std::string>{"sub-01/ses-1", "sub-02/ses-1", "sub-03/ses-1"}));
}

TEST_F(IncrementalRun, AFailedNodeIsCuratedAgain) {
  // b.txt of sub-03 fails while the file "broken" exists.
  const std::string file_command = "sh -c 'echo \"$0\" >> " + path("curated.log") +
                                   "; case \"$0\" in sub-03/ses-1/b.txt) test ! -e " + path("broken") + ";; esac' {id}";
  dir.write("broken", "");
  auto first = run("first.jsonl", "", {"--exec", "file=" + file_command, "--on-failure", "continue"});
  ASSERT_EQ(first.exit_code, 1) << first.err;
  EXPECT_EQ(outcomes("first.jsonl").at("sub-03/ses-1/b.txt").get("status"), "failed");

  std::filesystem::remove(path("broken"));
  auto again = run("again.jsonl", "", {"--exec", "file=" + file_command, "--on-failure", "continue"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(curated(), (std::set<std::string>{"sub-03", "sub-03/ses-1", "sub-03/ses-1/b.txt"}));
  const auto rows = outcomes("again.jsonl");
  EXPECT_EQ(rows.size(), 16u);
  EXPECT_EQ(rows.at("sub-03/ses-1/b.txt").get("status"), "ok");
}

TEST_F(IncrementalRun, ADeletedFileIsReportedRemovedAndANewOneCurated) {
  auto first = run("first.jsonl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::filesystem::remove(path("study/sub-01/ses-1/c.txt"));
  dir.write("study/sub-01/ses-1/d.txt", "new");
  auto again = run("again.jsonl");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(curated(), (std::set<std::string>{"sub-01", "sub-01/ses-1", "sub-01/ses-1/d.txt"}));
  const auto rows = outcomes("again.jsonl");
  EXPECT_FALSE(rows.count("sub-01/ses-1/c.txt"));
  EXPECT_TRUE(rows.count("sub-01/ses-1/d.txt"));
  std::size_t removed = 0;
  for (const JsonValue& row : testing::read_report(path("again.jsonl")))
    if (row.get("msg") == "removed since the last run") {
      ++removed;
      EXPECT_EQ(row.get("container_id"), "sub-01/ses-1/c.txt");
    }
  EXPECT_EQ(removed, 1u);
  EXPECT_NE(again.out.find("3 node(s) curated (1 new), 13 carried over (cached), 1 removed"), std::string::npos)
      << again.out;

  // The store forgot it: the next run removes nothing more.
  auto third = run("third.jsonl");
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("0 node(s) curated (0 new), 16 carried over (cached), 0 removed"), std::string::npos)
      << third.out;
}

TEST_F(IncrementalRun, RerunAllCuratesEverythingAndRefreshesTheStore) {
  auto first = run("first.jsonl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto all = run("all.jsonl", "", {"--rerun", "all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(curated().size(), 16u);
  EXPECT_TRUE(not_cached(outcomes("all.jsonl")).size() == 16u);
  auto again = run("again.jsonl");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(curated().empty());
}

// A manifest's nodes are fingerprinted by what the manifest says of them.
TEST_F(IncrementalRun, AManifestNodeWhoseAttributesChangedIsCuratedAgain) {
  auto manifest = [&](const std::string& checksum) {
    std::ofstream out(path("m.jsonl"));
    out << "{\"id\":\"p\",\"parent\":null,\"level\":\"project\"}\n";
    for (int s = 1; s <= 3; ++s) {
      const std::string subject = "p/s" + std::to_string(s);
      out << "{\"id\":\"" << subject << "\",\"parent\":\"p\",\"level\":\"subject\"}\n";
      for (int f = 1; f <= 2; ++f)
        out << "{\"id\":\"" << subject << "/f" << f << "\",\"parent\":\"" << subject
            << "\",\"level\":\"file\",\"attrs\":{\"size\":10,\"sha256\":\"" << (s == 2 && f == 2 ? checksum : "aa")
            << "\"}}\n";
    }
  };
  auto run_manifest = [&](const std::string& report) {
    auto result = testing::run_ramify({"run", "--manifest", path("m.jsonl"), "--levels", "project,subject", "--workers",
                                       "2", "--state", path("state.db"), "--report", path(report)},
                                      dir.str());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return outcomes(report);
  };
  manifest("aa");
  EXPECT_EQ(not_cached(run_manifest("first.jsonl")).size(), 10u);
  EXPECT_TRUE(not_cached(run_manifest("again.jsonl")).empty());
  manifest("bb");
  const auto rows = run_manifest("changed.jsonl");
  EXPECT_EQ(rows.size(), 10u);
  EXPECT_EQ(not_cached(rows), (std::set<std::string>{"p/s2", "p/s2/f2"}));
}

// A manifest's assignment that a run did without a failure, and whose nodes,
// commands and rules are as they were, is carried whole by the broker: its
// nodes are not sent. A change, a failure, or a rerun = failed (which carries
// what changed) leaves it to be compared node by node next time.
TEST_F(IncrementalRun, UnchangedManifestAssignmentsAreCarriedWholeAndNothingElseIs) {
  std::map<std::string, std::string> checksums;  // file id -> its sha256 attribute
  for (int s = 1; s <= 3; ++s)
    for (int f = 1; f <= 2; ++f) checksums["p/s" + std::to_string(s) + "/f" + std::to_string(f)] = "aa";
  auto manifest = [&] {
    std::ofstream out(path("m.jsonl"));
    out << "{\"id\":\"p\",\"parent\":null,\"level\":\"project\"}\n";
    for (int s = 1; s <= 3; ++s)
      out << "{\"id\":\"p/s" << s << "\",\"parent\":\"p\",\"level\":\"subject\"}\n";
    for (const auto& [id, sum] : checksums)
      out << "{\"id\":\"" << id << "\",\"parent\":\"" << id.substr(0, 4)
          << "\",\"level\":\"file\",\"attrs\":{\"size\":10,\"sha256\":\"" << sum << "\"}}\n";
  };
  // p/s2/f1 fails while the file "broken" exists.
  const std::string file_command = "sh -c 'echo \"$0\" >> " + path("curated.log") +
                                   "; case \"$0\" in p/s2/f1) test ! -e " + path("broken") + ";; esac' {id}";
  struct Rerun {
    int exit_code;
    std::size_t carried_whole;  // assignments, as the broker says
    std::map<std::string, JsonValue> rows;
  };
  auto run_manifest = [&](const std::string& report, std::vector<std::string> more = {}) {
    std::filesystem::remove(path("curated.log"));
    std::vector<std::string> args{"run", "--manifest", path("m.jsonl"), "--levels", "project,subject", "--workers",
                                  "2", "--state", path("state.db"), "--report", path(report), "-v",
                                  "--exec", "project=" + command(), "--exec", "subject=" + command(),
                                  "--exec", "file=" + file_command, "--on-failure", "continue"};
    args.insert(args.end(), more.begin(), more.end());
    auto result = testing::run_ramify(args, dir.str());
    EXPECT_FALSE(result.timed_out);
    Rerun rerun{result.exit_code, 0, outcomes(report)};
    const std::string said = " assignment(s) unchanged since the last run: carried whole";
    const auto at = result.err.find(said);
    if (at != std::string::npos) {
      const auto start = result.err.find_last_not_of("0123456789", at - 1) + 1;
      rerun.carried_whole = std::stoul(result.err.substr(start, at - start));
    }
    EXPECT_EQ(rerun.rows.size(), 10u) << report;
    return rerun;
  };
  manifest();
  dir.write("broken", "");
  auto first = run_manifest("first.jsonl");
  EXPECT_EQ(first.exit_code, 1);
  EXPECT_EQ(first.carried_whole, 0u);
  EXPECT_EQ(first.rows.at("p/s2/f1").get("status"), "failed");

  // The failed node's assignment is compared node by node: the node is curated again.
  std::filesystem::remove(path("broken"));
  auto mended = run_manifest("mended.jsonl");
  EXPECT_EQ(mended.exit_code, 0);
  EXPECT_EQ(mended.carried_whole, 3u);  // the project's and two subjects'
  EXPECT_EQ(curated(), (std::set<std::string>{"p/s2", "p/s2/f1"}));
  EXPECT_EQ(not_cached(mended.rows), curated());

  auto unchanged = run_manifest("unchanged.jsonl");
  EXPECT_EQ(unchanged.exit_code, 0);
  EXPECT_EQ(unchanged.carried_whole, 4u);
  EXPECT_TRUE(curated().empty());
  EXPECT_TRUE(not_cached(unchanged.rows).empty());
  for (const auto& [id, row] : unchanged.rows) EXPECT_EQ(row.get("status"), "ok") << id;

  checksums["p/s3/f2"] = "bb";
  manifest();
  auto changed = run_manifest("changed.jsonl");
  EXPECT_EQ(changed.carried_whole, 3u);
  EXPECT_EQ(curated(), (std::set<std::string>{"p/s3", "p/s3/f2"}));
  EXPECT_EQ(not_cached(changed.rows), curated());

  // rerun = failed carries a changed node: the next run still sees the change.
  checksums["p/s1/f1"] = "cc";
  manifest();
  auto failed_only = run_manifest("failed-only.jsonl", {"--rerun", "failed"});
  EXPECT_EQ(failed_only.exit_code, 0);
  EXPECT_TRUE(curated().empty());
  auto after = run_manifest("after.jsonl");
  EXPECT_EQ(after.carried_whole, 3u);
  EXPECT_EQ(curated(), (std::set<std::string>{"p/s1", "p/s1/f1"}));

  // A changed command of one level: no assignment stands as it was.
  auto recommanded = run_manifest("recommanded.jsonl", {"--exec", "subject=" + command("-v2")});
  EXPECT_EQ(recommanded.carried_whole, 0u);
  EXPECT_EQ(curated(), (std::set<std::string>{"p/s1-v2", "p/s2-v2", "p/s3-v2"}));
}

// Inventory rolls subtree totals up in leave(): after a partial rerun, every
// container's totals (curated again, or carried over) and the run's
// finalize_run lines are what a full run says.
TEST_F(IncrementalRun, RollUpsOfAPartialRerunEqualAFullRuns) {
  auto inventory = [&](const std::string& report, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"run",       path("study"), "--levels",  "project,subject,session",
                                  "--workers", "2",           "--state",   path("state.db"),
                                  "--report",  path(report),  "--curator", "inventory"};
    args.insert(args.end(), more.begin(), more.end());
    auto result = testing::run_ramify(args, dir.str());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    if (report == "partial.jsonl") {  // the subject, its session and the file; the rest carried
      EXPECT_NE(result.out.find("3 node(s) curated (0 new), 13 carried over"), std::string::npos) << result.out;
    }
    std::map<std::string, std::string> totals;  // container -> "nodes files bytes"; "run" -> the results lines
    for (const JsonValue& row : testing::read_report(path(report))) {
      if (row.get("msg") == "subtree summary")
        totals[row.get("container_id")] =
            result_text(row, "nodes") + " " + result_text(row, "files") + " " + result_text(row, "bytes");
      if (row.get("worker") == "broker") totals["run:" + row.get("container_id")] = row.get("msg");
    }
    return totals;
  };
  inventory("first.jsonl");
  dir.write("study/sub-02/ses-1/b.txt", "a longer content than before");
  const auto partial = inventory("partial.jsonl");
  const auto full = inventory("full.jsonl", {"--rerun", "all"});
  EXPECT_EQ(partial, full);
  EXPECT_EQ(partial.at("sub-02").substr(0, 4), "5 3 ");
  EXPECT_NE(partial.at("sub-02"), partial.at("sub-01"));  // the longer file
}

}  // namespace
}  // namespace ramify
