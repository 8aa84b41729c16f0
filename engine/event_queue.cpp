#include "engine/event_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ramify {

EventQueue::EventQueue(std::size_t budget_bytes) : budget_(budget_bytes) {
  event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

EventQueue::~EventQueue() { close(event_fd_); }

void EventQueue::push(SlotEvent event) {
  std::unique_lock lock(mutex_);
  if (event.kind == SlotEvent::Kind::records) {
    // A batch bigger than the whole budget still goes through when nothing else is held.
    budget_freed_.wait(lock, [&] { return never_wait_ || used_ == 0 || used_ + event.records.size() <= budget_; });
    used_ += event.records.size();
  }
  const bool was_empty = events_.empty();
  events_.push_back(std::move(event));
  if (was_empty) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(event_fd_, &one, sizeof one);
  }
}

std::deque<SlotEvent> EventQueue::take_all() {
  std::lock_guard lock(mutex_);
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = read(event_fd_, &count, sizeof count);
  std::deque<SlotEvent> out;
  out.swap(events_);
  return out;
}

void EventQueue::release(std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    used_ = bytes > used_ ? 0 : used_ - bytes;
  }
  budget_freed_.notify_all();
}

void EventQueue::stop_waiting() {
  {
    std::lock_guard lock(mutex_);
    never_wait_ = true;
  }
  budget_freed_.notify_all();
}

}  // namespace ramify
