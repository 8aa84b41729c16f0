#include "slots/process_slot.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "curators/process_runner.hpp"
#include "engine/record_buffer.hpp"
#include "protocol/codec.hpp"
#include "slots/slot_channel.hpp"
#include "slots/slot_child.hpp"
#include "util/logging.hpp"

namespace ramify {

ProcessSlot::ProcessSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs,
                         ForkServer& forks)
    : QueuedSlot(index, events),
      spec_(spec),
      inputs_(inputs),
      forks_(forks),
      memory_limit_(parse_bytes(spec.get("job", "slot_memory_limit"), "job.slot_memory_limit")) {
  progress_ = map_slot_progress(progress_fd_);
}

ProcessSlot::~ProcessSlot() {
  shut_down();
  stop_child();
  unmap_slot_progress(progress_);
  ::close(progress_fd_);
}

void ProcessSlot::on_taken(bool aborted) { cancel_current_ = aborted; }

void ProcessSlot::set_draining(bool on) {
  if (progress_->draining.load() != 2) progress_->draining.store(on ? 1 : 2);
}

void ProcessSlot::interrupt() {
  cancel_current_ = true;
  if (child_.pid > 0) kill(child_.pid, SIGUSR1);
}

bool ProcessSlot::spawn() {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return false;
  pid_t pid = -1;
  try {
    pid = forks_.spawn(pair[1], progress_fd_);
  } catch (const std::exception& e) {
    logger("worker")->error("slot {}: {}", index_, e.what());
  }
  ::close(pair[1]);
  if (pid <= 0 || !write_frame(pair[0], SlotFrame::spec, pack_frame(spec_.entries()))) {
    ::close(pair[0]);
    return false;
  }
  std::lock_guard lock(mutex_);
  child_ = Child{pid, pair[0]};
  killed_for_memory_.clear();
  return true;
}

void ProcessSlot::stop_child() {
  Child child;
  {
    std::lock_guard lock(mutex_);
    child = child_;
    child_ = Child{};
  }
  if (child.pid <= 0) return;
  ::close(child.fd);
  if (!forks_.wait_status(child.pid, std::chrono::milliseconds(2000))) {
    kill(child.pid, SIGKILL);
    forks_.wait_status(child.pid, std::chrono::milliseconds(2000));
  }
}

void ProcessSlot::after_last(bool finalize) {
  if (finalize && child_.pid <= 0) spawn();  // finalize runs in a slot process too
  if (child_.pid > 0 && write_frame(child_.fd, SlotFrame::exit, pack_frame(finalize))) {
    const auto deadline = std::chrono::steady_clock::now() + kFinalizeTimeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        logger("worker")->error("slot {}: the curator's finalize() did not end within {} s; stopping its process",
                                index_, std::chrono::duration_cast<std::chrono::seconds>(kFinalizeTimeout).count());
        break;
      }
      pollfd fd{child_.fd, POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0) continue;
      auto frame = read_frame(child_.fd);
      if (!frame) break;
      if (frame->first == SlotFrame::records) {
        auto records = unpack_frame<SlotRecords>(frame->second);
        push_records(records);
      }
      if (frame->first == SlotFrame::input_request) answer_input_request(frame->second);  // finalize() may read one
      if (frame->first == SlotFrame::finalized) break;
    }
  }
  stop_child();
}

void ProcessSlot::answer_input_request(const std::string& body) {
  SlotInputPath answer;
  try {
    if (!inputs_) throw std::runtime_error("the job has no inputs");
    answer.path = inputs_->input_path(unpack_frame<std::string>(body));
  } catch (const std::exception& e) {
    answer.error = e.what();
  }
  write_frame(child_.fd, SlotFrame::input_path, pack_frame(answer));
}

void ProcessSlot::push_records(const SlotRecords& records) {
  SlotEvent event;
  event.kind = SlotEvent::Kind::records;
  event.slot = index_;
  event.record_count = records.count;
  event.records = records.records;
  event.outcomes = records.outcomes;
  event.skipped_outcomes = records.skipped_outcomes;
  events_.push(std::move(event));
}

void ProcessSlot::run(const Assign& assignment) {
  const AssignmentRef ref{assignment.id, assignment.attempt};

  Done total;
  total.id = assignment.id;
  total.attempt = assignment.attempt;
  std::uint64_t visits = assignment.skip;  // a handed-back assignment resumes where it was left
  OpenData open_data = assignment.resume_data;  // from a recycled process to the next (a process that died leaves none)
  bool first_run = assignment.skip == 0;
  while (true) {
    if (child_.pid <= 0 && !spawn()) {
      total.complete = false;
      break;
    }
    Done part;
    const Ending ending = serve(assignment, part, visits, open_data);
    total.nodes += part.nodes;
    total.failures += part.failures;
    total.skipped += part.skipped;
    if (first_run) {  // the root was visited by the first process
      total.root_fields = part.root_fields;
      total.root_data = part.root_data;
      first_run = false;
    }
    if (ending == Ending::done) {
      total.complete = part.complete;
      break;
    }
    if (ending == Ending::cancelled) {
      total.complete = false;
      break;
    }
    if (ending == Ending::handed_back) {
      total.complete = false;
      total.handed_back = true;
      total.resume_visits = visits;
      total.resume_data = std::move(open_data);
      break;
    }
    // died or recycled: a fresh process resumes after `visits`
  }
  SlotEvent done;
  done.kind = SlotEvent::Kind::done;
  done.slot = index_;
  done.assignment = ref;
  done.done = std::move(total);
  events_.push(std::move(done));
}

ProcessSlot::Ending ProcessSlot::serve(const Assign& assignment, Done& part, std::uint64_t& visits,
                                       OpenData& open_data) {
  // The page describes this assignment only (the process is idle between frames).
  progress_->busy.store(0, std::memory_order_relaxed);
  progress_->visits.store(visits, std::memory_order_release);
  if (!write_frame(child_.fd, SlotFrame::assign, pack_frame(SlotAssign{assignment, visits, open_data}))) {
    report_death(assignment, part, visits, "");
    return Ending::died;
  }
  while (true) {
    pollfd fd{child_.fd, POLLIN, 0};
    if (poll(&fd, 1, 100) == 0) {
      // Between frames: a process far past its memory limit is stopped here.
      const std::uint64_t resident = resident_bytes(child_.pid);
      if (memory_limit_ > 0 && resident > 2 * memory_limit_) {
        killed_for_memory_ = "it exceeded slot_memory_limit (resident " + std::to_string(resident >> 20) +
                             " MiB, limit " + std::to_string(memory_limit_ >> 20) + " MiB)";
        kill(child_.pid, SIGKILL);
      }
      continue;
    }
    auto frame = read_frame(child_.fd);
    if (!frame) {
      report_death(assignment, part, visits, killed_for_memory_);
      bool cancelled = false;
      {
        std::lock_guard lock(mutex_);
        cancelled = cancel_current_;
      }
      return cancelled ? Ending::cancelled : Ending::died;
    }
    switch (frame->first) {
      case SlotFrame::records: {
        auto records = unpack_frame<SlotRecords>(frame->second);
        push_records(records);
        break;
      }
      case SlotFrame::node_failed: {
        SlotEvent event;
        event.kind = SlotEvent::Kind::node_failed;
        event.slot = index_;
        event.assignment = AssignmentRef{assignment.id, assignment.attempt};
        event.failed = decode<NodeFailed>(frame->second);
        events_.push(std::move(event));
        break;
      }
      case SlotFrame::input_request:
        answer_input_request(frame->second);
        break;
      case SlotFrame::done:
        part = decode<Done>(frame->second);
        return Ending::done;
      case SlotFrame::recycle: {
        auto recycle = unpack_frame<SlotRecycle>(frame->second);
        part = recycle.partial;
        visits = recycle.visits;
        open_data = std::move(recycle.open_data);
        stop_child();
        return recycle.hand_back ? Ending::handed_back : Ending::recycled;
      }
      case SlotFrame::error:
        logger("worker")->error("slot {}: {}", index_, unpack_frame<std::string>(frame->second));
        stop_child();
        return Ending::cancelled;
      default:
        break;
    }
  }
}

std::string ProcessSlot::death_reason(int status) const {
  if (!killed_for_memory_.empty()) return killed_for_memory_;
  if (WIFSIGNALED(status)) return "it was killed by signal " + signal_name(WTERMSIG(status));
  if (WIFEXITED(status)) return "it exited with status " + std::to_string(WEXITSTATUS(status));
  return "it ended";
}

// The slot process is gone: the node it was curating (if any) fails with the
// reason, and the next process resumes after it.
void ProcessSlot::report_death(const Assign& assignment, Done& part, std::uint64_t& visits, const std::string& why) {
  const pid_t pid = child_.pid;
  {
    std::lock_guard lock(mutex_);
    ::close(child_.fd);
    child_ = Child{};
  }
  const auto status = forks_.wait_status(pid, std::chrono::milliseconds(2000));
  const std::string reason = why.empty() ? death_reason(status.value_or(0)) : why;
  const std::uint64_t started = progress_->visits.load(std::memory_order_acquire);
  bool cancelled = false;
  {
    std::lock_guard lock(mutex_);
    cancelled = cancel_current_;
  }
  const bool busy = progress_->busy.load(std::memory_order_acquire) == 1;
  // Nodes this process finished before it died (an estimate: excluded files count too).
  if (started > visits) part.nodes += started - visits - (busy ? 1 : 0);
  if (busy && started > visits && !cancelled) {
    LogRecord outcome;
    outcome.kind = RecordKind::outcome;
    outcome.status = Status::failed;
    outcome.severity = Severity::error;
    outcome.ts_us = now_us();
    outcome.container_id = progress_text(progress_->id, sizeof progress_->id);
    outcome.container_type = progress_text(progress_->level, sizeof progress_->level);
    outcome.label = progress_text(progress_->label, sizeof progress_->label);
    outcome.search_key = progress_text(progress_->search_key, sizeof progress_->search_key);
    outcome.err = "the slot process died while curating this node: " + reason;
    outcome.resolved = false;
    outcome.assignment = assignment.id;
    outcome.attempt = assignment.attempt;
    push_records(SlotRecords{1, encode_records({outcome}), 1, 0});
    SlotEvent failed;
    failed.kind = SlotEvent::Kind::node_failed;
    failed.slot = index_;
    failed.assignment = AssignmentRef{assignment.id, assignment.attempt};
    failed.failed = NodeFailed{kProtocolVersion, assignment.id, assignment.attempt, outcome.container_id,
                               outcome.container_type, outcome.err};
    events_.push(std::move(failed));
    ++part.nodes;
    ++part.failures;
    logger("worker")->warn("slot {}: {} (node {}); a fresh slot process takes over", index_, reason,
                           outcome.container_id);
  }
  visits = std::max(visits, started);
}

}  // namespace ramify
