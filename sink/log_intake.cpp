#include "sink/log_intake.hpp"

#include "net/security.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "sink/broker_link.hpp"

namespace ramify {

LogIntake::LogIntake(SinkRun& run, TailChannel& tail, const BrokerLink* broker, zmq::context_t& context,
                     Security& security, const Address& address)
    : run_(run), tail_(tail), broker_(broker) {
  SocketOptions options;
  options.curve = security.server(context, "sink.logs", {KeyRole::worker});
  options.max_message = kMaxLogMessage;
  options.receive_hwm = 100000;
  socket_ = make_socket(context, zmq::socket_type::sub, options);
  socket_.set(zmq::sockopt::subscribe, LogBatch::kType);
  socket_.bind(address.endpoint(kLogsPort, "logs"));
}

void LogIntake::on_batch() {
  auto frames = receive_frames(socket_, 2);
  if (!frames) return;
  if (frames->size() != 2) throw DecodeError("log message with the wrong number of frames");
  LogBatch batch = decode<LogBatch>((*frames)[1].to_string_view());
  if (batch.worker_id.empty() || batch.first_seq == 0) throw DecodeError("batch without worker or sequence");
  if (!from_its_own_key(batch.worker_id, peer_of((*frames)[0]))) return;
  // Linked to a broker, only its run's batches count (none before it is known).
  if ((broker_ && run_.run_id.empty()) || (!run_.run_id.empty() && batch.run_id != run_.run_id)) {
    ++foreign_batches_;
    return;
  }
  decode_records(batch.records, batch.count, batch_records_);
  SequenceTracker& tracker = run_.trackers[batch.worker_id];
  AttemptRows& attempt_rows = run_.attempt_rows[batch.worker_id];
  batch_row_.run = batch.run_id;
  batch_row_.worker = batch.worker_id;
  for (std::size_t i = 0; i < batch_records_.size(); ++i) {
    const std::uint64_t seq = batch.first_seq + i;
    if (!tracker.accept(seq)) continue;  // a duplicate from a replay
    attempt_rows.add(batch_records_[i].assignment, batch_records_[i].attempt);
    batch_row_.seq = seq;
    std::swap(batch_row_.record, batch_records_[i]);  // no copy; both keep their strings' storage
    run_.write(batch_row_);
    tail_.publish(batch_row_);
  }
  to_acknowledge_.insert(batch.worker_id);
}

// With keys, a worker's rows are taken only from the key it joined the
// broker with (the broker says which), or, without a broker, the key that
// first wrote for it: no key writes as another's worker. A batch of a worker
// the broker has not named yet waits (it is sent again).
bool LogIntake::from_its_own_key(const std::string& worker, const Peer& peer) {
  if (!peer.role) return true;
  std::string owner;
  if (broker_ && !broker_->answered()) return false;
  if (broker_ && broker_->worker_keys()) {
    auto it = broker_->worker_keys()->find(worker);
    if (it == broker_->worker_keys()->end()) return false;
    owner = it->second;
  } else {
    owner = worker_keys_.emplace(worker, peer.key).first->second;
  }
  if (owner == peer.key) return true;
  if (++forged_batches_ <= 10)
    run_.log->warn("dropped a batch for worker {} from {}: that id belongs to another key", worker, peer.describe());
  return false;
}

void LogIntake::acknowledge_written() {
  if (to_acknowledge_.empty()) return;
  if (run_.flush())
    for (const auto& worker : to_acknowledge_) tail_.acknowledge(worker, run_.trackers[worker].contiguous());
  to_acknowledge_.clear();
}

}  // namespace ramify
