#include "worker/node_runner.hpp"

#include "worker/node_context.hpp"

namespace ramify {

NodeRunner::NodeRunner(Curator& curator, HierarchySource& source, RecordBuffer& records, EventQueue& events,
                       const std::map<std::string, std::string>& options, const CancelToken& cancel,
                       std::size_t slot, AssignmentRef assignment)
    : curator_(curator),
      source_(source),
      records_(records),
      events_(events),
      options_(options),
      cancel_(cancel),
      slot_(slot),
      assignment_(assignment) {}

bool NodeRunner::visit(WalkFrame& frame, const ChildListing& listing) {
  NodeContext ctx(&frame, records_, options_, &source_, cancel_, assignment_);
  const Node& node = frame.node;
  bool descend = true;
  try {
    for (const auto& warning : listing.warnings) ctx.warn(warning);
    if (curator_.prune(node, ctx)) {
      ctx.skip("pruned: the subtree is left out");
      descend = false;
    } else if (!curator_.validate(node, ctx)) {
      ctx.skip("not curated: validate() declined the node");
    } else {
      curator_.curate(node, ctx);
    }
  } catch (const std::exception& e) {
    ctx.fail(e.what());
  } catch (...) {
    ctx.fail("the curator threw an unknown exception");
  }
  if (!listing.error.empty()) ctx.fail(listing.error);

  // A node cut short by the abort is not a failure of its own.
  if (cancel_.cancelled() && ctx.status() != Status::ok) ctx.mark_interrupted();

  ++counts_.nodes;
  if (ctx.status() == Status::failed) ++counts_.failures;
  if (ctx.status() == Status::skipped) ++counts_.skipped;
  records_.add(ctx.outcome());

  if (ctx.status() == Status::failed) {
    records_.flush();  // the failing node's rows go out before the kill can stop this worker
    SlotEvent event;
    event.kind = SlotEvent::Kind::node_failed;
    event.slot = slot_;
    event.assignment = assignment_;
    event.failed.id = assignment_.id;
    event.failed.attempt = assignment_.attempt;
    event.failed.node_id = node.id;
    event.failed.container_type = node.level;
    event.failed.error = ctx.failure_text();
    events_.push(std::move(event));
  }
  return descend;
}

}  // namespace ramify
