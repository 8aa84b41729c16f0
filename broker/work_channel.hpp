#pragma once
// The broker's work channel (ROUTER, bound): workers say hello, beat, and
// report started / failed / done / bye; the broker sends them assignments,
// cancels, and kill / stop / who-are-you. With keys, a worker id belongs to
// the key that first used it: no key speaks for another's worker.

#include <zmq.hpp>

#include <optional>
#include <string>

#include "broker/broker_run.hpp"
#include "net/address.hpp"
#include "protocol/message_table.hpp"

namespace ramify {

class Security;

class WorkChannel {
 public:
  WorkChannel(BrokerRun& run, zmq::context_t& context, Security& security, const Address& address);

  zmq::socket_t& socket() { return socket_; }
  // Reads and handles one message (the reactor's handler).
  void on_message();

  // Sends the scheduler's next dispatches.
  void dispatch();
  // To every live worker at once (a late subscriber may miss the control topic).
  void kill_every_worker(const Kill& kill);
  void stop_every_worker();

 private:
  void send(const std::string& worker, const std::string& type, const std::string& body);
  void handle_hello(const Hello& hello, const std::string& worker);
  // A manifest's assignment whose digest is the one the store kept: its
  // stored root, to be carried whole (computes and keeps the digest).
  std::optional<BaselineNode> carried_whole(std::uint64_t id, const AssignmentStatus& a, const std::string& key);

  BrokerRun& run_;
  zmq::socket_t socket_;
  MessageTable<void(const std::string& worker)> table_;
};

}  // namespace ramify
