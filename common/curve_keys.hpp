#pragma once
// CURVE keys for every socket: `ramify keygen DIR` writes them, every daemon
// loads them with --keys DIR. Layout of DIR:
//   ROLE.key        "public = Z85" and "secret = Z85" (mode 0600), ROLE in broker, sink, worker, client
//   ROLE.pub        "public = Z85"
//   allowed/*.pub   the public keys the broker and the sink admit (ZAP)
// Workers on other hosts get worker.key plus broker.pub and sink.pub;
// `ramify keygen DIR --name worker-hostb` adds a key of their own.

#include <set>
#include <string>

namespace ramify {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;
};

// What one daemon (or client) needs to speak CURVE.
struct CurveIdentity {
  std::string role;
  KeyPair own;
  std::string broker_public;  // the servers' public keys ("" when not in the folder)
  std::string sink_public;
  std::set<std::string> allowed;  // Z85 public keys of allowed/*.pub (servers)
};

KeyPair generate_keypair();
// Writes NAME.key (0600) and NAME.pub in `dir`, and allowed/NAME.pub unless
// NAME is the broker (nobody connects as the broker). Refuses to overwrite.
void write_keypair(const std::string& dir, const std::string& name, const KeyPair& keys);
// Loads `role`'s identity from `dir`: ROLE.key, the servers' .pub files, and
// allowed/. Throws ConfigError naming the missing or malformed file.
CurveIdentity load_identity(const std::string& dir, const std::string& role);
// Z85 text -> the 32 raw bytes ZAP reports; throws ConfigError when malformed.
std::string z85_to_binary(const std::string& z85);

}  // namespace ramify
