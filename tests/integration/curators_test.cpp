// The curators end to end: the real binary on generated trees, checked
// against what coreutils say (sha256sum, du, find).

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "support/ramify_binary.hpp"
#include "support/shell.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

using testing::shell;

// A path as one shell word (the test's own paths hold no single quote).
std::string sh_quote(const std::filesystem::path& path) { return testing::sh_quote(path.string()); }

// Generates the example tree under `dir` with the project's own script.
void make_example_tree(const TempDir& dir, int subjects, int sessions) {
  const std::string command = std::string(RAMIFY_SOURCE_DIR) + "/scripts/make-example-tree " + sh_quote(dir.path()) +
                              " " + std::to_string(subjects) + " " + std::to_string(sessions) + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
}

struct Rows {
  std::vector<JsonValue> all;
  std::map<std::string, JsonValue> outcome;               // by container_id
  std::map<std::string, std::vector<std::string>> logs;  // messages by container_id
  explicit Rows(const std::string& report) : all(testing::read_report(report)) {
    for (const auto& row : all) {
      if (row.get("kind") == "outcome") {
        EXPECT_TRUE(outcome.emplace(row.get("container_id"), row).second) << "two outcomes for " << row.get("container_id");
      } else {
        logs[row.get("container_id")].push_back(row.get("msg"));
      }
    }
  }
  bool logged(const std::string& id, const std::string& message) const {
    auto it = logs.find(id);
    return it != logs.end() && std::find(it->second.begin(), it->second.end(), message) != it->second.end();
  }
};

TEST(Curators, HooksFollowEveryRuleThroughARealRun) {
  TempDir dir;
  for (const char* file : {"p/sub-1/a.txt", "p/sub-1/skipme.txt", "p/sub-1/pruned-dir/x.txt", "p/sub-1/skipme-dir/y.txt",
                           "p/sub-1/ses-1/f.txt", "p/sub-1/ses-1/acq/g.txt", "p/sub-1/ses-1/junk.tmp",
                           "p/sub-2/b.txt", "p/sub-2/ses-1/h.txt", "p/top.txt"})
    dir.write(file, "x");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", (dir.path() / "p").string(), "--levels",
                                     "project,subject,session,acquisition", "--curator", "plugin", "--set",
                                     std::string("job.plugin=") + RAMIFY_HOOKS_PLUGIN, "--set",
                                     "job.stop_level=acquisition", "--set", "job.exclude_files=*.tmp,*.bak",
                                     "--workers", "2", "--concurrency", "2", "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  Rows rows(report);
  // prune: the node is skipped, nothing below it is visited.
  EXPECT_EQ(rows.outcome.at("sub-1/pruned-dir").get("status"), "skipped");
  EXPECT_EQ(rows.outcome.count("sub-1/pruned-dir/x.txt"), 0u);
  // validate false: the node is skipped, its children are still curated.
  EXPECT_EQ(rows.outcome.at("sub-1/skipme.txt").get("status"), "skipped");
  EXPECT_EQ(rows.outcome.at("sub-1/skipme-dir").get("status"), "skipped");
  EXPECT_EQ(rows.outcome.at("sub-1/skipme-dir/y.txt").get("status"), "ok");
  // stop_level: acquisitions are curated, nothing below them.
  EXPECT_EQ(rows.outcome.at("sub-1/ses-1/acq").get("status"), "ok");
  EXPECT_EQ(rows.outcome.count("sub-1/ses-1/acq/g.txt"), 0u);
  // exclude_files: no row at all.
  EXPECT_EQ(rows.outcome.count("sub-1/ses-1/junk.tmp"), 0u);
  // data flows from the root (its own assignment) into each subject, and never sideways.
  EXPECT_TRUE(rows.logged(".", "data=/p"));
  EXPECT_TRUE(rows.logged("sub-1", "data=/p/sub-1"));
  EXPECT_TRUE(rows.logged("sub-1/a.txt", "data=/p/sub-1/a.txt"));
  EXPECT_TRUE(rows.logged("sub-1/ses-1/f.txt", "data=/p/sub-1/ses-1/f.txt"));
  EXPECT_TRUE(rows.logged("sub-2/ses-1/h.txt", "data=/p/sub-2/ses-1/h.txt"));
  EXPECT_TRUE(rows.logged("top.txt", "data=/p/top.txt"));
  // leave: a summary row per container with what it recorded.
  bool left_session = false;
  for (const auto& row : rows.all)
    if (row.get("container_id") == "sub-1/ses-1" && row.get("msg") == "subtree summary")
      left_session = row.find("results") && row.find("results")->get("left") == "ses-1";
  EXPECT_TRUE(left_session);
  // finalize: once per slot of every worker that joined (a worker can start after the run is over).
  std::map<std::string, std::size_t> finalized;
  for (const auto& row : rows.all)
    if (row.get("msg") == "finalize") ++finalized[row.get("worker")];
  std::set<std::string> joined;
  for (const auto& row : rows.all) joined.insert(row.get("worker"));
  EXPECT_EQ(finalized.size(), joined.size());
  for (const auto& [worker, count] : finalized) EXPECT_EQ(count, 2u) << worker;
}

TEST(Curators, ChecksumDigestsEqualSha256sumForEveryFile) {
  TempDir dir;
  make_example_tree(dir, 3, 2);
  dir.write("study/sub-01/odd name \xff.bin", "bytes");
  const auto root = dir.path() / "study";
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", root.string(), "--curator", "checksum", "--workers", "2",
                                     "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, std::string> ours;
  for (const auto& [id, row] : Rows(report).outcome)
    if (row.get("container_type") == "file") ours[id] = row.find("results")->get("sha256");
  std::map<std::string, std::string> theirs;
  std::istringstream sums(shell("cd " + sh_quote(root) + " && find . -type f -print0 | sort -z | xargs -0 sha256sum"));
  for (std::string line; std::getline(sums, line);) {
    if (line.empty()) continue;
    std::string name = line.substr(66);
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    theirs[name] = line.substr(0, 64);
  }
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_EQ(ours, theirs);
}

TEST(Curators, ChecksumVerifyFindsAMismatchAMissingAndAnExtraFile) {
  TempDir dir;
  for (const char* file : {"p/s1/a.txt", "p/s1/b.txt", "p/s2/c.txt", "p/s2/gone.txt"}) dir.write(file, file);
  const auto root = dir.path() / "p";
  const std::string manifest = (dir.path() / "SHA256SUMS").string();
  shell("cd " + sh_quote(root) + " && sha256sum s1/a.txt s1/b.txt s2/c.txt s2/gone.txt > " + sh_quote(manifest));
  dir.write("p/s1/b.txt", "changed");               // a mismatch
  std::filesystem::remove(root / "s2/gone.txt");    // missing
  dir.write("p/s2/new.txt", "not in the manifest");  // extra
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", root.string(), "--levels", "project,subject", "--curator",
                                     "checksum", "--set", "checksum.verify=" + manifest, "--on-failure", "continue",
                                     "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  Rows rows(report);
  EXPECT_EQ(rows.outcome.at("s1/a.txt").get("status"), "ok");
  EXPECT_EQ(rows.outcome.at("s2/c.txt").get("status"), "ok");
  EXPECT_EQ(rows.outcome.at("s1/b.txt").get("status"), "failed");
  EXPECT_NE(rows.outcome.at("s1/b.txt").get("err").find("sha256 mismatch"), std::string::npos);
  EXPECT_EQ(rows.outcome.at("s2/new.txt").get("status"), "failed");
  EXPECT_NE(rows.outcome.at("s2/new.txt").get("err").find("not in the verify manifest"), std::string::npos);
  bool missing_reported = false;
  for (const auto& row : rows.all)
    if (row.get("worker") == "broker" && row.get("err").find("missing: s2/gone.txt") != std::string::npos)
      missing_reported = true;
  EXPECT_TRUE(missing_reported);
  EXPECT_NE(result.out.find("missing: s2/gone.txt"), std::string::npos) << result.out;
}

// Totals per container from the report: subtree summaries (inside assignments)
// and the broker's roll-ups (containers above the partition level).
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> inventory_totals(const Rows& rows) {
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> totals;  // id -> (nodes, bytes)
  for (const auto& row : rows.all) {
    const JsonValue* results = row.find("results");
    if (row.get("kind") != "log" || !results || results->get("nodes").empty()) continue;
    auto [it, inserted] = totals.emplace(row.get("container_id"),
                                         std::make_pair(std::stoull(results->get("nodes")), std::stoull(results->get("bytes"))));
    EXPECT_TRUE(inserted) << "two totals for " << row.get("container_id");
  }
  return totals;
}

TEST(Curators, InventoryTotalsEqualDuAndFindForEveryContainer) {
  TempDir dir;
  make_example_tree(dir, 4, 2);
  const auto root = dir.path() / "study";
  for (const char* partition : {"subject", "session"}) {
    const std::string report = (dir.path() / (std::string("r-") + partition + ".jsonl")).string();
    auto result = testing::run_ramify({"run", "--root", root.string(), "--curator", "inventory", "--partition-level",
                                       partition, "--workers", "2", "--report", report},
                                      dir.str());
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto totals = inventory_totals(Rows(report));
    std::size_t containers = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_directory() || entry.is_symlink()) continue;
      ++containers;
      const std::string id = std::filesystem::relative(entry.path(), root).string();
      const std::uint64_t du = std::stoull(shell("du -s --apparent-size -b " + sh_quote(entry.path()) + " | cut -f1"));
      const std::uint64_t find = std::stoull(shell("find " + sh_quote(entry.path()) + " | wc -l"));
      ASSERT_TRUE(totals.count(id)) << partition << ": no totals for " << id;
      EXPECT_EQ(totals[id].first, find) << partition << " " << id;
      EXPECT_EQ(totals[id].second, du) << partition << " " << id;
    }
    const std::uint64_t du_root = std::stoull(shell("du -s --apparent-size -b " + sh_quote(root) + " | cut -f1"));
    EXPECT_EQ(totals["."].second, du_root) << partition;
    EXPECT_EQ(totals["."].first, std::stoull(shell("find " + sh_quote(root) + " | wc -l"))) << partition;
    EXPECT_EQ(totals.size(), containers + 1) << partition;  // every folder and the root, once
    EXPECT_NE(result.out.find("inventory: "), std::string::npos) << result.out;  // the summary shows the roll-ups
  }
}

TEST(Curators, ValidateFlagsExactlyThePlantedViolations) {
  TempDir dir;
  make_example_tree(dir, 3, 2);
  const auto root = dir.path() / "study";
  std::filesystem::remove_all(root / "derivatives");                                // not BIDS raw data
  std::filesystem::rename(root / "sub-02", root / "subj02");                        // a bad subject label
  dir.write("study/sub-01/ses-1/anat/notes.doc", "x");                             // a bad file name
  std::filesystem::remove_all(root / "sub-03/ses-2/anat");                          // a session without anat
  const std::string job = dir.write("job.ini",
                                    "[job]\nroot = " + root.string() +
                                        "\ncurator = validate\n"
                                        "[validate]\n"
                                        "subject = ^sub-[0-9]+$\n"
                                        "file = ^.*\\.(nii\\.gz|json|tsv|txt)$|^README$\n"
                                        "session.requires = anat\n");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--config", job, "--report", report}, dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;  // findings do not fail the run by default
  std::set<std::string> flagged;
  for (const auto& row : Rows(report).all)
    if (row.get("kind") == "log" && !row.get("err").empty()) {
      EXPECT_EQ(row.find("resolved")->boolean, false);
      flagged.insert(row.get("container_id"));
    }
  EXPECT_EQ(flagged, (std::set<std::string>{"subj02", "sub-01/ses-1/anat/notes.doc", "sub-03/ses-2"}));

  auto strict = testing::run_ramify({"run", "--config", job, "--set", "validate.fail_on_violation=true",
                                     "--on-failure", "continue", "--report", report, "--force"},
                                    dir.str());
  EXPECT_EQ(strict.exit_code, 1);
}

TEST(Curators, TheExamplePluginWritesParticipantsAndAWrongAbiIsRefused) {
  TempDir dir;
  make_example_tree(dir, 3, 2);
  const std::string tsv = (dir.path() / "participants.tsv").string();
  auto result = testing::run_ramify({"run", "--root", (dir.path() / "study").string(), "--curator", "plugin", "--set",
                                     std::string("job.plugin=") + RAMIFY_PARTICIPANTS_PLUGIN, "--set",
                                     "curator.participants_tsv=" + tsv, "--workers", "2"},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(tsv);
  std::stringstream text;
  text << in.rdbuf();
  // derivatives/ sits at the subject level too, with one folder (qc) at the session level.
  EXPECT_EQ(text.str(), "participant_id\tsessions\nderivatives\t1\nsub-01\t2\nsub-02\t2\nsub-03\t2\n");

  auto refused = testing::run_ramify({"run", "--root", (dir.path() / "study").string(), "--curator", "plugin",
                                      "--set", std::string("job.plugin=") + RAMIFY_WRONG_ABI_PLUGIN},
                                     dir.str());
  EXPECT_EQ(refused.exit_code, 2);
  ASSERT_EQ(refused.err_lines.size(), 1u) << refused.err;
  EXPECT_NE(refused.err_lines[0].find("was built for curator ABI 999; this ramify needs ABI 1 to 2"), std::string::npos)
      << refused.err;
}

TEST(Curators, ASharedInputIsFetchedOnceByEachWorkerAndReadByCuratorsAndCommands) {
  TempDir dir;
  for (int s = 1; s <= 4; ++s)
    for (int f = 1; f <= 3; ++f) dir.write("p/sub-" + std::to_string(s) + "/reader-" + std::to_string(f) + ".txt", "x");
  const std::string refs = dir.write("inputs/refs.txt", "reference line one\nline two\n");
  const std::string root = (dir.path() / "p").string();
  auto count_fetches = [](const std::string& err) {
    std::map<std::string, int> per_worker;
    std::regex fetched("worker (\\S+) fetched input 'refs'");
    for (auto it = std::sregex_iterator(err.begin(), err.end(), fetched); it != std::sregex_iterator(); ++it)
      ++per_worker[(*it)[1]];
    return per_worker;
  };
  // A command reads it through {input:refs}.
  const std::string exec_report = (dir.path() / "exec.jsonl").string();
  auto exec = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--set",
                                   "inputs.refs=" + refs, "--exec", "file=head -n 1 {input:refs}", "--workers", "2",
                                   "--concurrency", "2", "--verbose", "--report", exec_report},
                                  dir.str());
  ASSERT_EQ(exec.exit_code, 0) << exec.err;
  Rows exec_rows(exec_report);
  std::set<std::string> workers;
  for (const auto& row : exec_rows.all)
    if (row.get("container_type") == "file" && row.get("kind") == "log") {
      EXPECT_EQ(row.get("msg"), "reference line one");
      workers.insert(row.get("worker"));
    }
  auto fetches = count_fetches(exec.err);
  EXPECT_EQ(fetches.size(), workers.size()) << exec.err;
  for (const auto& [worker, count] : fetches) EXPECT_EQ(count, 1) << worker;

  // A curator reads it through ctx.open_input("refs").
  const std::string plugin_report = (dir.path() / "plugin.jsonl").string();
  auto plugin = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--set",
                                     "inputs.refs=" + refs, "--curator", "plugin", "--set",
                                     std::string("job.plugin=") + RAMIFY_HOOKS_PLUGIN, "--workers", "2",
                                     "--concurrency", "2", "--verbose", "--report", plugin_report},
                                    dir.str());
  ASSERT_EQ(plugin.exit_code, 0) << plugin.err;
  std::size_t reads = 0;
  for (const auto& [id, messages] : Rows(plugin_report).logs)
    for (const auto& message : messages) reads += message == "input=reference line one";
  EXPECT_EQ(reads, 12u);
  for (const auto& [worker, count] : count_fetches(plugin.err)) EXPECT_EQ(count, 1) << worker;
}

}  // namespace
}  // namespace ramify
