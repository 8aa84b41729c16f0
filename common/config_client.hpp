#pragma once
// A REQ client for the broker's config service with Lazy Pirate behaviour:
// each try waits `timeout`; a try without a reply closes the socket with
// linger 0 and opens a new one; after `tries` tries it throws TimeoutError.

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "common/codec.hpp"
#include "common/sockets.hpp"

namespace ramify {

class ConfigClient {
 public:
  ConfigClient(zmq::context_t& context, std::string endpoint, std::chrono::milliseconds timeout, int tries,
               std::optional<CurveSettings> curve = std::nullopt);

  // Sends [type, body]; returns the reply's [type, body].
  std::pair<std::string, std::string> request(const std::string& type, const std::string& body);

  // Typed call: decodes the reply as Reply; an ERROR reply throws ConfigError.
  template <class Reply, class Request>
  Reply call(const Request& request_message) {
    auto [type, body] = request(Request::kType, encode(request_message));
    if (type == ErrorReply::kType) throw ConfigError(decode<ErrorReply>(body).message);
    if (type != Reply::kType) throw DecodeError("unexpected reply '" + type + "' to " + Request::kType);
    return decode<Reply>(body);
  }

  void set_tries(int tries) { tries_ = tries; }
  // A counter that ends a pending request early (TimeoutError) once non-zero.
  void set_interrupt(const std::atomic<int>* flag) { interrupt_ = flag; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  void reconnect();

  zmq::context_t& context_;
  std::string endpoint_;
  std::chrono::milliseconds timeout_;
  int tries_;
  std::optional<zmq::socket_t> socket_;
  std::optional<CurveSettings> curve_;
  const std::atomic<int>* interrupt_ = nullptr;
};

}  // namespace ramify
