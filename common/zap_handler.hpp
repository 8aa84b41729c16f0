#pragma once
// The ZAP handler of a CURVE server: a thread that answers libzmq's
// authentication requests on inproc://zeromq.zap.01 of the daemon's context,
// admitting only the allowed public keys and logging every rejection with the
// peer's address. Construct it before binding any other socket of the context
// (CURVE without ZAP would admit anyone who knows the server's key).

#include <zmq.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>

namespace ramify {

class ZapHandler {
 public:
  // `allowed` holds Z85 public keys.
  ZapHandler(zmq::context_t& context, const std::set<std::string>& allowed, std::string daemon);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  std::uint64_t rejected() const { return rejected_; }

 private:
  void serve(zmq::socket_t& socket);

  std::set<std::string> allowed_;  // 32-byte binary keys
  std::string daemon_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> rejected_{0};
  zmq::socket_t socket_;
  std::thread thread_;
};

}  // namespace ramify
