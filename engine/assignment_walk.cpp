#include "engine/assignment_walk.hpp"

#include <optional>

#include "engine/incremental_scan.hpp"
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
  const bool tree = spec.get("job", "manifest").empty();
  const bool incremental = !assignment.level_stamps.empty();
  std::unique_ptr<HierarchySource> source;
  if (!tree) {
    source = std::make_unique<MemorySource>(assignment.root, assignment.nodes);
  } else {
    auto directory = directory_source(spec);
    if (incremental) directory->keep_stamps();
    source = std::move(directory);
  }
  const WalkPlan plan{assignment.root, assignment.ancestors, assignment.order,
                      assignment.kind == AssignmentKind::shallow, assignment.data};
  if (hooks.skip == 0) {  // a resumed slot process brings its own resume point
    hooks.skip = assignment.skip;
    hooks.resume_data = assignment.resume_data;
  }
  // Incremental: a first pass decides what is carried over; the walk reads its listings again.
  HierarchySource* walked_source = source.get();
  std::optional<ListingCache> listings;
  std::optional<IncrementalScan> scan;
  const WalkRules rules = WalkRules::from(spec);
  if (incremental) {
    listings.emplace(*source);
    walked_source = &*listings;
    scan.emplace(*listings, plan, rules, assignment, tree, dynamic_cast<const CarryAware*>(&curator));
  }
  RecordBuffer records(events, slot);
  const NodeContext::Services services{records, options, walked_source, &cancel, inputs};
  NodeRunner runner(curator, records, events, services, rules, slot, ref, plan.shallow, std::move(hooks));
  if (scan) runner.carry_over(&*scan);
  const WalkResult walked = walk(*walked_source, plan, runner);
  runner.flush_carried_files();
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
