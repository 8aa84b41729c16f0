#include "common/zap_handler.hpp"

#include <zmq.h>

#include "common/curve_keys.hpp"
#include "common/logging.hpp"
#include "common/sockets.hpp"

namespace ramify {

ZapHandler::ZapHandler(zmq::context_t& context, const std::set<std::string>& allowed, std::string daemon)
    : daemon_(std::move(daemon)) {
  for (const auto& key : allowed) allowed_.insert(z85_to_binary(key));
  SocketOptions options;
  options.max_message = 4096;
  socket_ = make_socket(context, zmq::socket_type::rep, options);
  socket_.bind("inproc://zeromq.zap.01");  // bound here, before the daemon binds anything else
  thread_ = std::thread([this] { serve(socket_); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapHandler::serve(zmq::socket_t& socket) {
  while (!stop_) {
    std::vector<zmq::pollitem_t> items{{socket.handle(), 0, ZMQ_POLLIN, 0}};
    poll_items(items, std::chrono::milliseconds(100));
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    auto frames = receive_frames(socket, 8);
    if (!frames) continue;
    // version, request id, domain, address, routing id, mechanism, credentials...
    const auto& f = *frames;
    const std::string version = f.size() > 0 ? frame_text(f[0]) : "";
    const std::string request_id = f.size() > 1 ? frame_text(f[1]) : "";
    const std::string address = f.size() > 3 ? frame_text(f[3]) : "?";
    const std::string mechanism = f.size() > 5 ? frame_text(f[5]) : "";
    const std::string key = f.size() > 6 ? frame_text(f[6]) : "";
    const bool admitted = version == "1.0" && mechanism == "CURVE" && allowed_.count(key) > 0;
    if (!admitted && (++rejected_ <= 10 || rejected_ % 1000 == 0)) {  // a client retrying forever must not flood the log
      char z85[41] = {};
      if (key.size() == 32) zmq_z85_encode(z85, reinterpret_cast<const std::uint8_t*>(key.data()), 32);
      logger(daemon_)->warn("rejected a {} client from {} (key {}: not allowed; {} rejection(s) so far)",
                            mechanism.empty() ? "?" : mechanism, address, key.size() == 32 ? z85 : "none",
                            rejected_.load());
    }
    send_frames(socket, {"1.0", request_id, admitted ? "200" : "400", admitted ? "OK" : "not allowed",
                         admitted ? "ramify" : "", ""},
                /*dont_wait=*/false);
  }
}

}  // namespace ramify
