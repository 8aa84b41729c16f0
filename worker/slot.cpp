#include "worker/slot.hpp"

#include "common/directory_source.hpp"
#include "common/logging.hpp"
#include "common/memory_source.hpp"
#include "common/walker.hpp"
#include "worker/curator_factory.hpp"
#include "worker/node_context.hpp"
#include "worker/node_runner.hpp"
#include "worker/record_buffer.hpp"

namespace ramify {

Slot::Slot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs)
    : index_(index), spec_(spec), curator_options_(spec.section("curator")), events_(events), inputs_(inputs) {}

Slot::~Slot() {
  close(false);
  cancel_all();
  join();
}

void Slot::start() { thread_ = std::thread([this] { main(); }); }

void Slot::assign(Assign assignment) {
  running = AssignmentRef{assignment.id, assignment.attempt};
  {
    std::lock_guard lock(mutex_);
    next_ = std::move(assignment);
  }
  wake_.notify_one();
}

void Slot::cancel(const AssignmentRef& ref) {
  std::lock_guard lock(mutex_);
  if (current_ && *current_ == ref) cancel_.cancel();
  if (next_ && next_->id == ref.id && next_->attempt == ref.attempt) next_.reset();
}

void Slot::cancel_running() {
  std::lock_guard lock(mutex_);
  next_.reset();
  if (current_) cancel_.cancel();
}

void Slot::cancel_all() {
  {
    std::lock_guard lock(mutex_);
    cancel_all_ = true;
    next_.reset();
  }
  cancel_.cancel();
  wake_.notify_one();
}

void Slot::close(bool finalize) {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    finalize_ = finalize;
  }
  wake_.notify_one();
}

void Slot::join() {
  if (thread_.joinable()) thread_.join();
}

void Slot::main() {
  try {
    curator_ = make_curator(spec_);
  } catch (const std::exception& e) {
    logger("worker")->error("slot {}: cannot build the curator: {}", index_, e.what());
  }
  while (true) {
    Assign assignment;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return next_.has_value() || closing_ || cancel_all_; });
      if (!next_) break;
      assignment = std::move(*next_);
      next_.reset();
      current_ = AssignmentRef{assignment.id, assignment.attempt};
      if (!cancel_all_) cancel_.reset();
    }
    run_assignment(assignment);
    std::lock_guard lock(mutex_);
    current_.reset();
  }
  bool finalize = false;
  {
    std::lock_guard lock(mutex_);
    finalize = finalize_ && !cancel_all_;
  }
  if (finalize && curator_) finalize_curator();
  SlotEvent exited;
  exited.kind = SlotEvent::Kind::exited;
  exited.slot = index_;
  events_.push(std::move(exited));
}

void Slot::run_assignment(const Assign& assignment) {
  const AssignmentRef ref{assignment.id, assignment.attempt};
  SlotEvent started;
  started.kind = SlotEvent::Kind::started;
  started.slot = index_;
  started.assignment = ref;
  events_.push(std::move(started));

  RecordBuffer records(events_, index_);
  NodeCounts counts;
  bool complete = false;
  std::vector<std::pair<std::string, std::string>> root_fields;
  Data root_data;
  if (curator_) {
    std::unique_ptr<HierarchySource> source;
    if (!spec_.get("job", "manifest").empty()) {
      source = std::make_unique<MemorySource>(assignment.root, assignment.nodes);
    } else {
      source = std::make_unique<DirectorySource>(spec_.get("job", "root"), spec_.levels());
    }
    WalkPlan plan{assignment.root, assignment.ancestors, assignment.order,
                  assignment.kind == AssignmentKind::shallow, assignment.data};
    const NodeContext::Services services{records, curator_options_, source.get(), &cancel_, inputs_};
    NodeRunner runner(*curator_, records, events_, services, WalkRules::from(spec_), index_, ref, plan.shallow);
    walk(*source, plan, runner);
    counts = runner.counts();
    complete = !runner.stopped();
    root_fields = runner.root_fields();
    root_data = runner.root_data();
  }
  records.flush();

  SlotEvent done;
  done.kind = SlotEvent::Kind::done;
  done.slot = index_;
  done.assignment = ref;
  done.done.id = assignment.id;
  done.done.attempt = assignment.attempt;
  done.done.nodes = counts.nodes;
  done.done.failures = counts.failures;
  done.done.skipped = counts.skipped;
  done.done.complete = complete;
  done.done.root_fields = std::move(root_fields);
  done.done.root_data = std::move(root_data);
  events_.push(std::move(done));
}

void Slot::finalize_curator() {
  RecordBuffer records(events_, index_);
  const NodeContext::Services services{records, curator_options_, nullptr, &cancel_, inputs_};
  NodeContext ctx(nullptr, nullptr, services, AssignmentRef{});
  try {
    curator_->finalize(ctx);
  } catch (const std::exception& e) {
    ctx.error(std::string("finalize failed: ") + e.what());
  }
  records.flush();
}

}  // namespace ramify
