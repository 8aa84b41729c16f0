#include "engine/assignment_walk.hpp"

#include "engine/node_context.hpp"
#include "engine/record_buffer.hpp"
#include "hierarchy/memory_source.hpp"
#include "hierarchy/source_factory.hpp"
#include "hierarchy/walker.hpp"

namespace ramify {

WalkOutcome walk_assignment(const Assign& assignment, const JobSpec& spec, Curator& curator, EventSink& events,
                            std::size_t slot, const CancelToken& cancel, InputProvider* inputs,
                            const CuratorOptions& options, WalkHooks hooks) {
  const AssignmentRef ref{assignment.id, assignment.attempt};
  std::unique_ptr<HierarchySource> source;
  if (!spec.get("job", "manifest").empty()) {
    source = std::make_unique<MemorySource>(assignment.root, assignment.nodes);
  } else {
    source = directory_source(spec);
  }
  const WalkPlan plan{assignment.root, assignment.ancestors, assignment.order,
                      assignment.kind == AssignmentKind::shallow, assignment.data};
  if (hooks.skip == 0) {  // a resumed slot process brings its own resume point
    hooks.skip = assignment.skip;
    hooks.resume_data = assignment.resume_data;
  }
  RecordBuffer records(events, slot);
  const NodeContext::Services services{records, options, source.get(), &cancel, inputs};
  NodeRunner runner(curator, records, events, services, WalkRules::from(spec), slot, ref, plan.shallow,
                    std::move(hooks));
  const WalkResult walked = walk(*source, plan, runner);
  records.flush();

  WalkOutcome outcome;
  outcome.done.id = assignment.id;
  outcome.done.attempt = assignment.attempt;
  outcome.done.nodes = runner.counts().nodes;
  outcome.done.failures = runner.counts().failures;
  outcome.done.skipped = runner.counts().skipped;
  outcome.done.complete = walked.finished;
  outcome.done.root_fields = runner.root_fields();
  outcome.done.root_data = runner.root_data();
  outcome.recycled = runner.recycled();
  outcome.visits = runner.visits();
  if (outcome.recycled || runner.handed_back()) outcome.open_data = runner.open_data();
  // A hand-back asked for after the last node hands back nothing: the walk is complete.
  if (runner.cut_short() || (runner.handed_back() && !walked.finished)) {
    outcome.done.complete = false;
    outcome.done.handed_back = true;
    outcome.done.resume_visits = outcome.visits;
    outcome.done.resume_data = outcome.open_data;
  }
  return outcome;
}

void finalize_curator(Curator& curator, EventSink& events, std::size_t slot, const CancelToken& cancel,
                      InputProvider* inputs, const CuratorOptions& options) {
  RecordBuffer records(events, slot);
  const NodeContext::Services services{records, options, nullptr, &cancel, inputs};
  NodeContext ctx(nullptr, nullptr, services, AssignmentRef{});
  try {
    curator.finalize(ctx);
  } catch (const std::exception& e) {
    ctx.error(std::string("finalize failed: ") + e.what());
  }
  records.flush();
}

}  // namespace ramify
