#include "slots/slot_child.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>

#include "curators/curator_factory.hpp"
#include "engine/assignment_walk.hpp"
#include "protocol/codec.hpp"
#include "slots/slot_channel.hpp"
#include "slots/slot_progress.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

std::uint64_t resident_bytes(int pid) {
  std::ifstream statm(pid == 0 ? "/proc/self/statm" : "/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

namespace {

CancelToken* g_cancel = nullptr;

extern "C" void on_cancel_signal(int) {
  if (g_cancel) g_cancel->cancel();  // an atomic store and a write(): async-signal-safe
}

// A SIGTERM to the slot process is a scheduler ending the job's processes
// (Slurm signals every one): the worker decides when to stop; until then a
// node it cuts short is handed back, not failed.
volatile sig_atomic_t g_terminated = 0;
extern "C" void on_terminate_signal(int) { g_terminated = 1; }

// Events of the walk go straight to the worker.
class ChannelEvents : public EventSink {
 public:
  explicit ChannelEvents(int fd) : fd_(fd) {}
  void push(SlotEvent event) override {
    switch (event.kind) {
      case SlotEvent::Kind::records:
        send(SlotFrame::records, pack_frame(SlotRecords{event.record_count, std::move(event.records), event.outcomes,
                                                        event.skipped_outcomes}));
        break;
      case SlotEvent::Kind::node_failed:
        send(SlotFrame::node_failed, encode(event.failed));
        break;
      default:
        break;  // started and done are the slot process's own frames
    }
  }
  void send(SlotFrame type, const std::string& payload) {
    if (!write_frame(fd_, type, payload)) _exit(3);  // the worker is gone
  }

 private:
  int fd_;
};

// Shared inputs through the worker's cache.
class ChannelInputs : public InputProvider {
 public:
  explicit ChannelInputs(int fd) : fd_(fd) {}
  std::string input_path(const std::string& name) override {
    if (!write_frame(fd_, SlotFrame::input_request, pack_frame(name))) _exit(3);
    auto reply = read_frame(fd_);
    if (!reply || reply->first != SlotFrame::input_path) _exit(3);
    auto answer = unpack_frame<SlotInputPath>(reply->second);
    if (!answer.error.empty()) throw std::runtime_error(answer.error);
    return answer.path;
  }

 private:
  int fd_;
};

}  // namespace

void slot_child_main(int channel_fd, int progress_fd) {
  CancelToken cancel;
  g_cancel = &cancel;
  struct sigaction action {};
  action.sa_handler = on_cancel_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, nullptr);
  struct sigaction terminate {};
  terminate.sa_handler = on_terminate_signal;
  terminate.sa_flags = SA_RESTART;
  sigemptyset(&terminate.sa_mask);
  sigaction(SIGTERM, &terminate, nullptr);
  signal(SIGPIPE, SIG_IGN);

  SlotProgress* progress = map_slot_progress(progress_fd);
  ChannelEvents events(channel_fd);
  ChannelInputs inputs(channel_fd);

  auto first = read_frame(channel_fd);
  if (!first || first->first != SlotFrame::spec) _exit(3);
  JobSpec spec;
  CuratorPtr curator;
  try {
    spec = JobSpec::from_entries(unpack_frame<JobSpec::Entries>(first->second));
    curator = make_curator(spec, CuratorHost::worker_slot);
  } catch (const std::exception& e) {
    events.send(SlotFrame::error, pack_frame(std::string(e.what())));
    _exit(2);
  }
  const CuratorOptions options = spec.section("curator");
  const std::uint64_t memory_limit = parse_bytes(spec.get("job", "slot_memory_limit"), "job.slot_memory_limit");
  const std::uint64_t max_nodes = parse_count(spec.get("job", "max_nodes_per_slot"), "job.max_nodes_per_slot");
  std::uint64_t curated = 0;
  // True when this process should give way to a fresh one: it curated its
  // share of nodes, or it grew past the memory limit.
  auto worn_out = [&] {
    return (max_nodes > 0 && curated >= max_nodes) || (memory_limit > 0 && resident_bytes() > memory_limit);
  };

  while (auto frame = read_frame(channel_fd)) {
    if (frame->first == SlotFrame::exit) {
      if (unpack_frame<bool>(frame->second)) finalize_curator(*curator, events, 0, cancel, &inputs, options);
      events.send(SlotFrame::finalized, "");
      _exit(0);
    }
    if (frame->first != SlotFrame::assign) continue;
    const SlotAssign order = unpack_frame<SlotAssign>(frame->second);
    WalkHooks hooks;
    hooks.skip = order.skip;
    hooks.resume_data = order.open_data;
    hooks.flush_each_node = true;
    hooks.on_node = [&](std::uint64_t index, const WalkFrame& walk_frame) {
      progress->begin(index, walk_frame.node, walk_frame.search_key);
    };
    hooks.hand_back_now = [&] { return progress->hand_back.load() == 1; };
    hooks.draining = [&] {
      const std::uint32_t draining = progress->draining.load();
      return draining == 1 || (draining == 0 && g_terminated != 0);
    };
    hooks.stop_after_node = [&] {
      progress->end();
      ++curated;
      return worn_out();
    };
    WalkOutcome outcome =
        walk_assignment(order.assignment, spec, *curator, events, 0, cancel, &inputs, options, std::move(hooks));
    if ((outcome.recycled || outcome.done.handed_back) && !outcome.done.complete) {
      events.send(SlotFrame::recycle, pack_frame(SlotRecycle{outcome.visits, outcome.done, outcome.open_data,
                                                             outcome.done.handed_back}));
      _exit(0);
    }
    events.send(SlotFrame::done, encode(outcome.done));
    if (worn_out()) _exit(0);  // the worker forks a fresh one for the next assignment
  }
  _exit(0);  // the worker is gone
}

}  // namespace ramify
