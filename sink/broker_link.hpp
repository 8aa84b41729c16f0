#pragma once
// The sink's link to the broker: a SUB to the broker's control topic
// (heartbeats, the finish) and a DEALER to its config service, over which the
// sink beats (it is up, which report it writes, what stops it) and confirms
// the report at the end; both are asynchronous, so a broker that is down never
// blocks the sink's loop. The link learns the run's id, and notices a broker
// that fell silent or now runs another run.

#include <zmq.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "net/address.hpp"
#include "net/sockets.hpp"
#include "protocol/message_table.hpp"
#include "protocol/messages.hpp"

namespace ramify {

class BrokerLink {
 public:
  using Clock = std::chrono::steady_clock;

  BrokerLink(zmq::context_t& context, const Address& broker, const std::optional<CurveSettings>& curve);

  zmq::socket_t& control() { return control_; }
  zmq::socket_t& config() { return config_; }

  // Reads one control message; returns the finish of this run when that is what came.
  // Throws DecodeError for a malformed message.
  std::optional<Finish> on_control();
  // Reads one reply of the config service. Throws DecodeError for a malformed one.
  void on_reply();

  void send_beat(const SinkBeat& beat);
  // Before leaving on an error just beaten: waits up to `limit` for the
  // broker's reply, so that the beat is known to have left (the socket drops
  // what it still holds when it closes). False when no reply came.
  bool await_reply(std::chrono::milliseconds limit);
  // Sends the conclusion again until the broker acknowledges it.
  void send_report_done(const ReportDone& done);
  bool report_done_acknowledged() const { return done_acknowledged_; }

  // The run's id once the broker said it ("" before).
  const std::string& run_id() const { return run_id_; }
  // Whether the broker has answered a beat of this run yet.
  bool answered() const { return answered_; }
  // Whether the broker serves a dashboard: the sink's beats then carry a digest.
  bool digest_wanted() const { return digest_wanted_; }
  // With keys on the broker: the key each worker id joined with (an id
  // missing from it has not joined yet); nullopt when the broker has no keys.
  const std::optional<std::map<std::string, std::string>>& worker_keys() const { return worker_keys_; }
  // Why this sink can no longer write the run's report because of its broker
  // (it now runs another run, or it fell silent longer than `wait`); "" while it can.
  std::string broken(Clock::time_point now, std::chrono::milliseconds wait) const;
  const std::string& address() const { return address_; }

 private:
  void heard(const std::string& run_id);

  std::string address_;
  zmq::socket_t control_;  // SUB
  zmq::socket_t config_;   // DEALER to the broker's REP
  std::string run_id_;
  std::string other_run_;  // the run the broker runs now, when it is not ours
  Clock::time_point last_heard_ = Clock::now();
  bool ever_heard_ = false;
  bool done_acknowledged_ = false;
  bool answered_ = false;
  bool digest_wanted_ = false;
  std::optional<std::map<std::string, std::string>> worker_keys_;
  MessageTable<std::optional<Finish>()> control_messages_;
  MessageTable<void()> replies_;
};

}  // namespace ramify
