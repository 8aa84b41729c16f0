#pragma once
// Splits a hierarchy into assignments. Containers above the partition depth
// are curated once each, in "shallow" assignments (the container and its
// files), before anything below them; every container at the partition depth
// becomes one "subtree" assignment that waits for its parent's shallow one.
//
// Splitting: when subtree sizes are known, a subtree larger than
// `split_above` nodes is not one assignment but a shallow one for its root
// and, below it, its containers in turn (split again while too large), so
// that one huge subject cannot hold the run back. Each assignment carries its
// weight (nodes), and the broker dispatches the heaviest ready one first.

#include <cstdint>
#include <optional>
#include <vector>

#include "hierarchy/hierarchy_source.hpp"
#include "protocol/protocol_enums.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class MemorySource;

struct AssignmentSpec {
  std::uint64_t id = 0;
  AssignmentKind kind = AssignmentKind::subtree;
  Node root;
  std::vector<Node> ancestors;  // the hierarchy's root first, the parent last
  std::vector<Node> nodes;      // manifest sources: what the worker walks below `root`
  std::optional<std::uint64_t> after;  // dispatched only once this assignment is done
  std::uint64_t weight = 1;            // nodes it curates (estimated when sizes are unknown)
};

struct PartitionOptions {
  std::size_t depth = 1;          // the partition level's depth (0: the root)
  bool split = false;             // split subtrees larger than split_above
  std::uint64_t split_above = 0;  // 0 with split: the hierarchy's size / 64
  bool with_nodes = true;         // fill AssignmentSpec::nodes now (false: assignment_nodes() at dispatch)
};

// The options a job's spec gives (partition_level, split, split_above).
PartitionOptions partition_options(const JobSpec& spec, bool is_manifest);

// `manifest` is the loaded manifest when the source is one (its nodes travel
// with the assignments), or null for a directory tree (workers read it; it is
// counted on the broker only when splitting).
std::vector<AssignmentSpec> partition(HierarchySource& source, const PartitionOptions& options,
                                      const MemorySource* manifest);

// The manifest nodes an assignment carries: a shallow one's files, a subtree's
// every node below its root (what AssignmentSpec::nodes holds with with_nodes).
std::vector<Node> assignment_nodes(const AssignmentSpec& spec, const MemorySource& manifest);

}  // namespace ramify
