#pragma once
// Waiting on a ZeroMQ socket from a test, with a deadline.

#include <zmq.hpp>

#include <chrono>
#include <vector>

#include "net/sockets.hpp"

namespace ramify::testing {

// True when `socket` receives anything within `wait`.
inline bool receives_anything(zmq::socket_t& socket, std::chrono::milliseconds wait) {
  std::vector<zmq::pollitem_t> items{{socket.handle(), 0, ZMQ_POLLIN, 0}};
  poll_items(items, wait);
  return (items[0].revents & ZMQ_POLLIN) != 0;
}

}  // namespace ramify::testing
