#pragma once
// A dry run (`ramify plan`): what a run of a job would do, found without
// curating anything. The hierarchy is read as the broker and the workers
// read it (levels, `exclude`, `exclude_files`, `stop_level`) and split as
// the broker splits it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plan/rerun_preview.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

struct PlannedLevel {
  std::string name;                  // a job level, "folder" or "file"
  std::uint64_t nodes = 0;
  std::vector<std::string> examples;  // the first few ids in walk order (for "folder": the topmost ones)
  std::vector<std::string> curation;  // describe_curation()
};

struct PlannedAssignment {
  std::uint64_t id = 0;
  std::string kind;   // "subtree" or "shallow"
  std::string root;   // its root's id
  std::string level;  // its root's level
  std::uint64_t nodes = 0;
  std::optional<std::uint64_t> after;  // dispatched once this one is done
};

struct JobPlan {
  std::string hierarchy;  // "directory ROOT" or "manifest FILE"
  std::string curator;
  std::vector<PlannedLevel> levels;  // the job's levels in order (even with no node), then folder and file
  std::uint64_t nodes = 0;           // every node a run would curate
  std::vector<std::pair<std::string, std::string>> containers;  // every container's id and level, in walk order
  std::vector<std::string> exclude_rules;  // what leaves paths out, as configured
  std::vector<std::string> excluded;       // the first kShownExcluded paths left out
  std::uint64_t excluded_count = 0;
  std::vector<PlannedAssignment> assignments;
  std::vector<std::string> warnings;  // folders that cannot be listed, entries left out
  std::optional<RerunPreview> rerun;  // with a state store: what a run would curate and carry over
};

inline constexpr std::size_t kShownExamples = 3;
inline constexpr std::size_t kShownExcluded = 20;

// Throws SourceError when the hierarchy cannot be read.
JobPlan make_plan(const JobSpec& spec);

}  // namespace ramify
