#include "broker/control_channel.hpp"

#include "net/security.hpp"

namespace ramify {

ControlChannel::ControlChannel(zmq::context_t& context, Security& security, const Address& address) {
  SocketOptions options;
  options.linger = std::chrono::milliseconds(200);
  options.send_hwm = 10000;
  options.max_message = 1024;  // subscriptions only
  options.curve = security.server(context, "broker.control", {KeyRole::worker, KeyRole::sink});
  socket_ = make_socket(context, zmq::socket_type::xpub, options);
  socket_.set(zmq::sockopt::xpub_verbose, 1);
  socket_.bind(address.endpoint(kControlPort, "control"));
}

bool ControlChannel::read_subscription() {
  auto frames = receive_frames(socket_, 1);
  return frames && frames->size() == 1 && (*frames)[0].size() > 0 &&
         *static_cast<const unsigned char*>((*frames)[0].data()) == 1;
}

}  // namespace ramify
