#pragma once
// A REQ client for a config service (the broker's, or a daemon's status
// endpoint). One socket for every try (REQ_RELAXED + REQ_CORRELATE: a request
// can be sent again without tearing down a slow handshake, and only the reply
// to the latest request counts); each try waits twice as long as the one
// before (the first `timeout`, at most 8 s), so that a link with a long round
// trip is answered. A handshake that fails for good (a refused key, a wrong
// server key, keys on one side only) ends the call at once with ConfigError
// saying so; silence ends it with TimeoutError.

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "net/handshake_watch.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"

namespace ramify {

class ConfigClient {
 public:
  using Clock = std::chrono::steady_clock;

  // `server` names the peer in messages ("broker", "sink", "worker").
  ConfigClient(zmq::context_t& context, std::string endpoint, std::chrono::milliseconds timeout, int tries,
               std::optional<CurveSettings> curve = std::nullopt, std::string server = "server");
  ~ConfigClient();

  // Sends [type, body]; returns the reply's [type, body] (after up to `tries` tries).
  std::pair<std::string, std::string> request(const std::string& type, const std::string& body);
  // The same, trying until `deadline`; `on_slow` is called once when the first try goes unanswered.
  std::pair<std::string, std::string> request_until(const std::string& type, const std::string& body,
                                                    Clock::time_point deadline,
                                                    const std::function<void()>& on_slow = {});

  // Typed call: decodes the reply as Reply; an ERROR reply throws ConfigError.
  template <class Reply, class Request>
  Reply call(const Request& request_message) {
    return decode_reply<Reply, Request>(request(Request::kType, encode(request_message)));
  }
  template <class Reply, class Request>
  Reply call_until(const Request& request_message, Clock::time_point deadline,
                   const std::function<void()>& on_slow = {}) {
    return decode_reply<Reply, Request>(request_until(Request::kType, encode(request_message), deadline, on_slow));
  }

  void set_tries(int tries) { tries_ = tries; }
  // A counter that ends a pending request early (TimeoutError) once non-zero.
  void set_interrupt(const std::atomic<int>* flag) { interrupt_ = flag; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  template <class Reply, class Request>
  static Reply decode_reply(const std::pair<std::string, std::string>& reply) {
    const auto& [type, body] = reply;
    if (type == ErrorReply::kType) throw ConfigError(decode<ErrorReply>(body).message);
    if (type != Reply::kType) throw DecodeError("unexpected reply '" + type + "' to " + Request::kType);
    return decode<Reply>(body);
  }
  // Sends and waits; false when `deadline` came first.
  std::optional<std::pair<std::string, std::string>> try_once(const std::string& type, const std::string& body,
                                                              Clock::time_point deadline);
  void reconnect();
  // At a deadline: handshakes that were only ever dropped explain the silence (ConfigError).
  void throw_if_dropped();
  std::string describe() const { return "the " + server_ + " at " + endpoint_; }

  zmq::context_t& context_;
  std::string endpoint_;
  std::chrono::milliseconds timeout_;
  int tries_;
  std::optional<CurveSettings> curve_;
  std::string server_;
  std::optional<zmq::socket_t> socket_;
  std::unique_ptr<HandshakeWatch> watch_;
  const std::atomic<int>* interrupt_ = nullptr;
};

}  // namespace ramify
