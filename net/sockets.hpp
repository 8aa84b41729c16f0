#pragma once
// Socket helpers: every socket gets an explicit linger and, when it reads
// from the network, a maximum message size. Messages are a type frame plus a
// body frame (after a routing-id frame on ROUTER sockets).

#include <zmq.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ramify {

// CURVE on one socket: a server (with its secret key) or a client (with its
// keypair and the server's public key). All keys are Z85.
struct CurveSettings {
  bool server = false;
  std::string public_key;
  std::string secret_key;
  std::string server_key;  // clients only
  // Servers only: what the ZAP handler is told about the socket ("NAME:ROLE,..."
  // names the socket and the key roles it admits; see Security::admitting).
  std::string zap_domain = "ramify";
};

struct SocketOptions {
  std::chrono::milliseconds linger{0};
  std::int64_t max_message = -1;  // ZMQ_MAXMSGSIZE; -1 for none (inproc only)
  int send_hwm = 1000;
  int receive_hwm = 1000;
  bool immediate = true;  // ZMQ_IMMEDIATE on connecting sockets
  std::optional<CurveSettings> curve;
};

zmq::socket_t make_socket(zmq::context_t& context, zmq::socket_type type, const SocketOptions& options);

// Receives every frame of one message without blocking; nullopt when none is
// waiting. Messages with more than `max_frames` frames are drained and dropped
// (an empty vector is returned so that the caller can count them).
std::optional<std::vector<zmq::message_t>> receive_frames(zmq::socket_t& socket, std::size_t max_frames = 4);

// Sends frames as one message. Returns false when the socket would block.
bool send_frames(zmq::socket_t& socket, const std::vector<std::string>& frames, bool dont_wait = true);

// The text of a frame.
inline std::string frame_text(const zmq::message_t& frame) { return frame.to_string(); }

// zmq::poll that returns 0 when a signal interrupts it.
int poll_items(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout);

// A random hexadecimal id of `bytes` bytes.
std::string random_hex(std::size_t bytes);

// Milliseconds until `deadline` (0 when past), for zmq::poll timeouts.
std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline);

}  // namespace ramify
