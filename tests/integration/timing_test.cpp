// Per-node timing and resources in the report: every outcome row says when
// its node's curation began and how long it took; an exec node also records
// what its command used; the summary names the slowest nodes.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"
#include "util/json_text.hpp"

namespace ramify {
namespace {

using testing::result;
using testing::TempDir;

TEST(Timing, EveryOutcomeHasItsStartAndDurationAndExecNodesTheirResources) {
  TempDir dir;
  for (int f = 1; f <= 4; ++f) dir.write("p/sub-1/f" + std::to_string(f) + ".txt", std::string(static_cast<std::size_t>(1000 * f), 'x'));
  dir.write("p/sub-1/slow.txt", "x");
  const std::string root = (dir.path() / "p").string();
  const std::string report = (dir.path() / "report.jsonl").string();
  const auto before = std::chrono::system_clock::now();
  auto run = testing::run_ramify(
      {"run", root, "--levels", "project,subject", "--workers", "1", "--report", report, "--exec", "project=true",
       "--exec", "subject=true", "--exec",
       "file=sh -c 'case \"$0\" in *slow.txt) sleep 0.6;; esac; cat \"$0\" > /dev/null' {path}"},
      dir.str());
  ASSERT_FALSE(run.timed_out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto after = std::chrono::system_clock::now();
  const auto us = [](auto t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };

  std::size_t files = 0;
  for (const JsonValue& row : testing::outcomes(testing::read_report(report))) {
    const std::int64_t started = parse_iso8601_utc(row.get("started"));
    ASSERT_NE(started, 0) << row.get("container_id") << " has no start";
    EXPECT_GE(started, us(before));
    EXPECT_LE(started, us(after));
    const double seconds = std::strtod(row.get("seconds").c_str(), nullptr);
    EXPECT_GE(seconds, 0.0);
    // The row is made once its node ended (the wall and the monotonic clocks may differ by a little).
    EXPECT_LE(started + static_cast<std::int64_t>(seconds * 1e6), parse_iso8601_utc(row.get("ts")) + 1000);
    if (row.get("container_type") != "file") continue;
    ++files;
    const std::string id = row.get("container_id");
    if (id == "sub-1/slow.txt") {
      EXPECT_GE(seconds, 0.6);
    } else {
      EXPECT_LT(seconds, 0.6);
    }
    ASSERT_NE(result(row, "exit_status"), nullptr) << id;
    EXPECT_EQ(result(row, "exit_status")->text, "0");
    for (const char* key : {"cpu_user_seconds", "cpu_system_seconds", "max_rss_bytes", "read_bytes", "write_bytes"}) {
      ASSERT_NE(result(row, key), nullptr) << id << " has no " << key;
      EXPECT_EQ(result(row, key)->type, JsonValue::Type::number) << key;
    }
    // cat read the file (and sh read its own bits): at least the file's bytes.
    const auto size = static_cast<unsigned long long>(std::filesystem::file_size(dir.path() / "p" / id));
    EXPECT_GE(std::stoull(result(row, "read_bytes")->text), size) << id;
    EXPECT_GT(std::stoull(result(row, "max_rss_bytes")->text), 0u) << id;
  }
  EXPECT_EQ(files, 5u);
  const auto slowest = run.out.find("slowest: ");
  ASSERT_NE(slowest, std::string::npos) << run.out;
  EXPECT_NE(run.out.find("file sub-1/slow.txt", slowest), std::string::npos) << run.out;
  EXPECT_LT(run.out.find("file sub-1/slow.txt", slowest), run.out.find('\n', slowest)) << "the slowest comes first";
}

}  // namespace
}  // namespace ramify
