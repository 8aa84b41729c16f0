#include "net/sockets.hpp"

#include <algorithm>
#include <cerrno>
#include <random>

namespace ramify {

zmq::socket_t make_socket(zmq::context_t& context, zmq::socket_type type, const SocketOptions& options) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, static_cast<int>(options.linger.count()));
  if (options.max_message >= 0) socket.set(zmq::sockopt::maxmsgsize, options.max_message);
  socket.set(zmq::sockopt::sndhwm, options.send_hwm);
  socket.set(zmq::sockopt::rcvhwm, options.receive_hwm);
  if (options.immediate) socket.set(zmq::sockopt::immediate, 1);
  // A peer that does not finish its handshake in time is dropped.
  socket.set(zmq::sockopt::handshake_ivl, 5000);
  if (options.curve) {
    const CurveSettings& curve = *options.curve;
    if (curve.server) {
      socket.set(zmq::sockopt::curve_server, 1);
      socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
      socket.set(zmq::sockopt::zap_domain, curve.zap_domain);
    } else {
      socket.set(zmq::sockopt::curve_serverkey, curve.server_key);
      socket.set(zmq::sockopt::curve_publickey, curve.public_key);
      socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
    }
  }
  // A peer that is not up yet is retried quickly at first, then backs off to a second.
  socket.set(zmq::sockopt::reconnect_ivl, 20);
  socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
  return socket;
}

std::optional<std::vector<zmq::message_t>> receive_frames(zmq::socket_t& socket, std::size_t max_frames) {
  std::vector<zmq::message_t> frames;
  bool too_many = false;
  while (true) {
    zmq::message_t frame;
    auto received = socket.recv(frame, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
    if (!received) return std::nullopt;  // only possible for the first frame
    const bool more = frame.more();
    if (frames.size() < max_frames) {
      frames.push_back(std::move(frame));
    } else {
      too_many = true;
    }
    if (!more) break;
  }
  if (too_many) frames.clear();
  return frames;
}

bool send_frames(zmq::socket_t& socket, const std::vector<std::string>& frames, bool dont_wait) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    if (dont_wait) flags = flags | zmq::send_flags::dontwait;
    auto sent = socket.send(zmq::buffer(frames[i]), flags);
    if (!sent) {
      if (i == 0) return false;
      // A multipart message is atomic once its first frame is queued; later frames cannot block.
    }
  }
  return true;
}

int poll_items(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items.data(), items.size(), timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) {
      for (auto& item : items) item.revents = 0;
      return 0;
    }
    throw;
  }
}

std::string random_hex(std::size_t bytes) {
  static thread_local std::mt19937_64 engine(std::random_device{}());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    auto byte = static_cast<unsigned>(engine() & 0xff);
    out += digits[byte >> 4];
    out += digits[byte & 0xf];
  }
  return out;
}

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

}  // namespace ramify
