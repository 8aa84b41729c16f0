// Configuration as a user meets it, through the real binary: the README's
// examples as written, keys in the wrong place, numbers out of range, where
// the report goes, and the messages of ordinary mistakes.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "support/ramify_binary.hpp"
#include "support/readme_blocks.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::TempDir;

// One line on standard error, exactly `message` after "ramify: error: ", exit status 2.
void expect_usage_error(const testing::CommandResult& result, const std::string& message) {
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  ASSERT_EQ(result.err_lines.size(), 1u) << result.err;
  EXPECT_EQ(result.err_lines[0], "ramify: error: " + message);
}

std::string readme() { return testing::read_text_file(std::string(RAMIFY_SOURCE_DIR) + "/README.md"); }

// The example tree of scripts/make-example-tree under DIR/study.
std::string make_example_tree(const TempDir& dir, const std::string& under = ".") {
  const std::string folder = dir.mkdir(under);
  const std::string command = std::string(RAMIFY_SOURCE_DIR) + "/scripts/make-example-tree '" + folder +
                              "' 3 2 > /dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
  return folder + "/study";
}

std::map<std::string, JsonValue> outcomes_by_id(const std::string& report) {
  std::map<std::string, JsonValue> out;
  for (const auto& row : testing::outcomes(testing::read_report(report))) out.emplace(row.get("container_id"), row);
  return out;
}

// --- The README's examples, as written ---

TEST(Config, TheReadmeValidateExampleFlagsOnlyWhatBreaksItsRules) {
  TempDir dir;
  const std::string root = make_example_tree(dir);
  std::filesystem::rename(root + "/sub-02", root + "/subj02");
  const std::string block = testing::code_block_with(readme(), "ini", "curator = validate");
  ASSERT_NE(block.find("; a label must fully match"), std::string::npos) << "the example keeps its comments";
  const std::string job = dir.write("validate.ini", block);
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--config", job, "--root", root, "--report", report}, dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;  // fail_on_violation = false
  std::set<std::string> flagged;
  for (const auto& row : testing::read_report(report))
    if (row.get("kind") == "log" && !row.get("err").empty() && row.get("container_type") == "subject")
      flagged.insert(row.get("container_id"));
  // derivatives/ sits at the subject level: it is no sub-LABEL either.
  EXPECT_EQ(flagged, (std::set<std::string>{"subj02", "derivatives"}));
}

TEST(Config, TheReadmeExecExampleRunsWithItsIllustrativePathsReplaced) {
  TempDir dir;
  const std::string root = make_example_tree(dir);
  const std::string block = testing::code_block_with(readme(), "ini", "curator = exec");
  ASSERT_NE(block.find("skip_exit = 99       ;"), std::string::npos) << "the example keeps its comments";
  const std::string job = dir.write("exec.ini", block);
  const std::string refs = dir.write("atlas.nii.gz", "atlas");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--config", job, "--root", root, "--set",
                                     "exec.session=test -f {input:refs}", "--set", "inputs.refs=" + refs, "--report",
                                     report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto rows = outcomes_by_id(report);
  EXPECT_EQ(rows.at("sub-01/ses-1").get("status"), "ok");
  EXPECT_EQ(rows.at("README").get("status"), "ok");
  // Levels without a command say so.
  EXPECT_EQ(rows.at("sub-01").get("status"), "skipped");
  EXPECT_EQ(rows.at("sub-01").get("msg"), "no [exec] command for level subject");
}

TEST(Config, TheExampleJobRunsFromAnyFolderOnceItsTreeExists) {
  TempDir dir;
  // The layout of the repository: examples/job.ini and the tree scripts/demo makes.
  const std::string job = dir.write("repo/examples/job.ini",
                                    testing::read_text_file(std::string(RAMIFY_SOURCE_DIR) + "/examples/job.ini"));
  make_example_tree(dir, "repo/build/demo");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--config", job, "--report", report}, dir.str());  // run in dir, not repo
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(outcomes_by_id(report).at("README").get("status"), "ok");
}

// --- Keys in the wrong place, keys that do nothing ---

TEST(Config, AKeyUnderTheWrongSectionIsAnErrorNamingItsSection) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  const std::string job = dir.write("job.ini",
                                    "[job]\n"
                                    "root = " + root + "\n"
                                    "levels = project,subject\n"
                                    "\n"
                                    "[validate]\n"
                                    "subject = ^sub-(\n"
                                    "curator = validate\n");
  expect_usage_error(testing::run_ramify({"run", "--config", job}, dir.str()),
                     job + " line 7: 'curator' is a [job] key, not a [validate] key");
  const std::string typo = dir.write("typo.ini", "[job]\nroot = " + root + "\nlevels = project,subject\nlivenes = 3\n");
  expect_usage_error(testing::run_ramify({"run", "--config", typo}, dir.str()),
                     typo + " line 4: unknown key 'livenes' in [job] (did you mean 'liveness'?)");
}

TEST(Config, KeysThatDoNothingForTheCuratorAreErrors) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--set", "job.plugin=/tmp/nope.so"}, dir.str()),
                     "[job] plugin does nothing unless curator = plugin (the curator is noop)");
  expect_usage_error(
      testing::run_ramify({"run", "--root", root, "--curator", "checksum", "--exec", "file=wc -c {path}"}, dir.str()),
      "[exec] file does nothing unless curator = exec (the curator is checksum)");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--set", "job.slot_memory_limit=512M"}, dir.str()),
                     "[job] slot_memory_limit does nothing unless isolation = process (isolation is thread)");
}

// --- Numbers ---

TEST(Config, WorkersAndConcurrencyAreRangeChecked) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  for (const std::string workers : {"-1", "0", "257", "many"})
    expect_usage_error(testing::run_ramify({"run", "--root", root, "--workers", workers}, dir.str()),
                       "--workers must be a whole number from 1 to 256, not '" + workers + "'");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--concurrency", "-1"}, dir.str()),
                     "--concurrency must be a whole number from 0 to 1024, not '-1'");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--set", "job.heartbeat=0"}, dir.str()),
                     "job.heartbeat must be a number of seconds from 0.01 to 60, not '0'");
  expect_usage_error(testing::run_ramify({"worker", "--broker", "ipc://" + dir.str() + "/b", "--connect-timeout", "-5"},
                                         dir.str()),
                     "--connect-timeout must be a number of seconds from 0 to 10000000, not '-5'");
  const std::string broker = "ipc://" + dir.str() + "/b";
  expect_usage_error(testing::run_ramify({"status", "--broker", broker, "--timeout", "-1"}, dir.str()),
                     "--timeout must be a number of seconds from 0.1 to 3600, not '-1'");
  expect_usage_error(testing::run_ramify({"tail", "--sink", broker, "--timeout", "0"}, dir.str()),
                     "--timeout must be a number of seconds from 0.1 to 86400, not '0'");
  expect_usage_error(testing::run_ramify({"tail", "--sink", broker, "--count", "-3"}, dir.str()),
                     "--count must be a whole number from 1 to 18446744073709551615, not '-3'");
  // Nothing was started: no temporary folder of a run is left.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with("ramify-")) << entry.path();
}

// Workers that started after the run was over are stopped together, not one
// after the other (up to 0.2 s each: 12 s for 64, 51 s for 256).
TEST(Config, ManyWorkersOnALittleTreeEndPromptly) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, 1);
  const std::string report = (dir.path() / "r.jsonl").string();
  // Far more workers than work: those too late to join leave with the run,
  // and none waits out its connect timeout (30 s) saying the broker is gone.
  const std::string workers = testing::kSlowdown == 1 ? "64" : "16";  // sanitizer processes start slowly
  const auto started = std::chrono::steady_clock::now();
  auto result = testing::run_ramify(
      {"run", "--root", root, "--levels", "project,subject", "--workers", workers, "--report", report, "-q"},
      dir.str(), std::chrono::seconds(120));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err.find("did not answer"), std::string::npos) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(25));
}

// --- Reports ---

TEST(Config, ARunWithoutReportWritesOneInTheCurrentFolderAndSaysWhere) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject"}, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(result.out, match, std::regex(R"(\nreport: (ramify-report-\d{8}-\d{6}\.jsonl)\n)")))
      << result.out;
  const std::string name = match[1];
  EXPECT_NE(result.err.find("ramify: the report is " + name), std::string::npos) << result.err;
  EXPECT_EQ(outcomes_by_id((dir.path() / name).string()).size(), 7u);  // the root, 2 subjects, 4 files

  auto none = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--no-report"}, dir.str());
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("\nreport: none (no report file was asked for)\n"), std::string::npos) << none.out;
}

TEST(Config, TheJobsReportKeyIsUsedAndTheFlagWins) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  const std::string job = dir.write("jobs/job.ini", "[job]\nroot = " + root + "\nlevels = project,subject\n"
                                                    "report = out.csv   ; next to the job file\n");
  auto result = testing::run_ramify({"run", "--config", job}, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string csv = (dir.path() / "jobs/out.csv").string();
  EXPECT_NE(result.out.find("report: " + csv), std::string::npos) << result.out;
  EXPECT_EQ(result.err.find("[job] report"), std::string::npos) << result.err;  // its broker does not warn
  EXPECT_TRUE(testing::read_text_file(csv).starts_with("container_type,")) << testing::read_text_file(csv);

  const std::string flag = (dir.path() / "flag.jsonl").string();
  ASSERT_EQ(testing::run_ramify({"run", "--config", job, "--report", flag, "--force"}, dir.str()).exit_code, 0);
  EXPECT_EQ(outcomes_by_id(flag).size(), 7u);
}

// A broker on its own does not write [job] report: it says so.
TEST(Config, ABrokerSaysItDoesNotWriteTheJobsReport) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, 1);
  const std::string job = dir.write("job.ini", "[job]\nroot = " + root + "\nreport = r.jsonl\n");
  auto result = testing::run_ramify({"broker", "--config", job, "--bind", "ipc://" + dir.str() + "/b", "--sink-timeout",
                                     "0.2"},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 1) << result.err;  // no sink joined
  EXPECT_NE(result.err.find("[job] report is written only by `ramify run`; a broker's report is its sink's "
                            "(ramify sink --report FILE)"),
            std::string::npos)
      << result.err;
}

TEST(Config, ReportNamesChooseTheirFormatOrAreRefused) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  const std::string sqlite = (dir.path() / "r.sqlite").string();
  ASSERT_EQ(testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--report", sqlite}, dir.str())
                .exit_code,
            0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(sqlite.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM outcomes", -1, &count, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 7);
  sqlite3_finalize(count);
  sqlite3_close(db);

  const std::string text = (dir.path() / "r.txt").string();
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--report", text}, dir.str()),
                     "report " + text +
                         ": unknown format '.txt' (name it .jsonl for JSON Lines, .csv, or .db, .sqlite, .sqlite3 for "
                         "SQLite, or give a postgresql:// address)");
  EXPECT_FALSE(std::filesystem::exists(text));
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--report", "-"}, dir.str()),
                     "report '-': a report is a file, not standard output (the rows of attempts that ran again are "
                     "removed from it at the end); name a file, or follow the records with ramify tail --json");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "-"));
  const std::string folder = dir.mkdir("reports");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--report", folder}, dir.str()),
                     "report " + folder + " is a directory");
  // A sink refuses the same names.
  expect_usage_error(testing::run_ramify({"sink", "--bind", "ipc://" + dir.str() + "/s", "--report", "-"}, dir.str()),
                     "report '-': a report is a file, not standard output (the rows of attempts that ran again are "
                     "removed from it at the end); name a file, or follow the records with ramify tail --json");
}

TEST(Config, HelpNamesEveryReportFormat) {
  TempDir dir;
  for (const std::string command : {"run", "sink"}) {
    auto help = testing::run_ramify({command, "--help"}, dir.str());
    EXPECT_EQ(help.exit_code, 0);
    const std::string text = std::regex_replace(help.out, std::regex(R"(\s+)"), " ");  // as wrapped by Boost
    for (const char* format : {".jsonl (JSON Lines)", ".csv", ".db, .sqlite, .sqlite3 (SQLite)"})
      EXPECT_NE(text.find(format), std::string::npos) << command << " --help lacks " << format << "\n" << help.out;
  }
}

// --- Messages of ordinary mistakes ---

TEST(Config, ContainersSayWhyTheyWereNotCurated) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, 1);
  const std::string report = (dir.path() / "r.jsonl").string();
  ASSERT_EQ(testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "checksum",
                                 "--report", report},
                                dir.str())
                .exit_code,
            0);
  auto rows = outcomes_by_id(report);
  EXPECT_EQ(rows.at("sub-1").get("msg"), "checksum curates files only");
  EXPECT_EQ(rows.at(".").get("msg"), "checksum curates files only");
}

TEST(Config, APositionalRootIsTheRoot) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", root, "--levels", "project,subject", "--report", report}, dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(outcomes_by_id(report).size(), 7u);
  expect_usage_error(testing::run_ramify({"run", root, "--root", root}, dir.str()),
                     "'" + root + "' is a root, but the job already has --root " + root);
}

TEST(Config, AnUnquotedCommandIsNamedAsSuch) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, 1);
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--exec", "file=wc", "-c", "{path}"}, dir.str()),
                     "'{path}' is part of the --exec value 'file=wc': the shell split it into words; quote the "
                     "whole value: --exec 'file=wc -c {path}'");
  expect_usage_error(testing::run_ramify({"run", "--root", root, "--exec", "file=sha256sum", "{path}"}, dir.str()),
                     "'{path}' is part of the --exec value 'file=sha256sum': the shell split it into words; quote "
                     "the whole value: --exec 'file=sha256sum {path}'");
}

TEST(Config, AConfigThatCannotBeReadSaysWhy) {
  TempDir dir;
  expect_usage_error(testing::run_ramify({"run", "--config", "nope.ini"}, dir.str()),
                     "cannot read config nope.ini: No such file or directory");
}

TEST(Config, KeygenJoinsPathsCleanly) {
  TempDir dir;
  auto result = testing::run_ramify({"keygen", "keys/"}, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("wrote keys/broker.key and broker.pub\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("admit the keys in keys/allowed/{workers,sinks,clients}/"), std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("//"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace ramify
