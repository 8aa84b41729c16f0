// The job spec travels without argv limits, and its size is checked once,
// where it is loaded, with a clear error.

#include "faults/fault_support.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::FaultStudy;

TEST(Faults, AJobSpecValueOver128KiBRunsToACompleteReport) {
  FaultStudy study(2, 3);
  auto args = study.job("0");
  args.insert(args.begin(), {"run", "--workers", "1", "--report", study.report});
  // One argument may not exceed 128 KiB: the value comes from a job file (a
  // pattern no file matches; [curator] keys would do nothing for exec).
  const std::string config =
      study.dir.write("big.ini", "[job]\nexclude_files = " + std::string(200 * 1024, 'n') + "\n");
  args.insert(args.end(), {"--config", config});
  auto result = testing::run_ramify(args, study.dir.str(), 60s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  testing::expect_complete_report(study);
}

TEST(Faults, AJobSpecOverTheLimitIsRefusedAtOnceWithItsSize) {
  FaultStudy study(2, 3);
  const std::string huge = study.dir.write("huge.ini", "[curator]\nnote = " + std::string(10 * 1024 * 1024, 'n') + "\n");
  for (const char* command : {"run", "broker"}) {
    auto args = study.job("0");
    args.insert(args.begin(), {command, "--report", study.report});
    if (std::string(command) == "broker") args = {command, "--bind", study.ipc("broker"), "--root", study.root};
    args.insert(args.end(), {"--config", huge});
    const auto started = std::chrono::steady_clock::now();
    auto result = testing::run_ramify(args, study.dir.str(), 60s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << command;
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.err;
    EXPECT_NE(testing::last_line(result.err).find("the job spec is 10.0 MiB"), std::string::npos)
        << command << ": " << result.err;
    EXPECT_EQ(study.marks(), 0u);
  }
}

}  // namespace
}  // namespace ramify
