#include <gtest/gtest.h>

#include "broker/journal.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

std::vector<AssignmentSpec> specs(std::vector<std::string> roots) {
  std::vector<AssignmentSpec> out;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    AssignmentSpec s;
    s.id = i;
    s.root.id = roots[i];
    out.push_back(s);
  }
  return out;
}

JobSpec job(const std::string& root) {
  JobSpec spec;
  spec.set("job", "root", root);
  return spec;
}

TEST(Journal, RecordsStatesAcrossReopeningAndTellsARunningRunFromAnEndedOne) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "j.db").string();
  Scheduler scheduler(specs({".", "a", "b"}), SchedulerPolicy{});
  {
    Journal journal(path, job_digest(job("/data")));
    EXPECT_TRUE(journal.entries().empty());
    journal.begin_run("run1", scheduler.assignments());
    auto a = scheduler.assignments();
    a[0].state = AssignmentState::done;
    a[0].attempt = 1;
    a[0].nodes = 4;
    a[1].state = AssignmentState::running;
    a[1].attempt = 2;
    journal.record({&a[0], &a[1]});
  }
  {
    Journal journal(path, job_digest(job("/data")));
    EXPECT_EQ(journal.run_id(), std::optional<std::string>("run1"));
    EXPECT_FALSE(journal.run_ended());
    auto restored = restore_from(journal, specs({".", "a", "b"}), true);
    ASSERT_EQ(restored.size(), 3u);
    EXPECT_TRUE(restored[0].done);
    EXPECT_EQ(restored[0].nodes, 4u);
    EXPECT_FALSE(restored[1].done);
    EXPECT_EQ(restored[1].attempt, 2u);
    journal.end_run(0);
  }
  Journal journal(path, job_digest(job("/data")));
  EXPECT_TRUE(journal.run_ended());
  auto rerun = restore_from(journal, specs({".", "a", "b"}), false);
  EXPECT_TRUE(rerun[0].earlier_run);
  EXPECT_FALSE(rerun[1].done);
}

TEST(Journal, RefusesAnotherJobOrAChangedHierarchy) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "j.db").string();
  {
    Journal journal(path, job_digest(job("/data")));
    Scheduler scheduler(specs({".", "a"}), SchedulerPolicy{});
    journal.begin_run("run1", scheduler.assignments());
  }
  EXPECT_THROW(Journal(path, job_digest(job("/elsewhere"))), ConfigError);
  Journal journal(path, job_digest(job("/data")));
  EXPECT_THROW(restore_from(journal, specs({".", "b"}), true), ConfigError);
  EXPECT_THROW(restore_from(journal, specs({".", "a", "c"}), true), ConfigError);
}

TEST(Journal, AnUnusableFileIsAClearError) {
  testing::TempDir dir;
  EXPECT_THROW(Journal((dir.path() / "missing" / "j.db").string(), "x"), ConfigError);
  const std::string garbage = dir.write("g.db", std::string(4096, 'g'));
  EXPECT_THROW(Journal(garbage, "x"), ConfigError);
}

}  // namespace
}  // namespace ramify
