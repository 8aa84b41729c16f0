#pragma once
// An incremental walk's first pass (Assign::level_stamps set): lists the
// assignment's nodes, gives each its stamp ("NODE#CURATOR": the node's own
// fingerprint, for a container also its children's ids, then its level's
// curator fingerprint) and decides which are carried over: a node whose
// stored stamp matches (with rerun_failed_only: one stored at all; failed
// ones never are) and below which no data changed (nothing new, gone,
// changed or failed; with a curator that rolls up, nothing curated again).
// A container carried with everything below it is not walked further. A
// curator that cannot take carried nodes (not a CarryAware) carries all or
// nothing of an assignment.
//
// The listings are kept: the walk reads them from the ListingCache again
// instead of listing every folder twice. An assignment the broker found
// unchanged (Assign::carry_whole) is not scanned: its root is carried whole.

#include <memory>
#include <string>
#include <unordered_map>

#include "engine/node_runner.hpp"
#include "hierarchy/hierarchy_source.hpp"
#include "hierarchy/walker.hpp"
#include "protocol/messages.hpp"

namespace ramify {

// Serves each container's listing once from what the scan kept (without the
// stamp attribute), and from the source it wraps otherwise.
class ListingCache : public HierarchySource {
 public:
  explicit ListingCache(HierarchySource& source) : source_(source) {}
  Node root() override { return source_.root(); }
  ChildListing children(const Node& container) override;
  std::string local_path(const Node& node) const override { return source_.local_path(node); }
  // Lists a container for the scan and keeps the listing for the walk.
  const ChildListing& scan(const Node& container);

 private:
  HierarchySource& source_;
  std::unordered_map<std::string, ChildListing> kept_;
};

struct CarryVerdict {
  std::string stamp;                   // what the node's outcome row carries
  bool carried = false;                // not curated: its rows are carried over
  bool whole = false;                  // carried, and everything below it in the assignment too
  const BaselineNode* last = nullptr;  // what the store held of it
};

class IncrementalScan {
 public:
  // `tree`: a directory tree (stamps from its stat), else a manifest (from its fields).
  IncrementalScan(ListingCache& source, const WalkPlan& plan, const WalkRules& rules, const Assign& assignment,
                  bool tree, const CarryAware* curator);
  // Null for a node the scan did not see (curated, with no stamp).
  const CarryVerdict* find(const std::string& id) const;
  std::size_t carried() const { return carried_; }
  std::size_t scanned() const { return verdicts_.size(); }
  // Nodes seen that the store held (what a rerun would not report removed).
  std::size_t stored_seen() const;

 private:
  // Scans a node and what lies below it; returns whether its parent must be
  // curated again for it (its data changed, or it is curated again and the curator rolls up).
  bool scan(const Node& node, bool is_root);
  std::string node_stamp(const Node& node, bool is_root) const;

  ListingCache& source_;
  const WalkPlan& plan_;
  const WalkRules& rules_;
  const Assign& assignment_;
  bool tree_;
  bool rolls_up_;
  std::unordered_map<std::string, const BaselineNode*> stored_;
  std::unordered_map<std::string, CarryVerdict> verdicts_;
  std::size_t carried_ = 0;
};

}  // namespace ramify
