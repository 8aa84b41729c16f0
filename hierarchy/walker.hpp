#pragma once
// Walks one assignment: its root and the nodes below it, depth-first
// (pre-order) or breadth-first, children in byte order of their labels.

#include <memory>
#include <string>
#include <vector>

#include "hierarchy/hierarchy_source.hpp"
#include "protocol/protocol_enums.hpp"
#include "ramify/curator.hpp"

namespace ramify {

// A node being visited, with the chain above it. `data` starts as a copy of
// the parent's data (after the parent was visited) and may be changed by the
// visit; the node's children then start from that copy.
struct WalkFrame {
  Node node;
  std::shared_ptr<WalkFrame> parent;  // null above the first known ancestor
  Data data;
  std::string search_key;  // labels from the hierarchy's root, joined by '/'
  bool above_assignment = false;  // an ancestor of the assignment's root (never visited)
  std::size_t unfinished_children = 0;

  // The hierarchy's root first, the parent last.
  std::vector<Node> ancestors() const;
};

class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  // Called once per node, parents before children. `listing_error` is set
  // when the node is a container whose children could not be listed.
  // Returns false to leave the node's children out (prune).
  virtual bool visit(WalkFrame& frame, const ChildListing& listing) = 0;
  // Called for a container once it and everything below it were visited
  // (post-order); not called for files, nor for what an early stop cut short.
  virtual void leave(WalkFrame& /*frame*/) {}
  // Checked between nodes: true ends the walk early.
  virtual bool stopped() const = 0;
};

struct WalkPlan {
  Node root;
  std::vector<Node> ancestors;  // above `root`: the hierarchy's root first
  WalkOrder order = WalkOrder::depth;
  bool shallow = false;         // visit the root and its files only
  Data data;                    // the data `root` starts with
};

struct WalkResult {
  std::size_t visited = 0;
  bool finished = false;  // every node of the plan was visited (no early stop)
};

WalkResult walk(HierarchySource& source, const WalkPlan& plan, WalkVisitor& visitor);

}  // namespace ramify
