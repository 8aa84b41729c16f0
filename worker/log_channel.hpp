#pragma once
// The worker's side of the log stream: its records go to the sink (XPUB,
// connected to the sink's SUB) in numbered batches, and stay in the spool
// until the sink acknowledges them (SUB, the sink's acks for this worker).
// A batch is sent when the sink is subscribed, again when it (re)subscribes,
// and again when acknowledgements stall (after 1 s, then twice as long each
// time up to 8 s, so that a sink that is only slow is not flooded).

#include <zmq.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "net/address.hpp"
#include "net/sockets.hpp"
#include "worker/log_spool.hpp"

namespace ramify {

class LogChannel {
 public:
  using Clock = std::chrono::steady_clock;

  LogChannel(zmq::context_t& context, const Address& sink, std::optional<CurveSettings> curve,
             std::string worker_id, std::string run_id);

  zmq::socket_t& subscriptions() { return logs_; }
  zmq::socket_t& acks() { return acks_; }

  // Numbers `count` records (encoded) as the next batch, sends it if the sink
  // listens, and keeps it until acknowledged. `budget_bytes`: what it holds of
  // the slots' budget, given back by on_ack().
  void append(std::string records, std::uint32_t count, std::size_t budget_bytes);
  // The reactor's handlers: a (un)subscription of the sink; an acknowledgement.
  // on_ack returns the budget bytes it freed.
  void on_subscription();
  std::size_t on_ack();
  // Sends every unacknowledged batch again when the sink has acknowledged nothing for a while.
  void resend_if_stalled(Clock::time_point now);
  // When the sink last acknowledged something new (or the channel opened).
  Clock::time_point last_ack_progress() const { return last_ack_progress_; }

  std::uint64_t last_seq() const { return next_seq_ - 1; }
  std::uint64_t acked() const { return spool_.acked(); }
  bool all_acknowledged() const { return spool_.empty(); }
  std::size_t unacknowledged_batches() const { return spool_.batches().size(); }

 private:
  void resend();

  std::string worker_id_;
  std::string run_id_;
  zmq::socket_t logs_;  // XPUB to the sink's SUB
  zmq::socket_t acks_;  // SUB to the sink's PUB
  LogSpool spool_;
  std::uint64_t next_seq_ = 1;
  bool sink_subscribed_ = false;
  Clock::time_point last_ack_progress_ = Clock::now();
  Clock::time_point last_resend_ = Clock::now();
  std::chrono::milliseconds resend_after_;  // the stall that triggers the next resend
};

}  // namespace ramify
