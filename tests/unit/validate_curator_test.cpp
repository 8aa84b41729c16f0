#include <gtest/gtest.h>

#include "support/fake_context.hpp"
#include "support/nodes.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "curators/validate_curator.hpp"
#include "spec/job_spec.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::FakeContext;
using testing::make_node;

// What curating one node left behind.
struct Outcome {
  Status status = Status::ok;
  std::string err;
  std::vector<std::string> findings;
  std::map<std::string, std::string> fields;
};

// A hierarchy in memory: nodes in visiting order, the first one is the root.
class Tree {
 public:
  void add(const std::string& id, const std::string& parent, const std::string& level) {
    nodes_.push_back(make_node(id, parent, level));
  }

  // Curates every node as the engine would, each with its own context.
  std::map<std::string, Outcome> curate_all(Curator& curator) const {
    std::map<std::string, Outcome> outcomes;
    for (const Node& node : nodes_) {
      FakeContext ctx;
      for (const Node& other : nodes_)
        if (other.parent == node.id) ctx.child_nodes.push_back(other);
      ctx.ancestor_nodes = ancestors_of(node);
      curator.curate(node, ctx);
      outcomes[node.id] = Outcome{ctx.status, ctx.err, ctx.findings, ctx.fields};
    }
    return outcomes;
  }

 private:
  std::vector<Node> ancestors_of(const Node& node) const {
    std::vector<Node> chain;
    for (std::string parent = node.parent; !parent.empty();) {
      auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.id == parent; });
      chain.insert(chain.begin(), *it);
      parent = it->parent;
    }
    return chain;
  }

  std::vector<Node> nodes_;
};

// ds                                      project
// +-- dataset_description.json            file
// +-- sub-01                              subject
// |   +-- sub-01/ses-1                    session
// |   |   +-- anat                        acquisition
// |   |   |   +-- sub-01_T1w.nii.gz       file
// |   |   |   +-- sub-01_T1w.json         file
// |   |   |   +-- notes.txt               file      <- bad extension
// |   |   |   +-- extra/                  folder
// |   |   +-- func                        acquisition
// |   +-- sub-01/ses-2                    session   <- no anat
// |       +-- func                        acquisition
// +-- subj02                              subject   <- bad label
// |   +-- subj02/ses-1                    session
// |       +-- anat                        acquisition
// +-- sub-03                              subject
//     +-- sub-03/session2                 session   <- bad label and no anat
Tree planted_tree() {
  Tree t;
  t.add("ds", "", "project");
  t.add("ds/dataset_description.json", "ds", "file");
  t.add("ds/sub-01", "ds", "subject");
  t.add("ds/sub-01/ses-1", "ds/sub-01", "session");
  t.add("ds/sub-01/ses-1/anat", "ds/sub-01/ses-1", "acquisition");
  t.add("ds/sub-01/ses-1/anat/sub-01_T1w.nii.gz", "ds/sub-01/ses-1/anat", "file");
  t.add("ds/sub-01/ses-1/anat/sub-01_T1w.json", "ds/sub-01/ses-1/anat", "file");
  t.add("ds/sub-01/ses-1/anat/notes.txt", "ds/sub-01/ses-1/anat", "file");
  t.add("ds/sub-01/ses-1/anat/extra", "ds/sub-01/ses-1/anat", "folder");
  t.add("ds/sub-01/ses-1/func", "ds/sub-01/ses-1", "acquisition");
  t.add("ds/sub-01/ses-2", "ds/sub-01", "session");
  t.add("ds/sub-01/ses-2/func", "ds/sub-01/ses-2", "acquisition");
  t.add("ds/subj02", "ds", "subject");
  t.add("ds/subj02/ses-1", "ds/subj02", "session");
  t.add("ds/subj02/ses-1/anat", "ds/subj02/ses-1", "acquisition");
  t.add("ds/sub-03", "ds", "subject");
  t.add("ds/sub-03/session2", "ds/sub-03", "session");
  return t;
}

JobSpec planted_spec() {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "subject", "^sub-[0-9]+$");
  spec.set("validate", "session", "^ses-[0-9]+$");
  spec.set("validate", "file", R"(^.*\.(nii\.gz|json|tsv)$)");
  spec.set("validate", "session.requires", "anat");
  return spec;
}

const std::string kBadSessionNoAnat = "session 'ds/sub-01/ses-2' has no child 'anat' (required by [validate] session.requires)";
const std::string kBadSubject = "subject label 'subj02' does not match ^sub-[0-9]+$";
const std::string kBadFile = R"(file label 'notes.txt' does not match ^.*\.(nii\.gz|json|tsv)$)";
const std::string kBadSessionLabel = "session label 'session2' does not match ^ses-[0-9]+$";
const std::string kBadSessionNoAnat2 = "session 'ds/sub-03/session2' has no child 'anat' (required by [validate] session.requires)";

// The message of the ConfigError the constructor throws ("" when it does not).
std::string config_error(const JobSpec& spec) {
  try {
    ValidateCurator curator(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ValidateCurator, FlagsExactlyThePlantedViolations) {
  ValidateCurator curator(planted_spec());
  auto outcomes = planted_tree().curate_all(curator);

  const std::map<std::string, std::vector<std::string>> expected = {
      {"ds/sub-01/ses-2", {kBadSessionNoAnat}},
      {"ds/subj02", {kBadSubject}},
      {"ds/sub-01/ses-1/anat/notes.txt", {kBadFile}},
      {"ds/sub-03/session2", {kBadSessionLabel, kBadSessionNoAnat2}},
  };
  ASSERT_EQ(outcomes.size(), 17u);
  for (const auto& [id, outcome] : outcomes) {
    SCOPED_TRACE(id);
    auto it = expected.find(id);
    if (it == expected.end()) {
      EXPECT_TRUE(outcome.findings.empty());
      EXPECT_TRUE(outcome.fields.empty());
    } else {
      EXPECT_EQ(outcome.findings, it->second);
      EXPECT_EQ(outcome.fields, (std::map<std::string, std::string>{{"violations", std::to_string(it->second.size())}}));
    }
    EXPECT_EQ(outcome.status, Status::ok);  // fail_on_violation defaults to false
    EXPECT_EQ(outcome.err, "");
  }
}

TEST(ValidateCurator, FailOnViolationFailsOnlyTheNodesWithFindings) {
  JobSpec spec = planted_spec();
  spec.set("validate", "fail_on_violation", "true");
  ValidateCurator curator(spec);
  auto outcomes = planted_tree().curate_all(curator);

  const std::map<std::string, std::string> expected = {
      {"ds/sub-01/ses-2", "1 violation(s): " + kBadSessionNoAnat},
      {"ds/subj02", "1 violation(s): " + kBadSubject},
      {"ds/sub-01/ses-1/anat/notes.txt", "1 violation(s): " + kBadFile},
      {"ds/sub-03/session2", "2 violation(s): " + kBadSessionLabel},
  };
  for (const auto& [id, outcome] : outcomes) {
    SCOPED_TRACE(id);
    auto it = expected.find(id);
    EXPECT_EQ(outcome.status, it == expected.end() ? Status::ok : Status::failed);
    EXPECT_EQ(outcome.err, it == expected.end() ? "" : it->second);
  }
  EXPECT_EQ(outcomes["ds/sub-03/session2"].findings.size(), 2u);  // failing does not replace the findings
}

TEST(ValidateCurator, FailOnViolationFalseOnlyReports) {
  JobSpec spec = planted_spec();
  spec.set("validate", "fail_on_violation", "false");
  ValidateCurator curator(spec);
  auto outcomes = planted_tree().curate_all(curator);
  EXPECT_EQ(outcomes["ds/subj02"].findings, std::vector<std::string>{kBadSubject});
  for (const auto& [id, outcome] : outcomes) EXPECT_EQ(outcome.status, Status::ok) << id;
}

TEST(ValidateCurator, NoRulesMeansEveryNodeIsOk) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  ValidateCurator curator(spec);
  for (const auto& [id, outcome] : planted_tree().curate_all(curator)) {
    EXPECT_TRUE(outcome.findings.empty()) << id;
    EXPECT_EQ(outcome.status, Status::ok) << id;
  }
}

TEST(ValidateCurator, RegexMustMatchTheWholeLabel) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "subject", "sub-[0-9]+");  // no anchors: still a full match
  ValidateCurator curator(spec);

  FakeContext ctx;
  curator.curate(make_node("p/sub-01", "p", "subject"), ctx);
  EXPECT_TRUE(ctx.findings.empty());
  curator.curate(make_node("p/xsub-01x", "p", "subject"), ctx);
  EXPECT_EQ(ctx.findings, std::vector<std::string>{"subject label 'xsub-01x' does not match sub-[0-9]+"});
}

TEST(ValidateCurator, FolderRulesApplyToFoldersBelowTheNamedLevels) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "folder", "^[a-z]+$");
  spec.set("validate", "folder.requires", "README");
  ValidateCurator curator(spec);

  FakeContext good;
  good.child_nodes = {make_node("a/b/c/d/extra/README", "a/b/c/d/extra", "file")};
  curator.curate(make_node("a/b/c/d/extra", "a/b/c/d", "folder"), good);
  EXPECT_TRUE(good.findings.empty());

  FakeContext bad;
  curator.curate(make_node("a/b/c/d/Extra2", "a/b/c/d", "folder"), bad);
  EXPECT_EQ(bad.findings, (std::vector<std::string>{
                              "folder label 'Extra2' does not match ^[a-z]+$",
                              "folder 'a/b/c/d/Extra2' has no child 'README' (required by [validate] folder.requires)"}));
  EXPECT_EQ(bad.fields.at("violations"), "2");
}

TEST(ValidateCurator, EachMissingRequiredChildIsOneFinding) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "subject.requires", " ses-1 ,sessions.tsv,, ses-2 ");  // trimmed, empty parts ignored
  ValidateCurator curator(spec);

  FakeContext ctx;
  ctx.child_nodes = {make_node("p/sub-01/ses-2", "p/sub-01", "session")};
  curator.curate(make_node("p/sub-01", "p", "subject"), ctx);
  EXPECT_EQ(ctx.findings,
            (std::vector<std::string>{
                "subject 'p/sub-01' has no child 'ses-1' (required by [validate] subject.requires)",
                "subject 'p/sub-01' has no child 'sessions.tsv' (required by [validate] subject.requires)"}));

  FakeContext all_there;  // a file child satisfies a requirement as well as a folder
  all_there.child_nodes = {make_node("p/sub-02/ses-1", "p/sub-02", "session"),
                           make_node("p/sub-02/ses-2", "p/sub-02", "session"),
                           make_node("p/sub-02/sessions.tsv", "p/sub-02", "file")};
  curator.curate(make_node("p/sub-02", "p", "subject"), all_there);
  EXPECT_TRUE(all_there.findings.empty());
  EXPECT_TRUE(all_there.fields.empty());
}

TEST(ValidateCurator, CustomLevelsAreAccepted) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("job", "levels", "site,patient");
  spec.set("validate", "patient", "^P[0-9]{3}$");
  ValidateCurator curator(spec);
  FakeContext ctx;
  curator.curate(make_node("s/P12", "s", "patient"), ctx);
  EXPECT_EQ(ctx.findings, std::vector<std::string>{"patient label 'P12' does not match ^P[0-9]{3}$"});

  spec.set("validate", "subject", "^sub-[0-9]+$");  // a default level, but not one of this job's
  EXPECT_EQ(config_error(spec), "[validate] subject: unknown level 'subject' (levels are site, patient, folder, file)");
}

TEST(ValidateCurator, RejectsAnInvalidRegex) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "subject", "^sub-([0-9]+$");
  std::string message = config_error(spec);
  EXPECT_TRUE(message.starts_with("[validate] subject: invalid regular expression: ^sub-([0-9]+$")) << message;
}

TEST(ValidateCurator, RejectsAnEmptyRegex) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "session", "  ");
  EXPECT_EQ(config_error(spec), "[validate] session: empty regular expression");
}

TEST(ValidateCurator, RejectsAnUnknownLevel) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "sesion", "^ses-[0-9]+$");
  EXPECT_EQ(config_error(spec),
            "[validate] sesion: unknown level 'sesion' (levels are project, subject, session, acquisition, folder, file)");

  JobSpec requires_spec;
  requires_spec.set("job", "root", "/x");
  requires_spec.set("validate", "sesion.requires", "anat");
  EXPECT_TRUE(config_error(requires_spec).starts_with("[validate] sesion.requires: unknown level 'sesion'"));
}

TEST(ValidateCurator, RejectsAnUnknownRule) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "session.forbids", "anat");
  EXPECT_EQ(config_error(spec),
            "[validate] session.forbids: unknown rule (use LEVEL = REGEX or LEVEL.requires = a,b)");
}

TEST(ValidateCurator, RejectsAnEmptyRequiresList) {
  for (const std::string value : {"", "  ", " , ,"}) {
    JobSpec spec;
    spec.set("job", "root", "/x");
    spec.set("validate", "session.requires", value);
    EXPECT_EQ(config_error(spec), "[validate] session.requires: the list of required children is empty")
        << "'" << value << "'";
  }
}

TEST(ValidateCurator, RejectsRequiresOnFilesAndPathsAsLabels) {
  JobSpec files;
  files.set("job", "root", "/x");
  files.set("validate", "file.requires", "x");
  EXPECT_EQ(config_error(files), "[validate] file.requires: files have no children");

  JobSpec paths;
  paths.set("job", "root", "/x");
  paths.set("validate", "session.requires", "anat/T1w.nii.gz");
  EXPECT_EQ(config_error(paths),
            "[validate] session.requires: 'anat/T1w.nii.gz' is not a child label (it contains '/')");
}

TEST(ValidateCurator, RejectsABadBoolean) {
  JobSpec spec;
  spec.set("job", "root", "/x");
  spec.set("validate", "fail_on_violation", "maybe");
  EXPECT_EQ(config_error(spec), "[validate] fail_on_violation: 'maybe' is neither true nor false");
}

}  // namespace
}  // namespace ramify
