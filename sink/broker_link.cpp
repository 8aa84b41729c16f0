#include "sink/broker_link.hpp"

#include "protocol/codec.hpp"

namespace ramify {

BrokerLink::BrokerLink(zmq::context_t& context, const Address& broker, const std::optional<CurveSettings>& curve)
    : address_(broker.text()) {
  SocketOptions control_options;
  control_options.max_message = kMaxControlMessage;
  control_options.immediate = false;
  control_options.curve = curve;
  control_ = make_socket(context, zmq::socket_type::sub, control_options);
  control_.set(zmq::sockopt::subscribe, ControlHeartbeat::kType);
  control_.set(zmq::sockopt::subscribe, Finish::kType);
  control_.connect(broker.endpoint(kControlPort, "control"));

  SocketOptions config_options;
  config_options.max_message = kMaxConfigMessage;
  config_options.immediate = false;  // beats wait in the pipe until the broker is up
  config_options.send_hwm = 16;      // a broker that is down gets a few beats, not thousands
  config_options.curve = curve;
  config_ = make_socket(context, zmq::socket_type::dealer, config_options);
  config_.connect(broker.endpoint(kConfigPort, "config"));

  control_messages_.on<ControlHeartbeat>([this](const ControlHeartbeat& beat) -> std::optional<Finish> {
    heard(beat.run_id);
    return std::nullopt;
  });
  control_messages_.on<Finish>([this](Finish finish) -> std::optional<Finish> {
    heard(finish.run_id);
    if (finish.run_id != run_id_) return std::nullopt;
    return finish;
  });
  replies_.on<SinkBeatReply>([this](const SinkBeatReply& reply) {
    heard(reply.run_id);
    if (reply.run_id != run_id_) return;
    answered_ = true;
    digest_wanted_ = reply.digest_wanted;
    if (reply.authenticated) {
      worker_keys_ = std::map<std::string, std::string>(reply.worker_keys.begin(), reply.worker_keys.end());
    } else {
      worker_keys_.reset();
    }
  });
  replies_.on<Ok>([this](const Ok&) { done_acknowledged_ = true; });  // only REPORT_DONE is answered with OK
  replies_.on<ErrorReply>([](const ErrorReply& error) {
    throw DecodeError("the broker refused a request: " + error.message);
  });
}

void BrokerLink::heard(const std::string& run_id) {
  last_heard_ = Clock::now();
  ever_heard_ = true;
  if (run_id_.empty()) run_id_ = run_id;
  if (run_id != run_id_) other_run_ = run_id;
}

std::optional<Finish> BrokerLink::on_control() {
  auto frames = receive_frames(control_, 2);
  if (!frames) return std::nullopt;
  if (frames->size() != 2) throw DecodeError("control message with the wrong number of frames");
  return control_messages_.dispatch((*frames)[0].to_string_view(), (*frames)[1].to_string_view());
}

bool BrokerLink::await_reply(std::chrono::milliseconds limit) {
  std::vector<zmq::pollitem_t> items{{config_.handle(), 0, ZMQ_POLLIN, 0}};
  poll_items(items, limit);
  return (items[0].revents & ZMQ_POLLIN) != 0 && receive_frames(config_, 3).has_value();
}

void BrokerLink::on_reply() {
  // A REP answers a DEALER with an empty delimiter frame first.
  auto frames = receive_frames(config_, 3);
  if (!frames) return;
  if (frames->size() != 3 || (*frames)[0].size() != 0) throw DecodeError("config reply with the wrong frames");
  replies_.dispatch((*frames)[1].to_string_view(), (*frames)[2].to_string_view());
}

void BrokerLink::send_beat(const SinkBeat& beat) { send_frames(config_, {"", SinkBeat::kType, encode(beat)}); }

void BrokerLink::send_report_done(const ReportDone& done) {
  send_frames(config_, {"", ReportDone::kType, encode(done)});
}

std::string BrokerLink::broken(Clock::time_point now, std::chrono::milliseconds wait) const {
  if (!other_run_.empty())
    return "the broker at " + address_ + " now runs another run (" + other_run_ + "): run " + run_id_ +
           " ended without its finish";
  if (now - last_heard_ > wait)
    return (ever_heard_ ? "the broker at " + address_ + " fell silent for "
                        : "no broker answered at " + address_ + " within ") +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) + " s";
  return "";
}

}  // namespace ramify
