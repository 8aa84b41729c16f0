// Real dataset layouts: BIDS with and without sessions, with derivatives and
// code beside the subjects. The real binary; the datasets are made here.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "support/ramify_binary.hpp"
#include "support/shell.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::TempDir;

// sub-01 has no sessions, sub-02 has two; derivatives/ and code/ are not BIDS raw data.
std::string make_bids(const TempDir& dir) {
  for (const char* path : {"ds/dataset_description.json", "ds/participants.tsv", "ds/sub-01/anat/sub-01_T1w.nii.gz",
                           "ds/sub-01/anat/sub-01_T1w.json", "ds/sub-01/func/sub-01_task-rest_bold.nii.gz",
                           "ds/sub-02/ses-01/anat/sub-02_ses-01_T1w.nii.gz",
                           "ds/sub-02/ses-02/func/sub-02_ses-02_task-rest_bold.nii.gz",
                           "ds/derivatives/fmriprep/sub-01/anat/sub-01_desc-preproc_T1w.nii.gz", "ds/code/convert.py"})
    dir.write(path, "x");
  return (dir.path() / "ds").string();
}

std::map<std::string, std::string> levels_in(const std::string& report) {
  std::map<std::string, std::string> levels;
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    levels[row.get("container_id")] = row.get("container_type");
  return levels;
}

std::set<std::string> flagged_in(const std::string& report) {
  std::set<std::string> flagged;
  for (const auto& row : testing::read_report(report))
    if (row.get("kind") == "log" && !row.get("err").empty()) flagged.insert(row.get("container_id"));
  return flagged;
}

TEST(Datasets, BidsLevelsFollowTheFolderNamesWithAndWithoutSessions) {
  TempDir dir;
  const std::string root = make_bids(dir);
  const std::string report = dir.str() + "/r.jsonl";
  const std::vector<std::string> rules{"--curator", "validate", "--set", "validate.subject=^sub-[0-9]+$",
                                       "--set", "validate.session=^ses-[0-9]+$"};
  std::vector<std::string> args{"run", "--root", root, "--levels", "bids", "--report", report};
  args.insert(args.end(), rules.begin(), rules.end());
  auto result = testing::run_ramify(args, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto levels = levels_in(report);
  EXPECT_EQ(levels["."], "project");
  EXPECT_EQ(levels["sub-01"], "subject");
  EXPECT_EQ(levels["sub-01/anat"], "datatype");
  EXPECT_EQ(levels["sub-01/func"], "datatype");
  EXPECT_EQ(levels["sub-02/ses-01"], "session");
  EXPECT_EQ(levels["sub-02/ses-02/func"], "datatype");
  EXPECT_EQ(levels["derivatives"], "folder");
  EXPECT_EQ(levels["derivatives/fmriprep/sub-01"], "folder");
  EXPECT_EQ(levels["code"], "folder");
  EXPECT_EQ(flagged_in(report), std::set<std::string>{});  // nothing bogus to flag

  // By depth, the same rules flag what is no session at all, and call derivatives/ a subject.
  std::vector<std::string> by_depth{"run",    "--root",  root, "--levels", "project,subject,session",
                                    "--report", report, "--force"};
  by_depth.insert(by_depth.end(), rules.begin(), rules.end());
  result = testing::run_ramify(by_depth, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto flagged = flagged_in(report);
  for (const char* id : {"sub-01/anat", "sub-01/func", "derivatives", "code"})
    EXPECT_TRUE(flagged.count(id)) << id << " was not flagged";
}

// Excluded paths have no row; .git and .datalad are left out unless asked for.
TEST(Datasets, ExcludedFoldersAndGitMetadataHaveNoRows) {
  TempDir dir;
  const std::string root = make_bids(dir);
  dir.write("ds/.git/HEAD", "ref: refs/heads/main");
  dir.write("ds/.datalad/config", "x");
  dir.write("ds/sub-01/anat/scratch.tmp", "x");
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "bids", "--exclude", "derivatives,code,**/*.tmp",
                                     "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto levels = levels_in(report);
  for (const char* gone : {"derivatives", "derivatives/fmriprep", "code", "code/convert.py", ".git", ".git/HEAD",
                           ".datalad", "sub-01/anat/scratch.tmp"})
    EXPECT_EQ(levels.count(gone), 0u) << gone << " has a row";
  for (const char* kept : {".", "sub-01", "sub-01/anat", "sub-01/anat/sub-01_T1w.json", "dataset_description.json"})
    EXPECT_EQ(levels.count(kept), 1u) << kept << " has no row";

  result = testing::run_ramify({"run", "--root", root, "--set", "job.exclude_git=false", "--report", report, "--force"},
                               dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  levels = levels_in(report);
  EXPECT_EQ(levels.count(".git/HEAD"), 1u);
  EXPECT_EQ(levels.count("derivatives"), 1u);
}

// An [exec] key limited to a file pattern runs on those files only; the
// others say why they were skipped; a file two patterns take fails.
TEST(Datasets, AnExecCommandLimitedToJsonRunsOnlyOnJsonFiles) {
  TempDir dir;
  const std::string root = make_bids(dir);
  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "bids", "--exclude", "derivatives,code",
                                     "--exec", "file:*.json|*.tsv=echo sidecar {label}", "--report", report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, JsonValue> files;
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    if (row.get("container_type") == "file") files.emplace(row.get("container_id"), row);
  std::set<std::string> ran;
  for (const auto& row : testing::read_report(report))
    if (row.get("kind") == "log" && row.get("msg").rfind("sidecar ", 0) == 0) ran.insert(row.get("container_id"));
  EXPECT_EQ(ran, (std::set<std::string>{"dataset_description.json", "participants.tsv", "sub-01/anat/sub-01_T1w.json"}));
  for (const auto& id : ran) EXPECT_EQ(files.at(id).get("status"), "ok") << id;
  const auto& image = files.at("sub-01/anat/sub-01_T1w.nii.gz");
  EXPECT_EQ(image.get("status"), "skipped");
  EXPECT_EQ(image.get("msg"), "no [exec] command for 'sub-01_T1w.nii.gz': it matches none of file:*.json|*.tsv");

  // A plain `file` key takes the other names; overlapping patterns fail the file both take.
  result = testing::run_ramify({"run", "--root", root, "--levels", "bids", "--exclude", "derivatives,code", "--exec",
                                "file:*.json|*.tsv=echo sidecar {label}", "--exec", "file=echo other {label}", "--exec",
                                "file:participants.*=echo table {label}", "--on-failure", "continue", "--report",
                                report, "--force"},
                               dir.str());
  EXPECT_NE(result.exit_code, 0);
  files.clear();
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    if (row.get("container_type") == "file") files.emplace(row.get("container_id"), row);
  EXPECT_EQ(files.at("sub-01/anat/sub-01_T1w.nii.gz").get("status"), "ok");
  EXPECT_EQ(files.at("sub-01/anat/sub-01_T1w.json").get("status"), "ok");
  const auto& table = files.at("participants.tsv");
  EXPECT_EQ(table.get("status"), "failed");
  EXPECT_NE(table.get("err").find("'participants.tsv' matches both [exec] "), std::string::npos) << table.get("err");
}

// A DataLad/git-annex dataset made by the real git-annex: every present
// file's digest is sha256sum's of its content and matches its key, the
// dropped file is reported absent, and a corrupted object fails its file.
TEST(Datasets, ChecksumOnAGitAnnexDatasetChecksEveryKey) {
  ASSERT_TRUE(testing::shell_run("command -v git-annex").ok) << "git-annex is not installed (scripts/setup installs it)";
  TempDir dir;
  const std::string root = make_bids(dir);
  dir.write("ds/sub-02/ses-01/anat/sub-02_ses-01_T1w.json", "{\"RepetitionTime\": 2.3}");
  const std::string in_root = "cd " + testing::sh_quote(root) + " && export HOME=" + testing::sh_quote(dir.str()) +
                              " GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t "
                              "GIT_COMMITTER_EMAIL=t@example.org && ";
  const auto made = testing::shell_run(in_root +
                                       // each file's own path as its content: no two files share an object
                                       "find . -type f -exec sh -c 'printf %s \"$1\" > \"$1\"' sh {} ';' && "
                                       "git init -q && git annex init -q test && git annex add . > /dev/null && "
                                       "git commit -q -m dataset && git annex drop -q --force sub-01/func/"
                                       "sub-01_task-rest_bold.nii.gz");
  ASSERT_TRUE(made.ok) << made.err;
  // What git-annex says: the key of every file, and which are not here.
  std::map<std::string, std::string> keys;  // file -> key
  std::istringstream listed(testing::shell(in_root + "git annex find --include='*' --format='${file} ${key}\\n'"));
  for (std::string file, key; listed >> file >> key;) keys[file] = key;
  ASSERT_EQ(keys.size(), 10u);
  const std::set<std::string> absent{"sub-01/func/sub-01_task-rest_bold.nii.gz"};

  const std::string report = dir.str() + "/r.jsonl";
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "bids", "--curator", "checksum", "--report",
                                     report},
                                    dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, JsonValue> files;
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    if (row.get("container_type") == "file") files.emplace(row.get("container_id"), row);
  EXPECT_EQ(files.size(), keys.size());
  for (const auto& [file, key] : keys) {
    ASSERT_TRUE(files.count(file)) << file << " has no row";
    const JsonValue& row = files.at(file);
    if (absent.count(file)) {
      EXPECT_EQ(row.get("status"), "skipped") << file;
      EXPECT_EQ(row.get("msg"), "content not present (git annex get " + file + ")");
      continue;
    }
    EXPECT_EQ(row.get("status"), "ok") << file << ": " << row.get("err");
    const std::string digest = row.find("results") ? row.find("results")->get("sha256") : "";
    const std::string sha256sum = testing::shell("sha256sum " + testing::sh_quote(root + "/" + file)).substr(0, 64);
    EXPECT_EQ(digest, sha256sum) << file;
    EXPECT_NE(key.find("--" + digest), std::string::npos) << file << ": key " << key << ", digest " << digest;
  }

  // Corrupt one object in place (the same size, upper case): its file fails, and says why.
  const std::string victim = "sub-01/anat/sub-01_T1w.json";
  const auto corrupted = testing::shell_run(in_root + "object=$(readlink -f " + victim +
                                            ") && chmod u+w \"$(dirname \"$object\")\" \"$object\" && "
                                            "tr a-z A-Z < \"$object\" > upper && cat upper > \"$object\" && rm upper");
  ASSERT_TRUE(corrupted.ok) << corrupted.err;
  result = testing::run_ramify({"run", "--root", root, "--levels", "bids", "--curator", "checksum", "--on-failure",
                                "continue", "--report", report, "--force"},
                               dir.str());
  EXPECT_NE(result.exit_code, 0);
  files.clear();
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    if (row.get("container_type") == "file") files.emplace(row.get("container_id"), row);
  EXPECT_EQ(files.at(victim).get("status"), "failed");
  EXPECT_EQ(files.at(victim).get("err").rfind("annex key mismatch: the key " + keys.at(victim) + " says sha256 ", 0), 0u)
      << files.at(victim).get("err");
  EXPECT_EQ(files.at("sub-01/anat/sub-01_T1w.nii.gz").get("status"), "ok");
}

// `ramify plan` shows the levels, what is left out and the assignments, and
// curates nothing; what it counts is what the run with the same flags curates.
TEST(Datasets, PlanShowsLevelsExclusionsAndAssignmentsWithoutCurating) {
  TempDir dir;
  const std::string root = make_bids(dir);
  dir.write("ds/.git/HEAD", "ref: refs/heads/main");
  const std::string marker = dir.str() + "/curated";
  const std::vector<std::string> flags{"--root", root, "--levels", "bids", "--exclude", "code", "--exec",
                                       "file=touch " + marker, "--exec", "datatype:anat=true"};
  std::vector<std::string> args{"plan", "--json"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto planned = testing::run_ramify(args, dir.str());
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "plan ran a command";
  const JsonValue plan = parse_json(planned.out);

  std::map<std::string, std::string> containers;
  for (const auto& c : plan.find("containers")->items) containers[c.get("id")] = c.get("level");
  EXPECT_EQ(containers["."], "project");
  EXPECT_EQ(containers["sub-01/anat"], "datatype");
  EXPECT_EQ(containers["sub-02/ses-01"], "session");
  EXPECT_EQ(containers["derivatives"], "folder");
  EXPECT_EQ(containers.count("code"), 0u);
  std::set<std::string> excluded;
  for (const auto& path : plan.find("excluded")->find("paths")->items) excluded.insert(path.text);
  EXPECT_EQ(excluded, (std::set<std::string>{".git", "code"}));
  std::map<std::string, std::uint64_t> per_level;
  for (const auto& level : plan.find("levels")->items) {
    per_level[level.get("name")] = level.get_uint("nodes");
    if (level.get("name") == "datatype") {
      const auto& curation = level.find("curation")->items;
      ASSERT_EQ(curation.size(), 2u);
      EXPECT_EQ(curation[0].text, "[exec] datatype:anat = true");
      EXPECT_EQ(curation[1].text, "other names: skipped");
    }
  }
  std::uint64_t assigned = 0;
  std::set<std::string> assignment_roots;
  for (const auto& a : plan.find("assignments")->items) {
    assigned += a.get_uint("nodes");
    assignment_roots.insert(a.get("root"));
  }
  EXPECT_EQ(assignment_roots, (std::set<std::string>{".", "sub-01", "sub-02", "derivatives"}));
  EXPECT_EQ(assigned, plan.get_uint("nodes"));

  // The run with the same flags curates exactly what the plan counted.
  const std::string report = dir.str() + "/r.jsonl";
  args = {"run", "--report", report};
  args.insert(args.end(), flags.begin(), flags.end());
  auto result = testing::run_ramify(args, dir.str());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(marker));
  const auto rows = testing::outcomes(testing::read_report(report));
  EXPECT_EQ(rows.size(), plan.get_uint("nodes"));
  std::map<std::string, std::uint64_t> run_levels;
  for (const auto& row : rows) ++run_levels[row.get("container_type")];
  for (const auto& [level, count] : run_levels) EXPECT_EQ(per_level[level], count) << level;

  // The text form, for people.
  args = {"plan"};
  args.insert(args.end(), flags.begin(), flags.end());
  planned = testing::run_ramify(args, dir.str());
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_NE(planned.out.find("levels (" + plan.get("nodes") + " nodes):"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("excluded (2): exclude = code; .git and .datalad"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("assignments (4):"), std::string::npos) << planned.out;
}

}  // namespace
}  // namespace ramify
