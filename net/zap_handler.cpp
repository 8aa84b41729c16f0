#include "net/zap_handler.hpp"

#include <zmq.h>

#include "net/curve_keys.hpp"
#include "net/sockets.hpp"
#include "util/logging.hpp"

namespace ramify {

namespace {

// "broker.work:worker,sink" -> does it admit `role`?
bool domain_admits(const std::string& domain, KeyRole role) {
  const auto colon = domain.find(':');
  if (colon == std::string::npos) return false;
  std::string_view roles(domain);
  roles.remove_prefix(colon + 1);
  while (!roles.empty()) {
    const auto comma = roles.find(',');
    if (roles.substr(0, comma) == to_string(role)) return true;
    if (comma == std::string_view::npos) break;
    roles.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, const std::map<std::string, KeyRole>& allowed, std::string daemon)
    : daemon_(std::move(daemon)) {
  for (const auto& [key, role] : allowed) allowed_[z85_to_binary(key)] = {role, key};
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
    const std::string domain = f.size() > 2 ? frame_text(f[2]) : "";
    const std::string address = f.size() > 3 ? frame_text(f[3]) : "?";
    const std::string mechanism = f.size() > 5 ? frame_text(f[5]) : "";
    const std::string key = f.size() > 6 ? frame_text(f[6]) : "";
    const auto known = allowed_.find(key);
    std::string why;
    if (version != "1.0" || mechanism != "CURVE") {
      why = "not CURVE";
    } else if (known == allowed_.end()) {
      why = "not allowed";
    } else if (!domain_admits(domain, known->second.first)) {
      why = std::string("a ") + to_string(known->second.first) + " key, which this socket does not admit";
    }
    const bool admitted = why.empty();
    if (!admitted && (++rejected_ <= 10 || rejected_ % 1000 == 0)) {  // a client retrying forever must not flood the log
      char z85[41] = {};
      if (key.size() == 32) zmq_z85_encode(z85, reinterpret_cast<const std::uint8_t*>(key.data()), 32);
      logger(daemon_)->warn("rejected a {} client of {} from {} (key {}: {}; {} rejection(s) so far)",
                            mechanism.empty() ? "?" : mechanism, domain.substr(0, domain.find(':')), address,
                            key.size() == 32 ? z85 : "none", why, rejected_.load());
    }
    const std::string user_id =
        admitted ? std::string(to_string(known->second.first)) + " " + known->second.second : std::string();
    send_frames(socket, {"1.0", request_id, admitted ? "200" : "400", admitted ? "OK" : why, user_id, ""},
                /*dont_wait=*/false);
  }
}

}  // namespace ramify
