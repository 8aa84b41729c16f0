// `results` keeps numbers as numbers, in every curator's rows, through the
// real binary: checksum's bytes used to be the string "109".

#include <gtest/gtest.h>

#include <filesystem>

#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::TempDir;

// The member `key` of a row's results, or null.
const JsonValue* result_of(const JsonValue& row, const std::string& key) {
  const JsonValue* results = row.find("results");
  return results ? results->find(key) : nullptr;
}

TEST(TypedResults, ChecksumRecordsTheSizeAsANumber) {
  TempDir dir;
  dir.write("p/sub-1/a.txt", std::string(109, 'x'));
  dir.write("p/sub-1/b.txt", "");
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", "--root", dir.str() + "/p", "--levels", "project,subject", "--curator",
                                     "checksum", "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::size_t files = 0;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    if (row.get("container_type") != "file") continue;
    ++files;
    const JsonValue* bytes = result_of(row, "bytes");
    ASSERT_NE(bytes, nullptr);
    EXPECT_EQ(bytes->type, JsonValue::Type::number) << row.get("container_id");
    EXPECT_EQ(bytes->text, row.get("label") == "a.txt" ? "109" : "0");
    EXPECT_EQ(result_of(row, "sha256")->type, JsonValue::Type::string);
  }
  EXPECT_EQ(files, 2u);
}

TEST(TypedResults, InventoryTotalsAreNumbersInEveryRowAndInTheCsvReport) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 2, 3);
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify(
      {"run", "--root", root, "--levels", "project,subject", "--curator", "inventory", "--report", report}, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::size_t summaries = 0, roll_ups = 0;
  for (const auto& row : testing::read_report(report)) {
    if (!row.find("results")) continue;
    for (const JsonValue& member : row.find("results")->members)
      EXPECT_EQ(member.type, JsonValue::Type::number) << member.key << " of " << row.get("container_id");
    if (row.get("msg") == "subtree summary") ++summaries;
    if (row.get("worker") == "broker") ++roll_ups;
  }
  EXPECT_EQ(summaries, 2u);  // sub-1, sub-2
  EXPECT_EQ(roll_ups, 1u);   // the root, from the broker

  const std::string csv = dir.str() + "/r.csv";
  ASSERT_EQ(testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "inventory",
                                 "--report", csv, "-q"},
                                dir.str())
                .exit_code,
            0);
  std::ifstream in(csv);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(R"({""nodes"":4,""files"":3,""bytes"":)"), std::string::npos) << text.str();
}

TEST(TypedResults, ValidateAndThePluginRecordCountsAsNumbers) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 2, 1);
  const std::string report = dir.str() + "/r.jsonl";
  auto validated = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "validate",
                                        "--set", "validate.subject=^subject-.*$", "--report", report, "-q"},
                                       dir.str());
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  std::size_t flagged = 0;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    const JsonValue* violations = result_of(row, "violations");
    if (!violations) continue;
    ++flagged;
    EXPECT_EQ(violations->type, JsonValue::Type::number);
    EXPECT_EQ(violations->text, "1");
  }
  EXPECT_EQ(flagged, 2u);

  const std::string plugin_report = dir.str() + "/p.jsonl";
  auto plugged = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "plugin",
                                      "--set", std::string("job.plugin=") + RAMIFY_PARTICIPANTS_PLUGIN, "--report",
                                      plugin_report, "-q"},
                                     dir.str());
  ASSERT_EQ(plugged.exit_code, 0) << plugged.err;
  std::size_t subjects = 0;
  for (const auto& row : testing::outcomes(testing::read_report(plugin_report))) {
    if (row.get("container_type") != "subject") continue;
    ++subjects;
    EXPECT_EQ(result_of(row, "sessions")->type, JsonValue::Type::number);
    EXPECT_EQ(result_of(row, "participant_id")->type, JsonValue::Type::string);
  }
  EXPECT_EQ(subjects, 2u);
}

}  // namespace
}  // namespace ramify
