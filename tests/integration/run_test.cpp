// `ramify run` end to end: the real binary, its real processes, ipc:// endpoints
// in the test's own temporary folder; every wait has a deadline.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// Every node id of a directory tree as ramify names them ("." for the root).
std::multiset<std::string> expected_ids(const std::filesystem::path& root) {
  std::multiset<std::string> ids{"."};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    ids.insert(std::filesystem::relative(entry.path(), root).string());
  return ids;
}

std::multiset<std::string> outcome_ids(const std::vector<JsonValue>& rows) {
  std::multiset<std::string> ids;
  for (const auto& row : testing::outcomes(rows)) ids.insert(row.get("container_id"));
  return ids;
}

// A study: 4 subjects x 2 sessions x 2 acquisitions x 3 files, plus hostile names.
std::string make_study(const TempDir& dir) {
  for (int s = 1; s <= 4; ++s)
    for (int e = 1; e <= 2; ++e)
      for (const char* acq : {"anat", "func"})
        for (int f = 1; f <= 3; ++f)
          dir.write("study/sub-0" + std::to_string(s) + "/ses-" + std::to_string(e) + "/" + acq + "/run-" +
                        std::to_string(f) + ".nii",
                    "data");
  for (const std::string name : {"with space.txt", "quote\"d'.txt", "-leading-dash.txt", "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb6" "de.txt",
                                 "bad\xff\xfe.txt", "new\nline.txt", "; rm -rf ~", "back\\slash.txt"})
    dir.write("study/sub-01/ses-1/anat/" + name, "x");
  dir.write("study/README", "top-level file");
  return (dir.path() / "study").string();
}

TEST(RamifyRun, NoopCuratesEveryNodeExactlyOnceWithNamesIntact) {
  TempDir dir;
  const std::string root = make_study(dir);
  const std::string report = (dir.path() / "report.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject,session,acquisition",
                                     "--curator", "noop", "--workers", "3", "--report", report},
                                    dir.str());
  ASSERT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto rows = testing::read_report(report);
  EXPECT_EQ(outcome_ids(rows), expected_ids(root));
  std::map<std::string, std::string> types;
  for (const auto& row : testing::outcomes(rows)) {
    EXPECT_EQ(row.get("status"), "ok");
    types[row.get("container_id")] = row.get("container_type");
  }
  EXPECT_EQ(types["."], "project");
  EXPECT_EQ(types["README"], "file");
  EXPECT_EQ(types["sub-01"], "subject");
  EXPECT_EQ(types["sub-01/ses-1"], "session");
  EXPECT_EQ(types["sub-01/ses-1/anat"], "acquisition");
  EXPECT_EQ(types["sub-01/ses-1/anat/bad\xff\xfe.txt"], "file");
  EXPECT_EQ(types["sub-01/ses-1/anat/new\nline.txt"], "file");
  EXPECT_NE(result.out.find("log records lost: 0"), std::string::npos) << result.out;
}

TEST(RamifyRun, BreadthOrderAndAManifestSourceWork) {
  TempDir dir;
  std::string manifest = "{\"id\":\"p\",\"parent\":null,\"level\":\"project\"}\n";
  std::set<std::string> ids{"p"};
  for (int s = 0; s < 5; ++s) {
    std::string subject = "p/s" + std::to_string(s);
    manifest += "{\"id\":\"" + subject + "\",\"parent\":\"p\",\"level\":\"subject\"}\n";
    ids.insert(subject);
    for (int f = 0; f < 20; ++f) {
      std::string file = subject + "/f" + std::to_string(f);
      manifest += "{\"id\":\"" + file + "\",\"parent\":\"" + subject + "\",\"level\":\"file\",\"attrs\":{\"size\":7}}\n";
      ids.insert(file);
    }
  }
  const std::string path = dir.write("m.jsonl", manifest);
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--manifest", path, "--levels", "project,subject", "--order", "breadth",
                                     "--workers", "2", "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> seen;
  for (const auto& row : testing::outcomes(testing::read_report(report))) EXPECT_TRUE(seen.insert(row.get("container_id")).second);
  EXPECT_EQ(seen, ids);
}

TEST(RamifyRun, ExecOutputBecomesLogRowsAndPlaceholdersAreArgvWords) {
  TempDir dir;
  dir.write("p/s1/hostile; rm -rf ~ $(id).txt", "x");
  dir.write("p/s1/plain.txt", "x");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify(
      {"run", "--root", (dir.path() / "p").string(), "--levels", "project,subject",
       "--exec", "file=sh -c 'echo \"label=$1 env=$RAMIFY_LABEL level=$RAMIFY_LEVEL\"; echo warned >&2' sh {label}",
       "--workers", "1", "--report", report},
      dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> logs;  // id -> (severity, msg)
  for (const auto& row : testing::read_report(report))
    if (row.get("kind") == "log") logs[row.get("container_id")].emplace_back(row.get("severity"), row.get("msg"));
  const std::string hostile = "s1/hostile; rm -rf ~ $(id).txt";
  ASSERT_EQ(logs[hostile].size(), 2u);
  EXPECT_EQ(logs[hostile][0],
            std::make_pair(std::string("info"),
                           std::string("label=hostile; rm -rf ~ $(id).txt env=hostile; rm -rf ~ $(id).txt level=file")));
  EXPECT_EQ(logs[hostile][1], std::make_pair(std::string("warning"), std::string("warned")));
  // Containers have no command: they are skipped, not failed.
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    EXPECT_EQ(row.get("status"), row.get("container_type") == "file" ? "ok" : "skipped") << row.get("container_id");
}

TEST(RamifyRun, AFailingCommandKillsTheRunAndEveryProcessWithinTwoSeconds) {
  TempDir dir;
  for (int s = 1; s <= 4; ++s)
    for (int f = 1; f <= 5; ++f) dir.write("p/sub-" + std::to_string(s) + "/f" + std::to_string(f) + ".txt", "x");
  dir.write("p/sub-3/bad.txt", "x");  // sorts before f*.txt: the first node of its subject
  const std::string marker = (dir.path() / "failed-at").string();
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify(
      {"run", "--root", (dir.path() / "p").string(), "--levels", "project,subject", "--workers", "3",
       "--concurrency", "2", "--report", report, "--exec",
       "file=sh -c 'if [ \"$RAMIFY_LABEL\" = bad.txt ]; then : > \"$0\"; echo broken >&2; exit 3; fi; exec sleep 30' " +
           marker},
      dir.str(), 60s);
  ASSERT_FALSE(result.timed_out) << result.err;
  EXPECT_EQ(result.exit_code, 1) << result.err;
  ASSERT_TRUE(std::filesystem::exists(marker));
  const auto failed_at = std::filesystem::last_write_time(marker);
  const auto since_failure = std::filesystem::file_time_type::clock::now() - failed_at;
  EXPECT_LT(since_failure, 2s * testing::kSlowdown) << "the run took too long to stop after the failure";
  EXPECT_TRUE(testing::processes_mentioning(dir.str()).empty()) << "processes of the run are still alive";
  EXPECT_NE(result.out.find("first failure: file sub-3/bad.txt: sh: exit code 3 (broken)"), std::string::npos)
      << result.out;
  // The failing node's outcome is in the report with its error.
  bool found = false;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    if (row.get("container_id") != "sub-3/bad.txt") continue;
    found = true;
    EXPECT_EQ(row.get("status"), "failed");
    EXPECT_EQ(row.find("resolved")->boolean, false);
    EXPECT_NE(row.get("err").find("exit code 3"), std::string::npos);
  }
  EXPECT_TRUE(found);
}

// One clear line on standard error, exit status 2.
void expect_usage_error(const testing::CommandResult& result, const std::string& mention) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  ASSERT_EQ(result.err_lines.size(), 1u) << result.err;
  EXPECT_EQ(result.err_lines[0].rfind("ramify: error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err_lines[0].find(mention), std::string::npos) << result.err;
}

TEST(RamifyRun, ConfigurationErrorsExitTwoWithOneClearLine) {
  TempDir dir;
  dir.write("p/s/f.txt", "x");
  const std::string root = (dir.path() / "p").string();
  expect_usage_error(testing::run_ramify({"run", "--root", (dir.path() / "missing").string()}, dir.str()),
                     "No such file or directory");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--partition-level", "planet"}, dir.str()),
                     "unknown level 'planet'");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--exec", "planet=echo"}, dir.str()),
                     "'planet' is not a level");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--curator", "magic"}, dir.str()),
                     "unknown curator 'magic'");
  const std::string bad_ini = dir.write("bad.ini", "[job]\nroot = " + root + "\nthis is not a key value line\n");
  expect_usage_error(testing::run_ramify({"run", "--config", bad_ini}, dir.str()), "this is not a key value line");
  const std::string unknown_key = dir.write("unknown.ini", "[job]\nroot = " + root + "\nwokers = 3\n");
  expect_usage_error(testing::run_ramify({"run", "--config", unknown_key}, dir.str()), "unknown key 'wokers'");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--exec", "file=echo {nope}"}, dir.str()),
                     "unknown placeholder {nope}");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--bogus-flag"}, dir.str()), "bogus-flag");
}

TEST(RamifyRun, RefusesToOverwriteAReport) {
  TempDir dir;
  dir.write("p/f.txt", "x");
  const std::string report = dir.write("r.jsonl", "precious");
  auto result = testing::run_ramify({"run", "--root", (dir.path() / "p").string(), "--report", report}, dir.str());
  expect_usage_error(result, "already exists");
  std::ifstream in(report);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "precious");
}

}  // namespace
}  // namespace ramify
