#pragma once
// How a daemon secures its sockets: without keys, nothing (and a warning when
// it listens beyond loopback); with a keys folder, CURVE on every socket and,
// on the servers (broker, sink), a ZAP handler that admits only allowed keys.

#include <zmq.hpp>

#include <memory>
#include <optional>
#include <string>

#include "common/curve_keys.hpp"
#include "common/sockets.hpp"
#include "common/zap_handler.hpp"

namespace ramify {

class Security {
 public:
  // `keys_dir` empty: no CURVE. Throws ConfigError when the folder lacks what `role` needs.
  Security(const std::string& keys_dir, const std::string& role);

  bool enabled() const { return identity_.has_value(); }
  // Settings for a socket this daemon binds (starts the ZAP handler on first use).
  std::optional<CurveSettings> server(zmq::context_t& context, const std::string& daemon);
  // Settings for a socket that connects to the broker or to the sink.
  std::optional<CurveSettings> client_of_broker() const;
  std::optional<CurveSettings> client_of_sink() const;
  std::uint64_t rejected() const { return zap_ ? zap_->rejected() : 0; }

 private:
  std::optional<CurveSettings> client_of(const std::string& server_key, const char* server) const;

  std::optional<CurveIdentity> identity_;
  std::unique_ptr<ZapHandler> zap_;
};

// Refuses to go on without keys when authentication is required, and warns
// when a daemon without keys listens on a non-loopback address.
void check_exposure(const Security& security, bool require_auth, const std::string& bind_address,
                    const std::string& daemon);

}  // namespace ramify
