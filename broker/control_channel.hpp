#pragma once
// The broker's control channel (XPUB, bound): heartbeats, the kill and the
// finish, for workers and the sink. It also sees each new subscription, so
// that a late worker or sink gets the current state at once.

#include <zmq.hpp>

#include "net/address.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"

namespace ramify {

class Security;

class ControlChannel {
 public:
  ControlChannel(zmq::context_t& context, Security& security, const Address& address);

  zmq::socket_t& socket() { return socket_; }
  // Reads one subscription message; true when it is a new subscription.
  bool read_subscription();

  template <class T>
  void publish(const T& message) {
    send_frames(socket_, {T::kType, encode(message)});
  }

 private:
  zmq::socket_t socket_;
};

}  // namespace ramify
