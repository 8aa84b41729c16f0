#include "curators/inventory_curator.hpp"

#include <map>

namespace ramify {
namespace {

std::uint64_t size_of(const Node& node) { return node.size > 0 ? static_cast<std::uint64_t>(node.size) : 0; }

std::string describe(const InventoryTotals& t) {
  return "inventory: " + std::to_string(t.nodes) + " node(s), " + std::to_string(t.files) + " file(s), " +
         std::to_string(t.bytes) + " byte(s)";
}

}  // namespace

std::vector<Field> InventoryTotals::fields() const {
  return {make_field("nodes", nodes), make_field("files", files), make_field("bytes", bytes)};
}

InventoryTotals InventoryTotals::from(const std::vector<std::pair<std::string, std::string>>& fields) {
  InventoryTotals t;
  for (const auto& [key, value] : fields) {
    std::uint64_t v = 0;
    try {
      v = std::stoull(value);
    } catch (const std::exception&) {
      continue;
    }
    if (key == "nodes") t.nodes = v;
    if (key == "files") t.files = v;
    if (key == "bytes") t.bytes = v;
  }
  return t;
}

void InventoryCurator::curate(const Node& node, Context& ctx) {
  const InventoryTotals own{1, node.is_file ? 1u : 0u, size_of(node)};
  if (node.is_file) {
    open_[node.parent].add(own);
    ctx.record("bytes", own.bytes);
  } else {
    open_[node.id].add(own);
  }
}

void InventoryCurator::leave(const Node& node, Context& ctx) {
  auto it = open_.find(node.id);
  const InventoryTotals totals = it == open_.end() ? InventoryTotals{} : it->second;
  if (it != open_.end()) open_.erase(it);
  for (Field& field : totals.fields()) ctx.record_field(std::move(field));
  open_[node.parent].add(totals);  // the parent is left later, in this assignment or on the broker
}

void InventoryCurator::carried(const Node& node, const std::vector<std::pair<std::string, std::string>>& fields) {
  open_[node.parent].add(node.is_file ? InventoryTotals{1, 1, size_of(node)} : InventoryTotals::from(fields));
}

void InventoryCurator::finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) {
  // Each assignment's totals cover its own part of the tree; a container
  // above the partition level sums its own part and every part below it.
  std::map<std::string, InventoryTotals> totals;
  std::map<std::string, Node> shallow_roots;
  for (const AssignmentResult& r : results)
    if (r.shallow) shallow_roots.emplace(r.root.id, r.root);
  for (const AssignmentResult& r : results) {
    const InventoryTotals part = InventoryTotals::from(r.fields);
    if (r.shallow) totals[r.root.id].add(part);
    for (const Node& ancestor : r.ancestors)
      if (shallow_roots.count(ancestor.id)) totals[ancestor.id].add(part);
  }
  for (const auto& [id, node] : shallow_roots) {
    const InventoryTotals& t = totals[id];
    ctx.log_fields_about(node, Severity::info, describe(t), t.fields());
  }
}

}  // namespace ramify
