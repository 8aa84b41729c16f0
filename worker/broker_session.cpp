#include "worker/broker_session.hpp"

#include <unistd.h>

#include "net/config_client.hpp"
#include "net/security.hpp"
#include "util/errors.hpp"
#include "util/host_name.hpp"
#include "util/logging.hpp"
#include "util/stop_request.hpp"

namespace ramify {

std::optional<SpecReply> fetch_spec(zmq::context_t& context, const Security& security, const Address& broker,
                                    const std::string& worker_id, std::chrono::milliseconds timeout,
                                    const StopRequest& stop) {
  ConfigClient client(context, broker.endpoint(kConfigPort, "config"), std::chrono::milliseconds(1000), 1,
                      security.client_of_broker(), "broker");
  client.set_interrupt(&stop.requested());
  try {
    SpecReply reply = client.call_until<SpecReply>(
        SpecRequest{kProtocolVersion, worker_id}, std::chrono::steady_clock::now() + timeout,
        [&] { logger("worker")->info("waiting for the broker at {}", broker.text()); });
    if (auto why = protocol_mismatch("the broker at " + broker.text(), reply.version); !why.empty())
      throw ConfigError(why);
    return reply;
  } catch (const TimeoutError&) {
    if (stop.count() > 0) return std::nullopt;
    throw TimeoutError("the broker at " + broker.text() + " did not answer within " +
                       std::to_string(timeout.count() / 1000) + " s");
  }
}

BrokerSession::BrokerSession(zmq::context_t& context, const Security& security, const Address& broker,
                             std::string worker_id)
    : worker_id_(std::move(worker_id)) {
  SocketOptions work_options;
  work_options.max_message = kMaxWorkMessage;
  work_options.immediate = false;  // HELLO waits in the pipe until the connection is up
  work_options.linger = std::chrono::milliseconds(500);
  work_options.curve = security.client_of_broker();
  work_ = make_socket(context, zmq::socket_type::dealer, work_options);
  work_.set(zmq::sockopt::routing_id, worker_id_);
  work_watch_ = std::make_unique<HandshakeWatch>(context, work_, "the broker at " + broker.endpoint(kWorkPort, "work"),
                                                 security.enabled());
  work_.connect(broker.endpoint(kWorkPort, "work"));

  SocketOptions control_options;
  control_options.max_message = kMaxControlMessage;
  control_options.immediate = false;
  control_options.curve = security.client_of_broker();
  control_ = make_socket(context, zmq::socket_type::sub, control_options);
  for (const char* topic : {ControlHeartbeat::kType, Kill::kType, Finish::kType})
    control_.set(zmq::sockopt::subscribe, topic);
  control_.connect(broker.endpoint(kControlPort, "control"));
}

void BrokerSession::on_work() {
  auto frames = receive_frames(work_, 2);
  if (!frames) return;
  if (frames->size() != 2) throw DecodeError("work message with the wrong number of frames");
  heard(Clock::now());
  work_messages.dispatch((*frames)[0].to_string_view(), (*frames)[1].to_string_view());
}

void BrokerSession::on_control() {
  auto frames = receive_frames(control_, 2);
  if (!frames) return;
  if (frames->size() != 2) throw DecodeError("control message with the wrong number of frames");
  // Only the subscribed topics arrive; one nobody handles is ignored.
  if (!control_messages.handles((*frames)[0].to_string_view())) return;
  control_messages.dispatch((*frames)[0].to_string_view(), (*frames)[1].to_string_view());
}

void BrokerSession::say_hello(std::uint32_t slots) {
  slots_ = slots;
  Hello hello;
  hello.worker_id = worker_id_;
  hello.host = host_name();
  hello.pid = getpid();
  hello.slots = slots;
  send(hello);
}

bool BrokerSession::heard(Clock::time_point now) {
  last_heard_ = now;
  if (!orphaned_since_) return false;
  orphaned_since_.reset();
  logger("worker")->info("the broker is back; joining it again");
  say_hello(slots_);
  return true;
}

bool BrokerSession::fell_silent(Clock::time_point now, std::chrono::milliseconds silence) {
  if (orphaned_since_ || now - last_heard_ <= silence) return false;
  orphaned_since_ = now;
  return true;
}

std::chrono::milliseconds BrokerSession::orphaned_for(Clock::time_point now) const {
  if (!orphaned_since_) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - *orphaned_since_);
}

std::optional<std::string> BrokerSession::refusal() {
  if (!work_watch_) return std::nullopt;
  if (auto failure = work_watch_->failure()) {
    work_watch_.reset();
    return failure;
  }
  if (work_watch_->connected()) work_watch_.reset();
  return std::nullopt;
}

}  // namespace ramify
