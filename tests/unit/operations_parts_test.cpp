#include <gtest/gtest.h>

#include "broker/progress.hpp"
#include "cli/tail_filter.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

LogRecord record(RecordKind kind, Severity severity, Status status = Status::ok) {
  LogRecord r;
  r.kind = kind;
  r.severity = severity;
  r.status = status;
  r.container_type = "file";
  r.container_id = "sub-01/a.nii";
  r.msg = "hello world";
  return r;
}

TEST(TailFilter, AdmitsWhatEveryGivenConditionAllows) {
  TailFilter all;
  EXPECT_TRUE(all.admits("w1", record(RecordKind::outcome, Severity::info)));

  TailFilter warnings;
  warnings.min_severity = Severity::warning;
  EXPECT_FALSE(warnings.admits("w1", record(RecordKind::log, Severity::info)));
  EXPECT_TRUE(warnings.admits("w1", record(RecordKind::log, Severity::error)));

  TailFilter failures;
  failures.failures = true;
  EXPECT_TRUE(failures.admits("w1", record(RecordKind::outcome, Severity::error, Status::failed)));
  EXPECT_TRUE(failures.admits("w1", record(RecordKind::log, Severity::error)));
  EXPECT_FALSE(failures.admits("w1", record(RecordKind::outcome, Severity::info, Status::skipped)));
  EXPECT_FALSE(failures.admits("w1", record(RecordKind::log, Severity::warning)));

  TailFilter combined;
  combined.level = "file";
  combined.worker = "w2";
  combined.grep = std::regex("wor.d");
  combined.logs_only = true;
  EXPECT_TRUE(combined.admits("w2", record(RecordKind::log, Severity::info)));
  EXPECT_FALSE(combined.admits("w1", record(RecordKind::log, Severity::info)));
  EXPECT_FALSE(combined.admits("w2", record(RecordKind::outcome, Severity::info)));
  auto subject = record(RecordKind::log, Severity::info);
  subject.container_type = "subject";
  EXPECT_FALSE(combined.admits("w2", subject));
  combined.grep = std::regex("a\\.nii$");  // the node id matches too
  EXPECT_TRUE(combined.admits("w2", record(RecordKind::log, Severity::info)));
}

TEST(TailFilter, ParsesSeverities) {
  EXPECT_EQ(parse_severity("warn"), Severity::warning);
  EXPECT_EQ(parse_severity("error"), Severity::error);
  EXPECT_THROW(parse_severity("loud"), ConfigError);
}

TEST(Progress, FormatsFiguresRateAndEta) {
  ProgressFigures f;
  f.assignments = 10;
  f.assignments_done = 4;
  f.assignments_running = 2;
  f.nodes = 500;
  f.failures = 1;
  f.workers = 3;
  EXPECT_EQ(Progress::format(f, std::chrono::seconds(20)),
            "progress: assignments 4/10 done, 2 running | nodes 500 (25/s) | failures 1 | workers 3 | ETA 0:30");
  f.assignments_done = 10;
  EXPECT_NE(Progress::format(f, std::chrono::seconds(20)).find("ETA 0:00"), std::string::npos);
  f.assignments_done = 0;
  EXPECT_NE(Progress::format(f, std::chrono::seconds(20)).find("ETA -"), std::string::npos);
}

TEST(Progress, ParsesModes) {
  EXPECT_EQ(parse_progress_mode("auto", true), Progress::Mode::line);
  EXPECT_EQ(parse_progress_mode("auto", false), Progress::Mode::plain);
  EXPECT_EQ(parse_progress_mode("off", true), Progress::Mode::off);
  EXPECT_THROW(parse_progress_mode("loud", true), ConfigError);
}

}  // namespace
}  // namespace ramify
