#pragma once
// Applies the curator's hooks to every node the walker visits and emits one
// outcome row per visited node: prune (the subtree is left out, the node's
// outcome is "skipped"), validate (false: "skipped", children still walked),
// curate (an exception or ctx.fail() makes it "failed").

#include <cstdint>

#include "common/walker.hpp"
#include "worker/cancel_token.hpp"
#include "worker/event_queue.hpp"
#include "worker/record_buffer.hpp"

namespace ramify {

struct NodeCounts {
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
};

class NodeRunner : public WalkVisitor {
 public:
  NodeRunner(Curator& curator, HierarchySource& source, RecordBuffer& records, EventQueue& events,
             const std::map<std::string, std::string>& options, const CancelToken& cancel, std::size_t slot,
             AssignmentRef assignment);

  bool visit(WalkFrame& frame, const ChildListing& listing) override;
  // With `stop_at_failure` (on_failure = kill), the walk ends at the first failed node.
  void stop_at_failure(bool stop) { stop_at_failure_ = stop; }
  bool stopped() const override { return cancel_.cancelled() || (stop_at_failure_ && counts_.failures > 0); }
  const NodeCounts& counts() const { return counts_; }

 private:
  Curator& curator_;
  HierarchySource& source_;
  RecordBuffer& records_;
  EventQueue& events_;
  const std::map<std::string, std::string>& options_;
  const CancelToken& cancel_;
  std::size_t slot_;
  AssignmentRef assignment_;
  NodeCounts counts_;
  bool stop_at_failure_ = false;
};

}  // namespace ramify
