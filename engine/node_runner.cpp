#include "engine/node_runner.hpp"

#include <chrono>
#include <thread>

#include "engine/incremental_scan.hpp"
#include "spec/name_globs.hpp"

namespace ramify {

namespace {

constexpr std::size_t kCarriedFilesPerMarker = 1000;  // a marker's names stay a few kilobytes

}  // namespace

WalkRules WalkRules::from(const JobSpec& spec) {
  WalkRules rules;
  rules.stop_level = spec.get("job", "stop_level");
  rules.exclude_files = spec.excluded_file_globs();
  rules.stop_at_failure = spec.on_failure() == FailurePolicy::kill && spec.max_failures() == 0;
  return rules;
}

NodeRunner::NodeRunner(Curator& curator, RecordBuffer& records, EventSink& events,
                       const NodeContext::Services& services, WalkRules rules, std::size_t slot,
                       AssignmentRef assignment, bool shallow, WalkHooks hooks)
    : curator_(curator),
      records_(records),
      events_(events),
      services_(services),
      rules_(std::move(rules)),
      slot_(slot),
      assignment_(assignment),
      shallow_(shallow),
      hooks_(std::move(hooks)) {}

bool NodeRunner::excluded(const Node& node) const {
  return node.is_file && matches_any_glob(rules_.exclude_files, node.label);
}

bool NodeRunner::visit(WalkFrame& frame, const ChildListing& listing) {
  const Node& node = frame.node;
  const bool is_root = root_frame_ == nullptr;
  if (is_root) root_frame_ = &frame;
  const std::uint64_t index = visits_++;
  if (excluded(node)) return false;  // not visited: no row at all

  const CarryVerdict* verdict = scan_ ? scan_->find(node.id) : nullptr;
  if (verdict && verdict->carried) {
    if (index >= hooks_.skip) carry(frame, *verdict, is_root);  // else carried before the restart
    carried_frames_.insert(&frame);
    return !verdict->whole;  // below a container carried alone, something is curated again
  }
  flush_carried_files();
  NodeContext ctx(&frame, &listing, services_, assignment_);
  bool descend = rules_.stop_level.empty() || node.level != rules_.stop_level;
  if (index < hooks_.skip) {  // curated before a restart: only its prune decision is needed again
    resumed_frames_.insert(&frame);
    if (auto saved = hooks_.resume_data.find(node.id); saved != hooks_.resume_data.end()) {
      frame.data = saved->second;  // what its curate left for its children
      open_data_[node.id] = saved->second;
    }
    try {
      return !curator_.prune(node, ctx) && descend;
    } catch (...) {
      return descend;  // as in the first walk: a prune that throws fails the node, and the walk goes on below
    }
  }
  if (hooks_.on_node) hooks_.on_node(index, frame);
  const auto started_wall = std::chrono::system_clock::now();
  const auto started = std::chrono::steady_clock::now();
  try {
    for (const auto& warning : listing.warnings) ctx.warn(warning);
    if (curator_.prune(node, ctx)) {
      ctx.skip("pruned: the subtree is left out");
      descend = false;
    } else if (!curator_.validate(node, ctx)) {
      // A curator says why with ctx.skip(reason); else the generic reason.
      if (ctx.status() == Status::ok) ctx.skip("not curated: validate() declined the node");
    } else {
      curator_.curate(node, ctx);
    }
  } catch (const std::exception& e) {
    ctx.fail(e.what());
  } catch (...) {
    ctx.fail("the curator threw an unknown exception");
  }
  if (!listing.error.empty()) ctx.fail(listing.error);

  const bool cancelled = services_.cancel && services_.cancel->cancelled();
  if (ctx.status() == Status::failed && hooks_.draining && !cancelled &&
      ctx.failure_text().find("killed by signal SIGTERM") != std::string::npos)
    await_drain();
  if (ctx.status() != Status::ok && (cancelled || ctx.status() == Status::failed) && hooks_.draining &&
      hooks_.draining()) {
    // Cut short by the drain: curated again by whoever resumes at this visit.
    visits_ = index;
    handed_back_ = cut_short_ = true;
    return false;
  }
  // A node cut short by the abort is not a failure of its own.
  if (cancelled && ctx.status() != Status::ok) ctx.mark_interrupted();

  ++counts_.nodes;
  if (ctx.status() == Status::failed) ++counts_.failures;
  if (ctx.status() == Status::skipped) ++counts_.skipped;
  const auto ended = std::chrono::steady_clock::now();
  LogRecord outcome = ctx.outcome();
  outcome.start_us =
      std::chrono::duration_cast<std::chrono::microseconds>(started_wall.time_since_epoch()).count();
  outcome.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(ended - started).count();
  if (verdict) outcome.stamp = verdict->stamp;
  records_.add(std::move(outcome));
  if (hooks_.flush_each_node) records_.flush();
  if (is_root) {
    root_fields_.clear();
    for (const Field& field : ctx.fields()) root_fields_.emplace_back(field.key, field.value);
    root_data_ = frame.data;
  }

  if (ctx.status() == Status::failed) report_failure(node, ctx.failure_text());
  if (!node.is_file && descend && !frame.data.empty()) open_data_[node.id] = frame.data;
  const bool worn_out = hooks_.stop_after_node && hooks_.stop_after_node();
  if (hooks_.hand_back_now && hooks_.hand_back_now()) {
    handed_back_ = true;
  } else if (worn_out) {
    recycled_ = true;
  }
  return descend;
}

// A scheduler's SIGTERM (scancel, a pod's end) reaches a node's command and
// this worker in no set order: a command killed by SIGTERM gives the worker's
// own signal up to half a second to arrive before its node counts as failed.
void NodeRunner::await_drain() const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (!hooks_.draining() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void NodeRunner::carry(WalkFrame& frame, const CarryVerdict& verdict, bool is_root) {
  const Node& node = frame.node;
  if (auto* aware = dynamic_cast<CarryAware*>(&curator_)) aware->carried(node, verdict.last->fields);
  ++counts_.nodes;
  const auto slash = frame.search_key.rfind('/');
  if (node.is_file && !is_root && frame.parent && slash != std::string::npos &&
      node.label.find('\n') == std::string::npos) {
    if (carried_files_.count > 0 && (carried_files_.parent_id != frame.parent->node.id ||
                                     carried_files_.count >= kCarriedFilesPerMarker))
      flush_carried_files();
    if (carried_files_.count == 0) {
      carried_files_.parent_key = frame.search_key.substr(0, slash);
      carried_files_.parent_id = frame.parent->node.id;
    }
    carried_files_.names += node.label;
    carried_files_.names += '\n';
    ++carried_files_.count;
    return;
  }
  flush_carried_files();
  // What the sink carries over: the node alone, its subtree, or (a shallow
  // assignment's root) itself and its files, the folders below being other assignments.
  const char* scope = !verdict.whole ? "node" : is_root && shallow_ ? "files" : "subtree";
  LogRecord marker = carried_marker(node.id, frame.search_key, scope);
  marker.container_type = node.level;
  marker.label = node.label;
  marker.stamp = verdict.stamp;
  emit_marker(std::move(marker));
  if (is_root) root_fields_ = verdict.last->fields;  // what finalize_run sees of this assignment
}

void NodeRunner::flush_carried_files() {
  if (carried_files_.count == 0) return;
  LogRecord marker = carried_marker(carried_files_.parent_id, carried_files_.parent_key, "listed");
  marker.fields.push_back(Field{"names", std::move(carried_files_.names), FieldType::text});
  carried_files_ = CarriedFiles{};
  emit_marker(std::move(marker));
}

LogRecord NodeRunner::carried_marker(const std::string& id, const std::string& search_key, const char* scope) const {
  LogRecord marker;
  marker.kind = RecordKind::carried;
  marker.ts_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  marker.container_id = id;
  marker.search_key = search_key;
  marker.assignment = assignment_.id;
  marker.attempt = assignment_.attempt;
  marker.fields.push_back(Field{"carry", scope, FieldType::text});
  return marker;
}

void NodeRunner::emit_marker(LogRecord&& marker) {
  records_.add(std::move(marker));
  if (hooks_.flush_each_node) records_.flush();
}

void NodeRunner::leave(WalkFrame& frame) {
  flush_carried_files();
  if (cut_short_) return;  // the walker finishing a node that is handed back: nothing below it was curated
  if (carried_frames_.erase(&frame)) return;
  open_data_.erase(frame.node.id);
  if (resumed_frames_.erase(&frame)) return;  // its curate ran in the slot process before the restart
  NodeContext ctx(&frame, nullptr, services_, assignment_);
  try {
    curator_.leave(frame.node, ctx);
  } catch (const std::exception& e) {
    ctx.fail(e.what());
  }
  // A shallow assignment's root has only part of its subtree here: the run's
  // finalize on the broker reports its whole subtree instead (an incremental
  // run writes the part, for the store to keep).
  const bool partial = &frame == root_frame_ && shallow_;
  if (!ctx.fields().empty() && (!partial || scan_)) {
    LogRecord summary = ctx.outcome();
    summary.kind = RecordKind::log;
    summary.msg = partial ? kPartSummary : kSubtreeSummary;
    summary.status = Status::ok;
    records_.add(std::move(summary));
    if (hooks_.flush_each_node) records_.flush();  // a slot process may die on the next node
  }
  if (&frame == root_frame_)
    for (const Field& field : ctx.fields()) root_fields_.emplace_back(field.key, field.value);
  if (ctx.status() == Status::failed) {
    ctx.error("leaving the subtree failed: " + ctx.failure_text());
    ++counts_.failures;
    report_failure(frame.node, ctx.failure_text());
  }
}

void NodeRunner::report_failure(const Node& node, const std::string& error) {
  flush_carried_files();
  records_.flush();  // the failing node's rows go out before the kill can stop this worker
  SlotEvent event;
  event.kind = SlotEvent::Kind::node_failed;
  event.slot = slot_;
  event.assignment = assignment_;
  event.failed.id = assignment_.id;
  event.failed.attempt = assignment_.attempt;
  event.failed.node_id = node.id;
  event.failed.container_type = node.level;
  event.failed.error = error;
  events_.push(std::move(event));
}

}  // namespace ramify
