#include "worker/log_channel.hpp"

#include "protocol/codec.hpp"
#include "util/logging.hpp"

namespace ramify {

namespace {
constexpr std::chrono::milliseconds kRetransmitAfter{1000};
constexpr std::chrono::milliseconds kRetransmitAfterAtMost{8000};
}  // namespace

LogChannel::LogChannel(zmq::context_t& context, const Address& sink, std::optional<CurveSettings> curve,
                       std::string worker_id, std::string run_id)
    : worker_id_(std::move(worker_id)), run_id_(std::move(run_id)), resend_after_(kRetransmitAfter) {
  SocketOptions log_options;
  log_options.max_message = 1024;  // only subscription messages come back
  log_options.send_hwm = 100000;
  log_options.immediate = false;
  log_options.linger = std::chrono::milliseconds(500);
  log_options.curve = curve;
  logs_ = make_socket(context, zmq::socket_type::xpub, log_options);
  logs_.set(zmq::sockopt::xpub_verbose, 1);  // a restarted sink's subscription must reach us
  logs_.connect(sink.endpoint(kLogsPort, "logs"));

  SocketOptions ack_options;
  ack_options.max_message = kMaxControlMessage;
  ack_options.immediate = false;
  ack_options.curve = curve;
  acks_ = make_socket(context, zmq::socket_type::sub, ack_options);
  acks_.set(zmq::sockopt::subscribe, std::string(LogAck::kType) + worker_id_);
  acks_.connect(sink.endpoint(kTailPort, "tail"));
}

void LogChannel::append(std::string records, std::uint32_t count, std::size_t budget_bytes) {
  LogBatch batch;
  batch.run_id = run_id_;
  batch.worker_id = worker_id_;
  batch.first_seq = next_seq_;
  batch.count = count;
  batch.records = std::move(records);
  next_seq_ += count;
  SpooledBatch spooled{batch.first_seq, batch.count, encode(batch), budget_bytes};
  if (sink_subscribed_) send_frames(logs_, {LogBatch::kType, spooled.message});
  spool_.append(std::move(spooled));
}

void LogChannel::on_subscription() {
  auto frames = receive_frames(logs_, 1);
  if (!frames || frames->size() != 1 || (*frames)[0].size() == 0) return;
  const auto* bytes = static_cast<const unsigned char*>((*frames)[0].data());
  if (bytes[0] == 1) {
    logger("worker")->debug("the sink subscribed; sending {} unacknowledged batch(es)", spool_.batches().size());
    sink_subscribed_ = true;
    resend();
  } else if (bytes[0] == 0) {
    sink_subscribed_ = false;
  }
}

std::size_t LogChannel::on_ack() {
  auto frames = receive_frames(acks_, 2);
  if (!frames || frames->size() != 2) return 0;
  LogAck ack = decode<LogAck>((*frames)[1].to_string_view());
  if (ack.worker_id != worker_id_ || ack.seq <= spool_.acked()) return 0;
  last_ack_progress_ = Clock::now();
  resend_after_ = kRetransmitAfter;
  return spool_.acknowledge(ack.seq);
}

void LogChannel::resend_if_stalled(Clock::time_point now) {
  if (spool_.empty() || !sink_subscribed_ || now - last_ack_progress_ <= resend_after_ ||
      now - last_resend_ <= resend_after_)
    return;
  resend();
  resend_after_ = std::min(resend_after_ * 2, kRetransmitAfterAtMost);
}

void LogChannel::resend() {
  for (const auto& batch : spool_.batches()) send_frames(logs_, {LogBatch::kType, batch.message});
  last_resend_ = Clock::now();
}

}  // namespace ramify
