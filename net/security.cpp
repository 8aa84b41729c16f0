#include "net/security.hpp"

#include "net/address.hpp"
#include "util/errors.hpp"
#include "util/logging.hpp"

namespace ramify {

Security::Security(const std::string& keys_dir, const std::string& role, const std::string& key_file) {
  if (keys_dir.empty()) return;
  identity_ = load_identity(keys_dir, role, key_file);
  if (identity_->old_layout && (role == "broker" || role == "sink"))
    logger(role)->warn("keys: {}/allowed/ has the old layout (no role folders); each key's role is read from its "
                       "name. Run `ramify keygen {} --upgrade` to move them into allowed/workers/, sinks/, clients/",
                       keys_dir, keys_dir);
}

std::optional<CurveSettings> Security::server(zmq::context_t& context, const std::string& socket,
                                              std::initializer_list<KeyRole> admits) {
  if (!identity_) return std::nullopt;
  const std::string daemon = socket.substr(0, socket.find('.'));
  if (!zap_) {
    if (identity_->allowed.empty())
      throw ConfigError("keys: the allowed/ folder is empty: nobody could connect (see ramify keygen)");
    zap_ = std::make_unique<ZapHandler>(context, identity_->allowed, daemon);
  }
  CurveSettings settings;
  settings.server = true;
  settings.public_key = identity_->own.public_key;
  settings.secret_key = identity_->own.secret_key;
  settings.zap_domain = socket + ":";
  for (KeyRole role : admits) {
    if (settings.zap_domain.back() != ':') settings.zap_domain += ",";
    settings.zap_domain += to_string(role);
  }
  return settings;
}

std::string Peer::describe() const {
  std::string text = role ? std::string(to_string(*role)) + " key " + key : std::string("a peer");
  if (!address.empty()) text += " from " + address;
  return text;
}

Peer peer_of(const zmq::message_t& frame) {
  Peer peer;
  auto property = [&](const char* name) -> std::string {
    const char* value = zmq_msg_gets(frame.handle(), name);
    return value ? value : "";
  };
  const std::string user = property("User-Id");
  const auto space = user.find(' ');
  if (space != std::string::npos) {
    peer.role = key_role_named(user.substr(0, space));
    peer.key = user.substr(space + 1);
  }
  peer.address = property("Peer-Address");
  return peer;
}

std::optional<CurveSettings> Security::client_of(const std::string& server_key, const char* server) const {
  if (!identity_) return std::nullopt;
  if (server_key.empty())
    throw ConfigError(std::string("keys: ") + server + ".pub is missing from the keys folder");
  CurveSettings settings;
  settings.public_key = identity_->own.public_key;
  settings.secret_key = identity_->own.secret_key;
  settings.server_key = server_key;
  return settings;
}

std::optional<CurveSettings> Security::client_of_broker() const {
  return client_of(identity_ ? identity_->broker_public : "", "broker");
}

std::optional<CurveSettings> Security::client_of_sink() const {
  return client_of(identity_ ? identity_->sink_public : "", "sink");
}

void check_exposure(const Security& security, bool require_auth, const std::string& bind_address,
                    const std::string& daemon) {
  if (security.enabled()) return;
  if (require_auth)
    throw ConfigError(daemon + ": authentication is required (--require-auth) but no keys were given (--keys DIR)");
  if (!bind_address.empty() && !Address::parse(bind_address, 1).is_loopback())
    logger(daemon)->warn("listening on {} without keys: anyone who reaches it can join (see ramify keygen)",
                         bind_address);
}

}  // namespace ramify
