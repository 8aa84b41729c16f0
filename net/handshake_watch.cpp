#include "net/handshake_watch.hpp"

#include <atomic>
#include <cstring>

namespace ramify {
namespace {
std::atomic<std::uint64_t> g_monitors{0};
}  // namespace

HandshakeWatch::HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, std::string server, bool with_keys)
    : watched_(socket), server_(std::move(server)), with_keys_(with_keys) {
  const std::string endpoint = "inproc://ramify-handshake-" + std::to_string(g_monitors.fetch_add(1));
  const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), events) != 0) throw zmq::error_t();
  monitor_ = zmq::socket_t(context, zmq::socket_type::pair);
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(endpoint);
}

HandshakeWatch::~HandshakeWatch() { zmq_socket_monitor(watched_.handle(), nullptr, 0); }

void HandshakeWatch::read_events() {
  while (true) {
    zmq::message_t event, address;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return;
    if (event.more()) (void)monitor_.recv(address, zmq::recv_flags::dontwait);
    if (event.size() < 6) continue;
    std::uint16_t kind = 0;
    std::uint32_t value = 0;
    std::memcpy(&kind, event.data(), sizeof kind);
    std::memcpy(&value, static_cast<const char*>(event.data()) + 2, sizeof value);
    switch (kind) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        connected_ = true;
        drops_ = 0;
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        failure_ = server_ + " refused our key (it is not in its allowed list, or not of a role it admits there)";
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
          failure_ = with_keys_ ? server_ + " does not use keys, but we do (--keys)"
                                : server_ + " requires keys (CURVE): give --keys DIR";
        } else {
          failure_ = server_ + " broke off the handshake (protocol error " + std::to_string(value) + ")";
        }
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        if (with_keys_ && !connected_) ++drops_;
        break;
      default: break;
    }
  }
}

std::optional<std::string> HandshakeWatch::failure() {
  read_events();
  return failure_;
}

std::optional<std::string> HandshakeWatch::dropped() {
  read_events();
  if (connected_ || drops_ == 0) return std::nullopt;
  return server_ + " dropped our handshake " + std::to_string(drops_) + (drops_ == 1 ? " time" : " times") +
         ": the server key we have for it does not match its key (or nothing answers behind a port proxy)";
}

bool HandshakeWatch::connected() {
  read_events();
  return connected_;
}

}  // namespace ramify
