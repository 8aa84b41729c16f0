#include "plan/job_plan.hpp"

#include <unordered_map>

#include "broker/partitioner.hpp"
#include "curators/curation_summary.hpp"
#include "hierarchy/source_factory.hpp"
#include "ramify/node.hpp"
#include "spec/name_globs.hpp"

namespace ramify {
namespace {

std::vector<std::string> exclude_rules(const JobSpec& spec, bool directory) {
  std::vector<std::string> rules;
  if (directory && !spec.get("job", "exclude").empty()) rules.push_back("exclude = " + spec.get("job", "exclude"));
  if (directory && spec.get("job", "exclude_git") != "false")
    rules.push_back(".git and .datalad at any depth (exclude_git = true)");
  if (!spec.get("job", "exclude_files").empty()) rules.push_back("exclude_files = " + spec.get("job", "exclude_files"));
  if (!spec.get("job", "stop_level").empty())
    rules.push_back("stop_level = " + spec.get("job", "stop_level") + ": nothing below its nodes");
  return rules;
}

// The plan's levels, in order, and a lookup by name.
class LevelTally {
 public:
  LevelTally(const JobSpec& spec, std::vector<PlannedLevel>& levels) : levels_(levels) {
    std::vector<std::string> names = spec.levels();
    names.push_back(kFolderLevel);
    names.push_back(kFileLevel);
    for (const auto& name : names) {
      index_.emplace(name, levels_.size());
      levels_.push_back({name, 0, {}, describe_curation(spec, name)});
    }
  }
  void count(const Node& node, const std::string& parent_level) {
    auto it = index_.find(node.level);
    if (it == index_.end()) {  // a manifest's level the job does not name
      it = index_.emplace(node.level, levels_.size()).first;
      levels_.push_back({node.level, 0, {}, {}});
    }
    PlannedLevel& level = levels_[it->second];
    ++level.nodes;
    const bool topmost_folder = node.level != kFolderLevel || parent_level != kFolderLevel;
    if (level.examples.size() < kShownExamples && topmost_folder) level.examples.push_back(node.id);
  }

 private:
  std::vector<PlannedLevel>& levels_;
  std::unordered_map<std::string, std::size_t> index_;
};

struct Pending {
  Node node;
  std::string parent_level;
  std::optional<std::size_t> subtree;  // the subtree assignment it belongs to
};

}  // namespace

JobPlan make_plan(const JobSpec& spec) {
  JobPlan plan;
  OpenedSource opened = open_source(spec);
  HierarchySource& source = *opened.source;
  const bool directory = opened.manifest == nullptr;
  plan.hierarchy = directory ? "directory " + spec.get("job", "root") : "manifest " + spec.get("job", "manifest");
  plan.curator = spec.curator();
  plan.exclude_rules = exclude_rules(spec, directory);

  PartitionOptions partitioning = partition_options(spec, !directory);
  partitioning.with_nodes = false;
  const std::vector<AssignmentSpec> assignments = partition(source, partitioning, opened.manifest);
  std::unordered_map<std::string, std::size_t> subtree_of, shallow_of;  // root id -> index into assignments
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    const AssignmentSpec& a = assignments[i];
    (a.kind == AssignmentKind::subtree ? subtree_of : shallow_of).emplace(a.root.id, i);
    plan.assignments.push_back({a.id, to_string(a.kind), a.root.id, a.root.level, 0, a.after});
  }
  auto add_to_shallow = [&](const std::string& id) {
    if (auto it = shallow_of.find(id); it != shallow_of.end()) ++plan.assignments[it->second].nodes;
  };

  LevelTally tally(spec, plan.levels);
  const std::vector<std::string> file_patterns = spec.excluded_file_globs();
  const std::string stop_level = spec.get("job", "stop_level");
  std::vector<Pending> stack;
  Node root = source.root();
  auto root_subtree = subtree_of.find(root.id);
  stack.push_back({std::move(root), "",
                   root_subtree == subtree_of.end() ? std::nullopt : std::optional<std::size_t>(root_subtree->second)});
  while (!stack.empty()) {
    Pending pending = std::move(stack.back());
    stack.pop_back();
    const Node& node = pending.node;
    ++plan.nodes;
    tally.count(node, pending.parent_level);
    if (pending.subtree)
      ++plan.assignments[*pending.subtree].nodes;
    else
      add_to_shallow(node.is_file ? node.parent : node.id);
    if (node.is_file) continue;
    plan.containers.emplace_back(node.id, node.level);
    if (!stop_level.empty() && node.level == stop_level) continue;

    ChildListing listing = source.children(node);
    if (!listing.error.empty()) plan.warnings.push_back(node.id + ": " + listing.error);
    for (auto& warning : listing.warnings) plan.warnings.push_back(std::move(warning));
    auto leave_out = [&](std::string id) {
      if (plan.excluded.size() < kShownExcluded) plan.excluded.push_back(std::move(id));
      ++plan.excluded_count;
    };
    for (auto& id : listing.excluded) leave_out(std::move(id));
    for (auto it = listing.children.rbegin(); it != listing.children.rend(); ++it) {
      if (it->is_file && matches_any_glob(file_patterns, it->label)) {
        leave_out(it->id);
        continue;
      }
      std::optional<std::size_t> subtree = pending.subtree;
      if (!subtree)
        if (auto found = subtree_of.find(it->id); found != subtree_of.end()) subtree = found->second;
      stack.push_back({std::move(*it), node.level, subtree});
    }
  }
  plan.rerun = preview_rerun(spec);
  return plan;
}

}  // namespace ramify
