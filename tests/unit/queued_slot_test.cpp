// QueuedSlot, the mailbox and thread every slot shares, driven through a
// variant whose assignments run until they are interrupted or released.
#include "slots/queued_slot.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ramify {
namespace {

using namespace std::chrono_literals;

class RecordingSlot : public QueuedSlot {
 public:
  explicit RecordingSlot(EventQueue& events) : QueuedSlot(0, events) {}
  ~RecordingSlot() override { shut_down(); }
  void set_draining(bool) override {}
  void hand_back() override {}

  // Lets the running assignment end on its own.
  void release() {
    std::lock_guard lock(state_);
    released_ = true;
    changed_.notify_all();
  }
  // Waits until the calls recorded include `call` (false after 10 s).
  bool saw(const std::string& call) {
    std::unique_lock lock(state_);
    return changed_.wait_for(lock, 10s, [&] { return std::find(calls_.begin(), calls_.end(), call) != calls_.end(); });
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(state_);
    return calls_;
  }

 private:
  void note(const std::string& call) {
    std::lock_guard lock(state_);
    calls_.push_back(call);
    changed_.notify_all();
  }
  void prepare() override { note("prepare"); }
  void on_taken(bool aborted) override {
    interrupted_ = aborted;  // under mutex_, as the contract says
    note(aborted ? "taken aborted" : "taken");
  }
  void interrupt() override {
    interrupted_ = true;
    note("interrupt");
  }
  void run(const Assign& assignment) override {
    note("run " + std::to_string(assignment.id));
    std::unique_lock lock(state_);
    changed_.wait_for(lock, 10s, [&] { return released_ || interrupted_; });
    calls_.push_back(released_ ? "ended " + std::to_string(assignment.id) : "stopped " + std::to_string(assignment.id));
    released_ = false;
    changed_.notify_all();
  }
  void after_last(bool finalize) override { note(finalize ? "finalize" : "no finalize"); }

  std::mutex state_;
  std::condition_variable changed_;
  std::vector<std::string> calls_;
  bool released_ = false;
  // Set under mutex_ by the hooks; read by run() under state_ only (locking
  // mutex_ there would invert the order interrupt() takes them in).
  std::atomic<bool> interrupted_{false};
};

Assign assignment(std::uint64_t id) {
  Assign a;
  a.id = id;
  a.attempt = 1;
  return a;
}

// Waits for the slot's `exited` event.
bool exited(EventQueue& events) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& event : events.take_all())
      if (event.kind == SlotEvent::Kind::exited) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

TEST(QueuedSlot, RunsAssignmentsOneAtATimeThenFinalizesWhenClosed) {
  EventQueue events(1 << 20);
  RecordingSlot slot(events);
  slot.start();
  slot.assign(assignment(1));
  ASSERT_TRUE(slot.saw("run 1"));
  slot.release();
  ASSERT_TRUE(slot.saw("ended 1"));
  slot.assign(assignment(2));
  ASSERT_TRUE(slot.saw("run 2"));
  slot.release();
  ASSERT_TRUE(slot.saw("ended 2"));
  slot.close(true);
  ASSERT_TRUE(exited(events));
  EXPECT_EQ(slot.calls(), (std::vector<std::string>{"prepare", "taken", "run 1", "ended 1", "taken", "run 2", "ended 2",
                                                    "finalize"}));
}

TEST(QueuedSlot, CancelStopsOnlyTheAssignmentItNames) {
  EventQueue events(1 << 20);
  RecordingSlot slot(events);
  slot.start();
  slot.assign(assignment(7));
  ASSERT_TRUE(slot.saw("run 7"));
  slot.cancel(AssignmentRef{7, 2});  // another attempt of it
  slot.cancel(AssignmentRef{8, 1});
  slot.cancel(AssignmentRef{7, 1});
  ASSERT_TRUE(slot.saw("stopped 7"));
  slot.close(true);
  ASSERT_TRUE(exited(events));
  EXPECT_EQ(slot.calls(), (std::vector<std::string>{"prepare", "taken", "run 7", "interrupt", "stopped 7", "finalize"}));
}

TEST(QueuedSlot, ACancelledWaitingAssignmentNeverRuns) {
  EventQueue events(1 << 20);
  RecordingSlot slot(events);
  slot.assign(assignment(3));  // not started yet: it waits in the mailbox
  slot.cancel(AssignmentRef{3, 1});
  slot.close(false);
  slot.start();
  ASSERT_TRUE(exited(events));
  EXPECT_EQ(slot.calls(), (std::vector<std::string>{"prepare", "no finalize"}));
}

TEST(QueuedSlot, CancelAllStopsTheRunningOneDropsTheNextAndSkipsFinalize) {
  EventQueue events(1 << 20);
  RecordingSlot slot(events);
  slot.start();
  slot.assign(assignment(4));
  ASSERT_TRUE(slot.saw("run 4"));
  slot.assign(assignment(5));  // waits behind 4
  slot.close(true);
  slot.cancel_all();
  ASSERT_TRUE(exited(events));
  EXPECT_EQ(slot.calls(),
            (std::vector<std::string>{"prepare", "taken", "run 4", "interrupt", "stopped 4", "no finalize"}));
}

}  // namespace
}  // namespace ramify
