#pragma once
// The sink's tail channel (XPUB, bound): acknowledgements for each worker,
// every row for tailers (`ramify tail`), and the run's end. Subscriptions
// are checked before they apply: with keys, a worker may follow only its
// acknowledgements and a client only the rows.

#include <zmq.hpp>

#include <cstdint>
#include <string>

#include "net/address.hpp"
#include "protocol/messages.hpp"
#include "sink/report_row.hpp"

namespace ramify {

class Security;

class TailChannel {
 public:
  TailChannel(zmq::context_t& context, Security& security, const Address& address);

  zmq::socket_t& socket() { return socket_; }
  // Reads one (un)subscription and applies it when the peer's role allows (the reactor's handler).
  void on_subscription();

  // A row for the tailers (none: nothing is sent).
  void publish(const ReportRow& row);
  // Tells a worker that the report holds its rows up to `seq`.
  void acknowledge(const std::string& worker, std::uint64_t seq);
  void publish_end(const TailEnd& end);
  std::uint64_t tailers() const { return tailers_; }

 private:
  zmq::socket_t socket_;
  std::uint64_t tailers_ = 0;  // subscribers of the rows
  std::uint64_t refused_ = 0;
};

}  // namespace ramify
