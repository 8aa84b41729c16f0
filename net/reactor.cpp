#include "net/reactor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "util/errors.hpp"

namespace ramify {

Reactor::Reactor(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

void Reactor::on(zmq::socket_t& socket, Handler handler) {
  watches_.push_back(Watch{&socket, -1, std::move(handler)});
}

void Reactor::on_fd(int fd, Handler handler) { watches_.push_back(Watch{nullptr, fd, std::move(handler)}); }

void Reactor::forget(zmq::socket_t& socket) {
  std::erase_if(watches_, [&](const Watch& w) { return w.socket == &socket; });
}

Reactor::TimerId Reactor::every(std::chrono::milliseconds interval, Handler handler) {
  timers_.push_back(Timer{Clock::now(), std::max(interval, std::chrono::milliseconds(1)), std::move(handler), true});
  return timers_.size() - 1;
}

Reactor::TimerId Reactor::at(Clock::time_point when, Handler handler) {
  timers_.push_back(Timer{when, std::chrono::milliseconds(0), std::move(handler), true});
  return timers_.size() - 1;
}

void Reactor::fire_soon(TimerId timer) {
  timers_.at(timer).due = Clock::now();
  wake_by(Clock::now());
}

void Reactor::cancel(TimerId timer) { timers_.at(timer).active = false; }

void Reactor::before_wait(Handler work) { before_wait_.push_back(std::move(work)); }

void Reactor::wake_by(Clock::time_point when) { wake_by_ = std::min(wake_by_, when); }

void Reactor::bad_message(const std::string& what) {
  ++bad_messages_;
  if (bad_messages_ <= 10) log_->warn("dropped a bad message: {}", what);
}

void Reactor::call(const Handler& handler) {
  try {
    handler();
  } catch (const DecodeError& e) {
    bad_message(e.what());
  }
}

void Reactor::run_timers(Clock::time_point now) {
  // By index: a handler may add timers.
  for (std::size_t i = 0; i < timers_.size(); ++i) {
    if (!timers_[i].active || timers_[i].due > now) continue;
    if (timers_[i].interval.count() == 0) {
      timers_[i].active = false;
    } else {
      timers_[i].due = now + timers_[i].interval;
    }
    Handler handler = timers_[i].handler;  // a copy: the vector may grow meanwhile
    call(handler);
  }
}

bool Reactor::run_until(const std::function<bool()>& done, Clock::time_point deadline) {
  while (true) {
    wake_by_ = Clock::time_point::max();
    run_timers(Clock::now());
    for (std::size_t i = 0; i < before_wait_.size(); ++i) call(before_wait_[i]);
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    wait_and_dispatch(deadline);
  }
}

void Reactor::wait_and_dispatch(Clock::time_point deadline) {
  const auto now = Clock::now();
  Clock::time_point wake = std::min({deadline, wake_by_, now + longest_wait_});
  for (const Timer& t : timers_)
    if (t.active) wake = std::min(wake, t.due);
  const auto wait = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now +
                                                                                  std::chrono::microseconds(999)),
                             std::chrono::milliseconds(0));

  items_.clear();
  for (const Watch& w : watches_)
    items_.push_back(zmq::pollitem_t{w.socket ? w.socket->handle() : nullptr, w.fd, ZMQ_POLLIN, 0});
  try {
    zmq::poll(items_.data(), items_.size(), wait);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return;  // a signal: the next turn looks at what it asked for
    throw;
  }
  const std::size_t watched = items_.size();  // handlers may not add watches mid-turn; guard anyway
  for (std::size_t i = 0; i < watched && i < watches_.size(); ++i) {
    if (!(items_[i].revents & ZMQ_POLLIN)) continue;
    const Watch& w = watches_[i];
    if (!w.socket) {
      call(w.handler);
      continue;
    }
    // The poll said readable once; ZMQ_EVENTS says whether more is waiting.
    for (int n = 0; n < kDrainPerTurn; ++n) {
      if (!(w.socket->get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
      call(w.handler);
    }
  }
}

}  // namespace ramify
