#include "hierarchy/walker.hpp"

#include <deque>

namespace ramify {

std::vector<Node> WalkFrame::ancestors() const {
  std::vector<Node> chain;
  for (const WalkFrame* f = parent.get(); f; f = f->parent.get()) chain.push_back(f->node);
  return std::vector<Node>(chain.rbegin(), chain.rend());
}

namespace {

std::shared_ptr<WalkFrame> child_frame(const std::shared_ptr<WalkFrame>& parent, Node node) {
  auto frame = std::make_shared<WalkFrame>();
  frame->search_key = parent ? parent->search_key + "/" + node.label : node.label;
  frame->node = std::move(node);
  frame->parent = parent;
  if (parent) frame->data = parent->data;
  return frame;
}

// A frame whose subtree is complete: leave it, and perhaps its parents.
void finish(WalkFrame* frame, WalkVisitor& visitor) {
  while (frame && !frame->above_assignment) {
    if (!frame->node.is_file) visitor.leave(*frame);
    WalkFrame* parent = frame->parent.get();
    if (!parent || parent->above_assignment || --parent->unfinished_children > 0) return;
    frame = parent;
  }
}

}  // namespace

WalkResult walk(HierarchySource& source, const WalkPlan& plan, WalkVisitor& visitor) {
  std::shared_ptr<WalkFrame> above;
  for (const Node& ancestor : plan.ancestors) {
    above = child_frame(above, ancestor);
    above->above_assignment = true;
  }
  auto first = child_frame(above, plan.root);
  first->data = plan.data;

  // Depth-first pops from the back of a stack; breadth-first from the front of a queue.
  std::deque<std::shared_ptr<WalkFrame>> pending{first};
  std::size_t visited = 0;
  const bool depth_first = plan.order == WalkOrder::depth;
  while (!pending.empty() && !visitor.stopped()) {
    std::shared_ptr<WalkFrame> frame;
    if (depth_first) {
      frame = std::move(pending.back());
      pending.pop_back();
    } else {
      frame = std::move(pending.front());
      pending.pop_front();
    }
    ChildListing listing;
    if (!frame->node.is_file) listing = source.children(frame->node);
    ++visited;
    if (!visitor.visit(*frame, listing)) {
      finish(frame.get(), visitor);
      continue;
    }
    const bool files_only = plan.shallow && frame.get() == first.get();
    std::vector<std::shared_ptr<WalkFrame>> children;
    children.reserve(listing.children.size());
    for (Node& child : listing.children) {
      if (files_only && !child.is_file) continue;
      children.push_back(child_frame(frame, std::move(child)));
    }
    frame->unfinished_children = children.size();
    if (children.empty()) finish(frame.get(), visitor);
    if (depth_first) {
      pending.insert(pending.end(), children.rbegin(), children.rend());
    } else {
      pending.insert(pending.end(), children.begin(), children.end());
    }
  }
  return WalkResult{visited, pending.empty()};
}

}  // namespace ramify
