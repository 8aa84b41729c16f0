#pragma once
// Watches the handshakes of a connecting socket (a socket monitor), so that a
// client can say why a server does not answer: it refused our key, it dropped
// a handshake because our copy of its key is wrong, it wants keys we do not
// have (or the other way round), or nobody answered at all.
//
// A dropped handshake is not a verdict on its own: a CURVE server that
// cannot read our hello drops every try, but so does, for a while, a proxy in
// front of a server that is not up yet (Docker's port proxy, a TCP relay),
// which accepts and then closes. So it only explains a silence once the
// client's own deadline has passed (dropped()).

#include <zmq.hpp>

#include <optional>
#include <string>

namespace ramify {

class HandshakeWatch {
 public:
  // Attach before connecting `socket`. `server` names the peer in messages
  // ("the broker at tcp://hostb:5552"); `with_keys`: whether we speak CURVE.
  HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, std::string server, bool with_keys);
  ~HandshakeWatch();
  HandshakeWatch(const HandshakeWatch&) = delete;
  HandshakeWatch& operator=(const HandshakeWatch&) = delete;

  // Reads the events so far; returns what explains the silence, once a
  // handshake failed in a way that retrying will not mend.
  std::optional<std::string> failure();
  // At the client's deadline: handshakes were dropped and none succeeded
  // (most likely our copy of the server's key is wrong).
  std::optional<std::string> dropped();
  // A handshake succeeded (the server is there and took our key).
  bool connected();

 private:
  void read_events();

  zmq::socket_t& watched_;
  zmq::socket_t monitor_;
  std::string server_;
  bool with_keys_;
  bool connected_ = false;
  std::optional<std::string> failure_;
  int drops_ = 0;  // handshakes dropped since the last one that succeeded
};

}  // namespace ramify
