#pragma once
// The broker's config service (REP, bound): the job spec for workers and the
// sink, the shared inputs in chunks, the run's status for clients, and the
// sink's beats and its conclusion of the report. Each key role may ask only
// for what it needs; anything else is refused with an error reply.

#include <zmq.hpp>

#include <set>
#include <string>
#include <utility>

#include "broker/broker_run.hpp"
#include "broker/input_store.hpp"
#include "net/address.hpp"
#include "protocol/message_table.hpp"

namespace ramify {

class Security;
struct Peer;

class ConfigService {
 public:
  ConfigService(BrokerRun& run, zmq::context_t& context, Security& security, const Address& address);

  zmq::socket_t& socket() { return socket_; }
  // Reads one request and answers it (the reactor's handler); a bad request
  // gets an error reply and is counted.
  void on_request();

 private:
  using Reply = std::pair<std::string, std::string>;  // type, body
  Reply answer(const zmq::message_t& type_frame, const zmq::message_t& body_frame);
  Reply input(const InputRequest& request);
  Reply sink_beat(const SinkBeat& beat);
  Reply report_done(const ReportDone& done);

  BrokerRun& run_;
  Security& security_;
  zmq::socket_t socket_;
  InputStore inputs_;
  std::set<std::pair<std::string, std::string>> inputs_served_;  // (worker, input)
  MessageTable<Reply()> table_;
  bool sink_refused_ = false;  // a sink of another protocol beat (said once)
};

}  // namespace ramify
