#include "sink/tail_channel.hpp"

#include "net/security.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "util/logging.hpp"

namespace ramify {

TailChannel::TailChannel(zmq::context_t& context, Security& security, const Address& address) {
  SocketOptions options;
  options.max_message = 1024;  // subscriptions only
  options.send_hwm = 100000;
  options.linger = std::chrono::milliseconds(200);
  options.curve = security.server(context, "sink.tail", {KeyRole::worker, KeyRole::client});
  socket_ = make_socket(context, zmq::socket_type::xpub, options);
  socket_.set(zmq::sockopt::xpub_manual, 1);  // each subscription is checked, then applied
  socket_.bind(address.endpoint(kTailPort, "tail"));
}

void TailChannel::on_subscription() {
  auto frames = receive_frames(socket_, 1);
  if (!frames || frames->size() != 1 || (*frames)[0].size() < 1) return;
  const std::string text = frame_text((*frames)[0]);
  const std::string topic = text.substr(1);
  const bool subscribe = text[0] == 1;
  const bool ack_topic = topic.starts_with(LogAck::kType);
  const Peer peer = peer_of((*frames)[0]);
  if (subscribe && peer.role &&
      (*peer.role == KeyRole::worker ? !ack_topic : *peer.role != KeyRole::client || ack_topic)) {
    if (++refused_ <= 10) logger("sink")->warn("refused a subscription to '{}' from {}", topic, peer.describe());
    return;
  }
  if (subscribe) {
    socket_.set(zmq::sockopt::subscribe, topic);
  } else {
    socket_.set(zmq::sockopt::unsubscribe, topic);
  }
  if (!std::string(TailRecord::kType).starts_with(topic)) return;
  if (subscribe) {
    ++tailers_;
    logger("sink")->info("a tailer subscribed ({} now)", tailers_);
  } else if (tailers_ > 0) {
    --tailers_;
  }
}

void TailChannel::publish(const ReportRow& row) {
  if (tailers_ == 0) return;
  TailRecord record{kProtocolVersion, row.worker, row.seq, row.record, row.run};
  send_frames(socket_, {TailRecord::kType, encode(record)});
}

void TailChannel::acknowledge(const std::string& worker, std::uint64_t seq) {
  LogAck ack{kProtocolVersion, worker, seq};
  send_frames(socket_, {std::string(LogAck::kType) + worker, encode(ack)});
}

void TailChannel::publish_end(const TailEnd& end) { send_frames(socket_, {TailEnd::kType, encode(end)}); }

}  // namespace ramify
