// EventQueue, the mailbox from the slot threads to the worker's main thread:
// its fd, the order of take_all(), and the byte budget of record batches.
#include "engine/event_queue.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <utility>

namespace ramify {
namespace {

using namespace std::chrono_literals;

// How long a push that should go through may take, and how long a push that
// should wait is watched before the test concludes it does wait.
constexpr auto kDeadline = 5s;
constexpr auto kStillWaiting = 50ms;

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

SlotEvent records_event(std::size_t slot, std::size_t bytes, char fill = 'r') {
  SlotEvent event;
  event.kind = SlotEvent::Kind::records;
  event.slot = slot;
  event.record_count = 1;
  event.records = std::string(bytes, fill);
  return event;
}

SlotEvent event_of(SlotEvent::Kind kind, std::size_t slot) {
  SlotEvent event;
  event.kind = kind;
  event.slot = slot;
  return event;
}

// One push on a thread of its own, as a slot does it. Whatever the test
// found, the destructor lets the push end (stop_waiting) and joins.
class BackgroundPush {
 public:
  BackgroundPush(EventQueue& queue, SlotEvent event) : queue_(queue), pushed_(done_.get_future()) {
    thread_ = std::thread([this, event = std::move(event)]() mutable {
      queue_.push(std::move(event));
      done_.set_value();
    });
  }
  ~BackgroundPush() {
    queue_.stop_waiting();
    // Should stop_waiting() itself be broken, released bytes still end the push.
    const auto give_up = std::chrono::steady_clock::now() + kDeadline;
    while (pushed_.wait_for(10ms) != std::future_status::ready && std::chrono::steady_clock::now() < give_up)
      queue_.release(SIZE_MAX);
    thread_.join();
  }
  BackgroundPush(const BackgroundPush&) = delete;
  BackgroundPush& operator=(const BackgroundPush&) = delete;

  // True once the push returned, waiting at most `timeout`.
  bool returned_within(std::chrono::milliseconds timeout) {
    return pushed_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  EventQueue& queue_;
  std::promise<void> done_;
  std::future<void> pushed_;
  std::thread thread_;
};

// The fd is readable exactly while events wait: not when new, yes after a
// push (and still after a second one), no again once take_all() took them.
TEST(EventQueue, FdIsReadableOnlyWhileEventsWait) {
  EventQueue queue(1024);
  EXPECT_FALSE(readable(queue.fd()));

  queue.push(event_of(SlotEvent::Kind::started, 0));
  EXPECT_TRUE(readable(queue.fd()));
  queue.push(event_of(SlotEvent::Kind::done, 0));
  EXPECT_TRUE(readable(queue.fd()));

  EXPECT_EQ(queue.take_all().size(), 2u);
  EXPECT_FALSE(readable(queue.fd()));

  // Taking from an empty queue leaves it not readable; a new push makes it readable again.
  EXPECT_TRUE(queue.take_all().empty());
  EXPECT_FALSE(readable(queue.fd()));
  queue.push(records_event(1, 10));
  EXPECT_TRUE(readable(queue.fd()));
  EXPECT_EQ(queue.take_all().size(), 1u);
  EXPECT_FALSE(readable(queue.fd()));
}

// take_all() hands over every waiting event in the order they were pushed,
// whole (records bytes included), and leaves nothing behind.
TEST(EventQueue, TakeAllKeepsPushOrderAndContent) {
  EventQueue queue(1024);
  queue.push(event_of(SlotEvent::Kind::started, 2));
  queue.push(records_event(0, 5, 'a'));
  SlotEvent failed = event_of(SlotEvent::Kind::node_failed, 1);
  failed.failed.node_id = "p/s1";
  failed.failed.error = "boom";
  queue.push(failed);
  queue.push(records_event(2, 3, 'b'));
  queue.push(event_of(SlotEvent::Kind::exited, 0));

  auto events = queue.take_all();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind, SlotEvent::Kind::started);
  EXPECT_EQ(events[0].slot, 2u);
  EXPECT_EQ(events[1].kind, SlotEvent::Kind::records);
  EXPECT_EQ(events[1].records, "aaaaa");
  EXPECT_EQ(events[2].kind, SlotEvent::Kind::node_failed);
  EXPECT_EQ(events[2].failed.node_id, "p/s1");
  EXPECT_EQ(events[2].failed.error, "boom");
  EXPECT_EQ(events[3].kind, SlotEvent::Kind::records);
  EXPECT_EQ(events[3].records, "bbb");
  EXPECT_EQ(events[4].kind, SlotEvent::Kind::exited);
  EXPECT_TRUE(queue.take_all().empty());
}

// A records push that does not fit in what is left of the budget waits,
// and is not queued meanwhile; release() of enough bytes lets it through.
TEST(EventQueue, RecordsPushWaitsForTheBudgetAndResumesAfterRelease) {
  EventQueue queue(10);
  queue.push(records_event(0, 8));  // 8 of 10 bytes held
  ASSERT_EQ(queue.take_all().size(), 1u);  // taking events does not free the budget

  BackgroundPush second(queue, records_event(1, 8, 's'));
  EXPECT_FALSE(second.returned_within(kStillWaiting));
  EXPECT_TRUE(queue.take_all().empty());
  EXPECT_FALSE(readable(queue.fd()));

  queue.release(8);
  ASSERT_TRUE(second.returned_within(kDeadline));
  auto events = queue.take_all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].slot, 1u);
  EXPECT_EQ(events[0].records, std::string(8, 's'));
}

// The accounting is by bytes: a waiting push resumes only once the bytes
// released make it fit (8 held + 8 > 10; after releasing 4 still > 10; after 6 it fits).
TEST(EventQueue, WaitingPushResumesOnlyWhenEnoughBytesAreReleased) {
  EventQueue queue(10);
  queue.push(records_event(0, 8));

  BackgroundPush second(queue, records_event(0, 8));
  EXPECT_FALSE(second.returned_within(kStillWaiting));
  queue.release(4);  // 4 held: 4 + 8 > 10
  EXPECT_FALSE(second.returned_within(kStillWaiting));
  queue.release(2);  // 2 held: 2 + 8 fits exactly
  EXPECT_TRUE(second.returned_within(kDeadline));
  EXPECT_EQ(queue.take_all().size(), 2u);
}

// Batches that together fit the budget exactly do not wait.
TEST(EventQueue, RecordsUpToTheBudgetDoNotWait) {
  EventQueue queue(10);
  BackgroundPush pushes(queue, records_event(0, 4));
  ASSERT_TRUE(pushes.returned_within(kDeadline));
  BackgroundPush more(queue, records_event(0, 6));
  EXPECT_TRUE(more.returned_within(kDeadline));
  EXPECT_EQ(queue.take_all().size(), 2u);
}

// Only records count against the budget: other events never wait, even
// when the budget is spent.
TEST(EventQueue, EventsOtherThanRecordsNeverWait) {
  EventQueue queue(4);
  queue.push(records_event(0, 4));  // the whole budget
  for (auto kind : {SlotEvent::Kind::started, SlotEvent::Kind::node_failed, SlotEvent::Kind::done,
                    SlotEvent::Kind::exited}) {
    BackgroundPush push(queue, event_of(kind, 0));
    EXPECT_TRUE(push.returned_within(kDeadline)) << "kind " << static_cast<int>(kind);
  }
  EXPECT_EQ(queue.take_all().size(), 5u);
}

// A batch bigger than the whole budget still goes through when nothing else
// is held (else it would wait forever), and then holds the budget.
TEST(EventQueue, BatchBiggerThanTheBudgetGoesThroughWhenNothingIsHeld) {
  EventQueue queue(4);
  {
    BackgroundPush big(queue, records_event(0, 100));
    ASSERT_TRUE(big.returned_within(kDeadline));
  }
  EventQueue held(4);
  held.push(records_event(0, 100));
  BackgroundPush small(held, records_event(0, 1));
  EXPECT_FALSE(small.returned_within(kStillWaiting));
  held.release(100);
  EXPECT_TRUE(small.returned_within(kDeadline));
}

// release() can never credit more than the budget: returning more bytes
// than are held leaves the budget empty, not overdrawn in the other direction.
TEST(EventQueue, ReleasingMoreThanHeldDoesNotEnlargeTheBudget) {
  EventQueue queue(10);
  queue.push(records_event(0, 8));
  queue.release(100);
  queue.push(records_event(0, 8));  // fits: nothing is held
  BackgroundPush third(queue, records_event(0, 8));
  EXPECT_FALSE(third.returned_within(kStillWaiting));  // 8 held again: 16 > 10
  queue.release(8);
  EXPECT_TRUE(third.returned_within(kDeadline));
}

// stop_waiting() wakes every push that waits for the budget, and from then
// on records pushes never wait; nothing is dropped.
TEST(EventQueue, StopWaitingUnblocksWaitingProducersAndLaterPushes) {
  EventQueue queue(4);
  queue.push(records_event(0, 4));

  BackgroundPush first(queue, records_event(1, 4));
  BackgroundPush second(queue, records_event(2, 4));
  EXPECT_FALSE(first.returned_within(kStillWaiting));
  EXPECT_FALSE(second.returned_within(kStillWaiting));

  queue.stop_waiting();
  EXPECT_TRUE(first.returned_within(kDeadline));
  EXPECT_TRUE(second.returned_within(kDeadline));

  BackgroundPush later(queue, records_event(3, 1000));
  EXPECT_TRUE(later.returned_within(kDeadline));
  EXPECT_EQ(queue.take_all().size(), 4u);
}

}  // namespace
}  // namespace ramify
