// A report that cannot be written fails before any work (exit 2, one line);
// one report has one writer; --append continues only the same run's report.

#include "faults/fault_support.hpp"
#include "support/small_disk.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::FaultStudy;

// `ramify run` with `report`: exit 2 at once, the cause in the last line, no work done.
void expect_refused_before_any_work(FaultStudy& study, const std::string& report, const std::string& cause) {
  auto args = study.job("0");
  args.insert(args.begin(), {"run", "--report", report});
  const auto started = std::chrono::steady_clock::now();
  auto result = testing::run_ramify(args, study.dir.str(), 60s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(testing::last_line(result.err).find(cause), std::string::npos) << result.err;
  EXPECT_EQ(study.marks(), 0u) << "work was done for a report that cannot be written";
}

TEST(Faults, AReportInAMissingFolderIsRefusedBeforeAnyWork) {
  FaultStudy study(2, 3);
  expect_refused_before_any_work(study, study.dir.str() + "/no/such/r.jsonl",
                                 "r.jsonl: No such file or directory");
}

TEST(Faults, AReportThatIsAFolderIsRefusedBeforeAnyWork) {
  FaultStudy study(2, 3);
  expect_refused_before_any_work(study, study.dir.mkdir("a-folder"), "is a directory");
}

TEST(Faults, AReportOnAReadOnlyDiskIsRefusedBeforeAnyWork) {
  testing::SmallDisk disk(1 << 20, /*read_only=*/true);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  FaultStudy study(2, 3);
  expect_refused_before_any_work(study, disk.path("r.jsonl"), "Read-only file system");
}

TEST(Faults, TwoRunsOnOneReportWithForceHaveOneWriter) {
  FaultStudy study(4, 6);
  auto args = study.job("0.1");
  args.insert(args.begin(), {"run", "--workers", "1", "--report", study.report, "--force"});
  Background first(study.dir.str(), "first", args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 2; }, 30s)) << first.err();
  const std::size_t marks_before = study.marks();
  auto second = testing::run_ramify(args, study.dir.str(), 60s);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(testing::last_line(second.err).find("is being written by another sink"), std::string::npos) << second.err;
  auto status = first.wait_for(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << first.err();
  testing::expect_complete_report(study);
  // The second run did no work: every command that ran is the first run's.
  EXPECT_EQ(study.marks(), study.nodes - 1 - 4) << "marks before the second run: " << marks_before;
}

TEST(Faults, AppendingToAnotherRunsReportIsRefusedWithOneLine) {
  FaultStudy study(2, 3);
  auto args = study.job("0");
  args.insert(args.begin(), {"run", "--report", study.report});
  ASSERT_EQ(testing::run_ramify(args, study.dir.str(), 60s).exit_code, 0);
  const std::string before = [&] {
    std::ifstream in(study.report, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  const std::size_t marks_before = study.marks();

  auto broker_args = study.job("0");
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker"), "--sink-timeout", "5"});
  Background broker(study.dir.str(), "broker", broker_args);
  Background worker(study.dir.str(), "worker", {"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink")});
  auto sink = testing::run_ramify(
      {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"), "--report", study.report, "--append"},
      study.dir.str(), 60s);
  EXPECT_EQ(sink.exit_code, 2) << sink.err;
  EXPECT_NE(testing::last_line(sink.err).find("--append continues only the report of the same run"),
            std::string::npos)
      << sink.err;
  auto status = broker.wait_for(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
  EXPECT_NE(testing::last_line(broker.err()).find("holds rows of run"), std::string::npos) << broker.err();
  EXPECT_EQ(study.marks(), marks_before) << "work was dispatched for a report that was refused";
  std::ifstream in(study.report, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), before)
      << "the earlier run's report changed";
  EXPECT_TRUE(worker.wait_for(30s).has_value());
}

}  // namespace
}  // namespace ramify
