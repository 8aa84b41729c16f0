#pragma once
// Incremental runs from a manifest: one digest of everything that decides
// whether an assignment's stored rows still stand. It covers the nodes the
// assignment walks (their ids, levels, labels, sizes, mtimes, attributes and
// the tree's shape), each level's curator fingerprint and the walk's rules.
// The sink keeps the digest of every assignment a run did without a failure
// (state/state_store.hpp); when the next run's digest is the same, the
// broker has the assignment carried whole without its nodes
// (Assign::carry_whole) instead of shipping them to be compared one by one.

#include <map>
#include <string>

#include "broker/partitioner.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

// 32 hex digits (the first 128 bits of a SHA-256); "" when the manifest does not hold the assignment's root.
std::string assignment_digest(const AssignmentSpec& assignment, const MemorySource& manifest,
                              const std::map<std::string, std::string>& level_stamps, const JobSpec& spec);

}  // namespace ramify
