#pragma once
// The sink's intake of log batches (SUB, bound; workers connect and
// publish). A batch is taken only when it is of the run being written, and,
// with keys, from the key its worker joined with; its rows are deduplicated
// by (worker, seq), written, and shown to tailers. What was written is
// acknowledged once per loop turn, after a flush (acknowledge_written).

#include <zmq.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "sink/sink_run.hpp"
#include "sink/tail_channel.hpp"

namespace ramify {

class BrokerLink;
class Security;
struct Peer;

class LogIntake {
 public:
  // `broker`: the sink's link to its broker (null: a standalone sink).
  LogIntake(SinkRun& run, TailChannel& tail, const BrokerLink* broker, zmq::context_t& context, Security& security,
            const Address& address);

  zmq::socket_t& socket() { return socket_; }
  // Reads one batch (the reactor's handler).
  void on_batch();
  // Flushes the report and tells each worker that sent rows since the last
  // call how far the report holds them; nothing once the report failed.
  void acknowledge_written();

 private:
  bool from_its_own_key(const std::string& worker, const Peer& peer);

  SinkRun& run_;
  TailChannel& tail_;
  const BrokerLink* broker_;
  zmq::socket_t socket_;
  std::set<std::string> to_acknowledge_;
  std::map<std::string, std::string> worker_keys_;  // without a broker: worker id -> the key that first wrote for it
  std::uint64_t foreign_batches_ = 0;
  std::uint64_t forged_batches_ = 0;
  // Reused from batch to batch, so that steady streams of rows allocate nothing.
  std::vector<LogRecord> batch_records_;
  ReportRow batch_row_;
};

}  // namespace ramify
