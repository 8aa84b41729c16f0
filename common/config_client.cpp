#include "common/config_client.hpp"

#include "common/sockets.hpp"

namespace ramify {

ConfigClient::ConfigClient(zmq::context_t& context, std::string endpoint, std::chrono::milliseconds timeout,
                           int tries, std::optional<CurveSettings> curve)
    : context_(context), endpoint_(std::move(endpoint)), timeout_(timeout), tries_(tries), curve_(std::move(curve)) {}

void ConfigClient::reconnect() {
  socket_.reset();  // linger 0: a pending request is dropped
  SocketOptions options;
  options.max_message = kMaxConfigMessage;
  options.immediate = false;
  options.curve = curve_;
  socket_.emplace(make_socket(context_, zmq::socket_type::req, options));
  socket_->connect(endpoint_);
}

std::pair<std::string, std::string> ConfigClient::request(const std::string& type, const std::string& body) {
  for (int attempt = 0; attempt < tries_; ++attempt) {
    if (!socket_) reconnect();
    send_frames(*socket_, {type, body}, /*dont_wait=*/false);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (true) {
      std::vector<zmq::pollitem_t> items{{socket_->handle(), 0, ZMQ_POLLIN, 0}};
      poll_items(items, std::min(until(deadline), std::chrono::milliseconds(100)));
      if (interrupt_ && interrupt_->load() != 0) {
        socket_.reset();
        throw TimeoutError("interrupted while waiting for " + endpoint_);
      }
      if (items[0].revents & ZMQ_POLLIN) {
        auto frames = receive_frames(*socket_);
        if (frames && frames->size() == 2) return {frame_text((*frames)[0]), frame_text((*frames)[1])};
        socket_.reset();  // a malformed reply: the REQ state machine is unusable
        throw DecodeError("malformed reply from " + endpoint_);
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    socket_.reset();
  }
  throw TimeoutError("no answer from " + endpoint_ + " after " + std::to_string(tries_) + " tries of " +
                     std::to_string(timeout_.count()) + " ms");
}

}  // namespace ramify
