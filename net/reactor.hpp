#pragma once
// The event loop of a daemon: it owns no socket, it waits on the sockets and
// file descriptors it is given and runs their handlers, its timers and its
// per-turn work, until the daemon is done or a deadline passes.
//
// One turn: the timers that are due, then the before-wait work, then (unless
// done or past the deadline) one wait for the first of: a readable socket or
// fd, the next timer, the deadline, a wake-up asked for by the work, the
// longest wait. A readable socket's handler is called once per waiting
// message, at most kDrainPerTurn times a turn, so that no socket starves the
// others. A handler that throws DecodeError has met a bad message: it is
// counted, the first ten are logged, and the loop goes on; any other
// exception leaves run_until. A signal that interrupts the wait ends the turn.

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace ramify {

class Reactor {
 public:
  using Clock = std::chrono::steady_clock;
  using Handler = std::function<void()>;
  using TimerId = std::size_t;
  static constexpr int kDrainPerTurn = 1000;

  explicit Reactor(std::shared_ptr<spdlog::logger> log);
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // `handler` reads one message from `socket` (which must outlive the reactor's use of it).
  void on(zmq::socket_t& socket, Handler handler);
  // `handler` is called once a turn while `fd` is readable.
  void on_fd(int fd, Handler handler);
  // Stops watching `socket` (before it is closed).
  void forget(zmq::socket_t& socket);

  // Calls `handler` every `interval`, the first time in the first turn.
  TimerId every(std::chrono::milliseconds interval, Handler handler);
  // Calls `handler` once, in the first turn at or after `when`.
  TimerId at(Clock::time_point when, Handler handler);
  // The timer runs in the next turn (a periodic one then goes on from there).
  void fire_soon(TimerId timer);
  void cancel(TimerId timer);

  // Work run every turn after the timers, before the wait (what follows from
  // what the handlers did: dispatching, journalling, progress).
  void before_wait(Handler work);
  // From the work or a handler: this turn's wait ends no later than `when`.
  void wake_by(Clock::time_point when);
  // The longest a turn waits (default 1 s): the pace at which done() and
  // outside requests (a stop from a signal handler) are looked at.
  void set_longest_wait(std::chrono::milliseconds wait) { longest_wait_ = wait; }

  // Runs turns until `done()` (true) or `deadline` (false).
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline = Clock::time_point::max());

  // The one account of bad messages (malformed, unknown, out of place).
  void bad_message(const std::string& what);
  std::uint64_t bad_messages() const { return bad_messages_; }

 private:
  struct Watch {
    zmq::socket_t* socket;  // null for a plain fd
    int fd;
    Handler handler;
  };
  struct Timer {
    Clock::time_point due;
    std::chrono::milliseconds interval;  // zero: once
    Handler handler;
    bool active;
  };

  void run_timers(Clock::time_point now);
  void wait_and_dispatch(Clock::time_point deadline);
  void call(const Handler& handler);

  std::shared_ptr<spdlog::logger> log_;
  std::vector<Watch> watches_;
  std::vector<Timer> timers_;
  std::vector<Handler> before_wait_;
  std::vector<zmq::pollitem_t> items_;  // reused from turn to turn
  Clock::time_point wake_by_ = Clock::time_point::max();
  std::chrono::milliseconds longest_wait_{1000};
  std::uint64_t bad_messages_ = 0;
};

}  // namespace ramify
