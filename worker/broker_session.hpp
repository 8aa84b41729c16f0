#pragma once
// The worker's two channels to the broker: work (DEALER to its ROUTER:
// hello, heartbeats and results out; assignments, cancels, kill / stop /
// who-are-you in) and control (SUB to its PUB: heartbeats, kill, finish).
// It also keeps the broker's presence: when it was last heard, whether the
// worker is orphaned (the broker silent for its liveness window), and whether
// the work channel's handshake was refused.

#include <zmq.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/address.hpp"
#include "net/handshake_watch.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "protocol/message_table.hpp"

namespace ramify {

class Security;
class StopRequest;

// Asks the broker's config service for the job spec until it answers or
// `timeout` passes, longer waits each try (a slow link still joins). Throws
// TimeoutError, ConfigError; nullopt when a stop was asked for meanwhile.
std::optional<SpecReply> fetch_spec(zmq::context_t& context, const Security& security, const Address& broker,
                                    const std::string& worker_id, std::chrono::milliseconds timeout,
                                    const StopRequest& stop);

class BrokerSession {
 public:
  using Clock = std::chrono::steady_clock;

  BrokerSession(zmq::context_t& context, const Security& security, const Address& broker, std::string worker_id);

  zmq::socket_t& work() { return work_; }
  zmq::socket_t& control() { return control_; }
  // Handlers per message type; registered by the worker before the loop.
  MessageTable<void()> work_messages;
  MessageTable<void()> control_messages;

  // The reactor's handlers: read one message and dispatch it.
  void on_work();
  void on_control();

  template <class T>
  void send(const T& message) {
    send_frames(work_, {T::kType, encode(message)});
  }
  void say_hello(std::uint32_t slots);

  // The broker spoke (any work message, or a heartbeat of this run): true
  // when it comes back after the worker was orphaned (it then says hello again).
  bool heard(Clock::time_point now);
  Clock::time_point last_heard() const { return last_heard_; }
  bool orphaned() const { return orphaned_since_.has_value(); }
  // The broker has been silent for `silence`: the worker becomes orphaned
  // (true the first time). orphaned_for() says for how long.
  bool fell_silent(Clock::time_point now, std::chrono::milliseconds silence);
  std::chrono::milliseconds orphaned_for(Clock::time_point now) const;
  // Why the work channel refused this worker (a key of another role), once known.
  std::optional<std::string> refusal();

 private:
  std::string worker_id_;
  std::uint32_t slots_ = 0;
  zmq::socket_t work_;
  zmq::socket_t control_;
  std::unique_ptr<HandshakeWatch> work_watch_;  // until the work channel's handshake succeeded
  Clock::time_point last_heard_ = Clock::now();
  std::optional<Clock::time_point> orphaned_since_;
};

}  // namespace ramify
