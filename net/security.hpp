#pragma once
// How a daemon secures its sockets: without keys, nothing (and a warning when
// it listens beyond loopback); with a keys folder, CURVE on every socket and,
// on the servers (broker, sink), a ZAP handler that admits each allowed key
// only on the sockets its role may use. Messages carry who sent them
// (peer_of), so a handler can refuse what a role may not ask for.

#include <zmq.hpp>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "net/curve_keys.hpp"
#include "net/sockets.hpp"
#include "net/zap_handler.hpp"

namespace ramify {

class Security {
 public:
  // `keys_dir` empty: no CURVE. `key_file` empty: KEYS_DIR/ROLE.key. Throws
  // ConfigError when the folder lacks what `role` needs.
  Security(const std::string& keys_dir, const std::string& role, const std::string& key_file = "");

  bool enabled() const { return identity_.has_value(); }
  // Settings for a socket this daemon binds (starts the ZAP handler on first
  // use), admitting allowed keys of these roles only; `socket` names it in logs.
  std::optional<CurveSettings> server(zmq::context_t& context, const std::string& socket,
                                      std::initializer_list<KeyRole> admits);
  // Settings for a socket that connects to the broker or to the sink.
  std::optional<CurveSettings> client_of_broker() const;
  std::optional<CurveSettings> client_of_sink() const;
  std::uint64_t rejected() const { return zap_ ? zap_->rejected() : 0; }

 private:
  std::optional<CurveSettings> client_of(const std::string& server_key, const char* server) const;

  std::optional<CurveIdentity> identity_;
  std::unique_ptr<ZapHandler> zap_;
};

// Who sent a message, as the ZAP handler tagged its connection: the key's
// role and Z85 public key, and the peer's address. Without keys (no CURVE)
// `role` is empty and every message is admitted as before.
struct Peer {
  std::optional<KeyRole> role;
  std::string key;
  std::string address;
  std::string describe() const;  // "client key K from 10.0.0.5"
};
Peer peer_of(const zmq::message_t& frame);

// Refuses to go on without keys when authentication is required, and warns
// when a daemon without keys listens on a non-loopback address.
void check_exposure(const Security& security, bool require_auth, const std::string& bind_address,
                    const std::string& daemon);

}  // namespace ramify
