// Python curators end to end: the real binary runs tests/python/every_hook.py
// in process slots of two workers.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::TempDir;

const std::string kEveryHook = std::string(RAMIFY_SOURCE_DIR) + "/tests/python/every_hook.py";

struct Report {
  std::map<std::string, JsonValue> outcome;                                  // by container_id
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> logs;  // id -> (severity, msg)
  std::vector<JsonValue> rows;
  explicit Report(const std::string& path) : rows(testing::read_report(path)) {
    for (const auto& row : rows) {
      if (row.get("kind") == "outcome")
        outcome.emplace(row.get("container_id"), row);
      else
        logs[row.get("container_id")].emplace_back(row.get("severity"), row.get("msg"));
    }
  }
  const JsonValue& result(const std::string& id, const std::string& key) const {
    static const JsonValue none;
    const JsonValue* results = outcome.at(id).find("results");
    const JsonValue* value = results ? results->find(key) : nullptr;
    return value ? *value : none;
  }
  bool logged(const std::string& id, const std::string& severity, const std::string& text) const {
    auto it = logs.find(id);
    if (it == logs.end()) return false;
    for (const auto& [s, msg] : it->second)
      if (s == severity && msg.find(text) != std::string::npos) return true;
    return false;
  }
};

TEST(Python, EveryHookAndEveryContextCallInARealRun) {
  TempDir dir;
  for (const char* file : {"p/sub-01/a.txt", "p/sub-01/x.skip", "p/sub-01/ses-1/f.txt", "p/sub-01/ses-pruned/g.txt",
                           "p/sub-02/poison.txt", "p/sub-02/finding.txt", "p/sub-02/fail.txt", "p/top.txt"})
    dir.write(file, "12345");
  dir.write("p/sub-01/meta.json", "{\"a\": 1, \"b\": 2}");
  dir.write("table.csv", "x,y\n1,2\n");
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", (dir.path() / "p").string(), "--levels", "project,subject,session",
                                     "--python", kEveryHook, "--workers", "2", "--concurrency", "2", "--on-failure",
                                     "continue", "--set", "curator.greeting=hello", "--set",
                                     "inputs.table=" + dir.str() + "/table.csv", "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 1) << result.err;  // poison.txt and fail.txt failed
  Report r(report);

  // Typed fields, data from the subject, ancestors, options, inputs.
  EXPECT_EQ(r.outcome.at("sub-01/a.txt").get("status"), "ok");
  EXPECT_EQ(r.result("sub-01/a.txt", "bytes").type, JsonValue::Type::number);
  EXPECT_EQ(r.result("sub-01/a.txt", "bytes").text, "5");
  EXPECT_EQ(r.result("sub-01/a.txt", "ratio").text, "0.5");
  EXPECT_EQ(r.result("sub-01/a.txt", "name").text, "a.txt");
  EXPECT_EQ(r.result("sub-01/a.txt", "subject").text, "sub-01");
  EXPECT_EQ(r.result("sub-01/ses-1/f.txt", "subject").text, "sub-01");  // through the session
  EXPECT_EQ(r.result("top.txt", "subject").text, "");                   // never sideways
  EXPECT_EQ(r.result("sub-01/a.txt", "parent").text, "sub-01");
  EXPECT_EQ(r.result("sub-01/ses-1/f.txt", "ancestors").text, "project,subject,session");
  EXPECT_EQ(r.result("sub-01/a.txt", "greeting").text, "hello");
  EXPECT_EQ(r.result("sub-01/a.txt", "missing_option").text, "None");
  EXPECT_EQ(r.result("sub-01/a.txt", "input_bytes").text, "8");
  EXPECT_EQ(r.result("sub-01/a.txt", "input_exists").type, JsonValue::Type::boolean);
  EXPECT_TRUE(r.result("sub-01/a.txt", "input_exists").boolean);
  EXPECT_EQ(r.result("sub-01/a.txt", "cancelled").type, JsonValue::Type::boolean);
  EXPECT_FALSE(r.result("sub-01/a.txt", "cancelled").boolean);
  EXPECT_EQ(r.result("sub-01/meta.json", "keys").text, "2");
  EXPECT_TRUE(r.result("sub-01", "is_subject").boolean);
  EXPECT_EQ(r.result("sub-01", "children").text, "5");  // a.txt, meta.json, ses-1, ses-pruned, x.skip
  EXPECT_EQ(r.result(".", "children").text, "3");

  // Logs: print(), info, warning, error.
  EXPECT_TRUE(r.logged("sub-01/a.txt", "info", "printed a.txt"));
  EXPECT_TRUE(r.logged("sub-01/a.txt", "info", "info a.txt"));
  EXPECT_TRUE(r.logged("sub-01/a.txt", "warning", "warning a.txt"));
  EXPECT_TRUE(r.logged("sub-01/ses-1", "error", "an error record on sub-01/ses-1"));

  // prune (the level's own hook), validate + skip, finding, fail, an exception.
  EXPECT_EQ(r.outcome.at("sub-01/ses-pruned").get("status"), "skipped");
  EXPECT_EQ(r.outcome.count("sub-01/ses-pruned/g.txt"), 0u);
  EXPECT_EQ(r.outcome.at("sub-01/x.skip").get("status"), "skipped");
  EXPECT_EQ(r.outcome.at("sub-01/x.skip").get("msg"), "not for us");
  bool found = false;
  for (const auto& row : r.rows)
    found = found || (row.get("container_id") == "sub-02/finding.txt" && row.get("err") == "a finding on sub-02/finding.txt");
  EXPECT_TRUE(found) << "no finding row";
  EXPECT_EQ(r.outcome.at("sub-02/fail.txt").get("status"), "failed");
  EXPECT_EQ(r.outcome.at("sub-02/fail.txt").get("err"), "failed on purpose");
  EXPECT_EQ(r.outcome.at("sub-02/poison.txt").get("status"), "failed");
  EXPECT_EQ(r.outcome.at("sub-02/poison.txt").get("err"), "ValueError: poisoned: sub-02/poison.txt");
  EXPECT_TRUE(r.logged("sub-02/poison.txt", "error", "Traceback (most recent call last):"));
  EXPECT_TRUE(r.logged("sub-02/poison.txt", "error", "raise ValueError(\"poisoned: \" + node.id)"));

  // leave, finalize per slot that curated, finalize_run on the broker with every assignment.
  bool left = false;
  for (const auto& row : r.rows)
    if (row.get("container_id") == "sub-01" && row.get("msg") == "subtree summary")
      left = row.find("results") && row.find("results")->get("left") == "sub-01";
  EXPECT_TRUE(left) << "no summary row with what leave_subject recorded";
  std::map<std::string, std::size_t> finalized;  // by worker
  std::size_t assignments = 0;
  bool result_seen = false;
  for (const auto& row : r.rows) {
    const std::string msg = row.get("msg");
    if (msg.rfind("finalize ", 0) == 0) {
      ++finalized[row.get("worker")];
      EXPECT_NE(msg.find("table=True"), std::string::npos) << msg;
    }
    if (msg.rfind("finalize_run ", 0) == 0) assignments = std::stoul(msg.substr(13));
    if (msg == "result sub-01 left=sub-01") result_seen = true;
  }
  std::set<std::string> joined;  // a worker can start after the run is over: it has no rows
  for (const auto& row : r.rows)
    if (row.get("worker") != "broker") joined.insert(row.get("worker"));
  EXPECT_EQ(finalized.size(), joined.size());  // every slot of every worker, whether it curated or not
  for (const auto& [worker, count] : finalized) EXPECT_EQ(count, 2u) << worker;
  EXPECT_EQ(assignments, 3u);  // the root's shallow one, sub-01, sub-02
  EXPECT_TRUE(result_seen);
}

// Two slot processes run Python at the same time: each has its own interpreter.
TEST(Python, TwoSlotsRunPythonAtTheSameTime) {
  TempDir dir;
  for (const char* file : {"p/s1/busy-1", "p/s1/busy-2", "p/s2/busy-3", "p/s2/busy-4"}) dir.write(file, "x");
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", (dir.path() / "p").string(), "--levels", "project,subject", "--python",
                                     kEveryHook, "--workers", "1",
                                     "--concurrency", "2", "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Report r(report);
  struct Interval {
    double start, end;
    std::string pid;
  };
  std::vector<Interval> busy;
  for (const char* id : {"s1/busy-1", "s1/busy-2", "s2/busy-3", "s2/busy-4"})
    busy.push_back({std::stod(r.result(id, "start").text), std::stod(r.result(id, "end").text),
                    r.result(id, "pid").text});
  bool overlapped = false;
  for (const auto& a : busy)
    for (const auto& b : busy)
      if (a.pid != b.pid && a.start < b.end && b.start < a.end) overlapped = true;
  EXPECT_TRUE(overlapped) << "no two nodes of different slot processes ran at the same time";
}

// [python] path reaches imports; a slot process replaced after max_nodes_per_slot
// starts a fresh interpreter that loads the module again, and data still flows.
TEST(Python, SysPathFoldersAndRecycledSlotProcesses) {
  TempDir dir;
  for (const char* file : {"p/s1/a", "p/s1/b", "p/s1/c", "p/s2/d", "p/s2/e", "p/s2/f"}) dir.write(file, "x");
  dir.write("lib/helper.py", "GREETING = 'hi'\n");
  dir.write("recycled.py",
            "import os\nimport ramify\nimport helper\n\n"
            "class Curator(ramify.Curator):\n"
            "    def curate_subject(self, node, ctx):\n"
            "        ctx.data['subject'] = node.label\n\n"
            "    def curate_file(self, node, ctx):\n"
            "        ctx.record('greeting', helper.GREETING)\n"
            "        ctx.record('subject', ctx.data.get('subject', ''))\n"
            "        ctx.record('pid', os.getpid())\n");
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", (dir.path() / "p").string(), "--levels", "project,subject", "--python",
                                     dir.str() + "/recycled.py", "--set", "python.path=" + dir.str() + "/lib", "--set",
                                     "job.max_nodes_per_slot=2", "--workers", "1", "--concurrency", "1", "--report",
                                     report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Report r(report);
  std::set<std::string> pids;
  for (const char* id : {"s1/a", "s1/b", "s1/c", "s2/d", "s2/e", "s2/f"}) {
    EXPECT_EQ(r.result(id, "greeting").text, "hi") << id;
    EXPECT_EQ(r.result(id, "subject").text, std::string(id).substr(0, 2)) << id;
    pids.insert(r.result(id, "pid").text);
  }
  EXPECT_GE(pids.size(), 3u);  // 8 nodes, 2 per process
}

TEST(Python, AModuleThatDoesNotLoadIsRefusedBeforeAnyWork) {
  TempDir dir;
  dir.write("p/s1/a.txt", "x");
  dir.write("broken.py", "import ramify\nclass Curator(ramify.Curator)\n    pass\n");
  dir.write("classless.py", "import ramify\n");
  dir.write("raises.py", "raise ImportError('no numpy here')\n");
  const std::string report = dir.str() + "/r.jsonl";
  auto run_with = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args{"run", (dir.path() / "p").string(), "--report", report};
    args.insert(args.end(), more.begin(), more.end());
    return testing::run_ramify(args, dir.str());
  };
  auto result = run_with({"--python", dir.str() + "/broken.py"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("[python] module " + dir.str() + "/broken.py: SyntaxError: "), std::string::npos)
      << result.err;
  result = run_with({"--python", dir.str() + "/classless.py"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("has no class 'Curator' ([python] class)"), std::string::npos) << result.err;
  result = run_with({"--python", dir.str() + "/raises.py"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("ImportError: no numpy here"), std::string::npos) << result.err;
  result = run_with({"--python", kEveryHook, "--set", "job.isolation=thread"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("isolation = thread cannot run a python curator"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(report));
}

}  // namespace
}  // namespace ramify
