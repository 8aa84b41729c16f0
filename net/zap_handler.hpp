#pragma once
// The ZAP handler of a CURVE server: a thread that answers libzmq's
// authentication requests on inproc://zeromq.zap.01 of the daemon's context.
// Each socket names itself and the key roles it admits in its ZAP domain
// ("broker.work:worker"); the handler admits an allowed key only on sockets
// that admit its role, and tags the connection with User-Id "ROLE KEY" (read
// back from every message it sends: see peer_of in security.hpp). Every
// rejection is counted and logged with the socket, the peer's address and
// key. Construct it before binding any other socket of the context (CURVE
// without ZAP would admit anyone who knows the server's key).

#include <zmq.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "net/curve_keys.hpp"

namespace ramify {

class ZapHandler {
 public:
  // `allowed`: Z85 public key -> its role.
  ZapHandler(zmq::context_t& context, const std::map<std::string, KeyRole>& allowed, std::string daemon);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  std::uint64_t rejected() const { return rejected_; }

 private:
  void serve(zmq::socket_t& socket);

  std::map<std::string, std::pair<KeyRole, std::string>> allowed_;  // 32-byte binary key -> role, Z85
  std::string daemon_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> rejected_{0};
  zmq::socket_t socket_;
  std::thread thread_;
};

}  // namespace ramify
