// `ramify status --json` counts failures as the nodes do, while the run goes
// on: "failures" used to run ahead of "nodes.failed", which only counted the
// failures of assignments that had ended (8 against 6).

#include <gtest/gtest.h>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::ipc;
using testing::TempDir;

TEST(StatusCounts, FailuresAreTheFailedNodesWhileTheirAssignmentStillRuns) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 2, 4);
  const std::string go = dir.str() + "/go";
  // f1 fails at once; the other files wait for `go` (at most 60 s), so both assignments keep running.
  const std::string command = "file=sh -c 'case \"$1\" in *f1.txt) exit 3;; esac; i=0; "
                              "while [ ! -e \"$0\" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done' " +
                              go + " {path}";
  Background broker(dir.str(), "broker",
                    {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels", "project,subject", "--exec",
                     command, "--on-failure", "continue", "--set", "job.heartbeat=0.2", "--no-sink"});
  Background worker(dir.str(), "worker", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j", "2",
                                          "--flush-timeout", "0.1"});

  JsonValue status;
  ASSERT_TRUE(eventually(
      [&] {
        auto answer = testing::run_ramify({"status", "--broker", ipc(dir, "broker"), "--json"}, dir.str(), 10s);
        if (answer.exit_code != 0) return false;
        status = parse_json(answer.out);
        return status.get_uint("failures") >= 2;
      },
      30s))
      << broker.err();
  EXPECT_EQ(status.find("assignments_by_state")->get_uint("running") +
                status.find("assignments_by_state")->get_uint("dispatched"),
            2u);  // nothing has ended yet
  EXPECT_EQ(status.get_uint("failures"), 2u);
  EXPECT_EQ(status.find("nodes")->get_uint("failed"), 2u);
  EXPECT_EQ(status.get_uint("run_failures"), 0u);

  dir.write("go", "");
  ASSERT_TRUE(broker.wait_for(60s).has_value()) << broker.err();
}

}  // namespace
}  // namespace ramify
