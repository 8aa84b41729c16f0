#pragma once
// A JobPlan as `ramify plan` prints it: text for people, JSON for scripts.

#include <string>

#include "plan/job_plan.hpp"

namespace ramify {

// Levels with counts and examples, exclusions, assignments (the first
// kShownAssignments) and what the curator does per level.
std::string plan_text(const JobPlan& plan);

// One JSON object: hierarchy, curator, nodes, levels [{name, nodes, examples,
// curation}], containers [{id, level}] (every one), excluded {rules, count,
// paths}, assignments [{id, kind, root, level, nodes, after}] (every one), warnings.
std::string plan_json(const JobPlan& plan);

inline constexpr std::size_t kShownAssignments = 50;

}  // namespace ramify
