#pragma once
// Counts and bytes per container, rolled up to every ancestor.
//
// For each container the subtree totals are: `nodes` (the container and
// everything below it, as `find DIR | wc -l` counts), `files`, and `bytes`
// (apparent sizes of every node, folders included, as `du --apparent-size -b`).
// Inside an assignment a container's totals go out when it is left
// (post-order); the containers above the partition level, whose subtrees span
// assignments, get theirs from finalize_run on the broker.

#include <cstdint>
#include <unordered_map>

#include "ramify/carry.hpp"
#include "ramify/curator.hpp"

namespace ramify {

struct InventoryTotals {
  std::uint64_t nodes = 0;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  void add(const InventoryTotals& other) {
    nodes += other.nodes;
    files += other.files;
    bytes += other.bytes;
  }
  std::vector<Field> fields() const;
  static InventoryTotals from(const std::vector<std::pair<std::string, std::string>>& fields);
};

class InventoryCurator : public Curator, public CarryAware {
 public:
  void curate(const Node& node, Context& ctx) override;
  void leave(const Node& node, Context& ctx) override;
  bool rolls_up() const override { return true; }
  // A carried file counts as curated; a carried container adds its last subtree totals.
  void carried(const Node& node, const std::vector<std::pair<std::string, std::string>>& fields) override;
  void finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) override;

 private:
  std::unordered_map<std::string, InventoryTotals> open_;  // totals of containers not left yet, by id
};

}  // namespace ramify
