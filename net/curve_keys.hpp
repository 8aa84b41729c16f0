#pragma once
// CURVE keys for every socket: `ramify keygen DIR` writes them, every daemon
// loads them with --keys DIR. Every key has a role, and the broker and the
// sink admit each key only where its role may go. Layout of DIR:
//   NAME.key             "public = Z85" and "secret = Z85" (mode 0600)
//   NAME.pub             "public = Z85"
//   allowed/workers/     public keys admitted as workers (curate; send log rows)
//   allowed/sinks/       public keys admitted as sinks (write the report)
//   allowed/clients/     public keys admitted as clients (ramify tail, ramify status)
// A daemon's own key is ROLE.key (broker, sink, worker, client) unless it is
// given one (--key FILE); workers on other hosts get their key plus
// broker.pub and sink.pub. Folders of the old layout (allowed/*.pub, no role
// folders) still load, each key's role read from its name (worker*, sink*,
// client*); `ramify keygen DIR --upgrade` moves them into the role folders.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ramify {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;
};

// The roles a key may have on the broker's and the sink's sockets.
enum class KeyRole { worker, sink, client };
const char* to_string(KeyRole role);
// "worker", "sink", "client" -> the role; nullopt for anything else.
std::optional<KeyRole> key_role_named(std::string_view name);
// The folder under allowed/ that holds a role's keys ("workers", ...).
const char* allowed_folder(KeyRole role);

// What one daemon (or client) needs to speak CURVE.
struct CurveIdentity {
  std::string role;
  KeyPair own;
  std::string broker_public;  // the servers' public keys ("" when not in the folder)
  std::string sink_public;
  std::map<std::string, KeyRole> allowed;  // Z85 public key -> its role (servers)
  bool old_layout = false;                 // allowed/*.pub without role folders
};

KeyPair generate_keypair();
// Writes NAME.key (0600) and NAME.pub in `dir`, and, unless `role` is empty
// (the broker: nobody connects as the broker), allowed/ROLE-FOLDER/NAME.pub.
// Refuses to overwrite.
void write_keypair(const std::string& dir, const std::string& name, const KeyPair& keys,
                   std::optional<KeyRole> role);
// Loads an identity from `dir`: its own key (`key_file`, or DIR/ROLE.key), the
// servers' .pub files, and allowed/. Throws ConfigError naming the missing or
// malformed file and what to do about it.
CurveIdentity load_identity(const std::string& dir, const std::string& role, const std::string& key_file = "");
// Moves the keys of an old-layout allowed/ into the role folders; returns
// what it moved ("allowed/worker.pub -> allowed/workers/worker.pub").
std::vector<std::string> upgrade_allowed(const std::string& dir);
// Z85 text -> the 32 raw bytes ZAP reports; throws ConfigError when malformed.
std::string z85_to_binary(const std::string& z85);

}  // namespace ramify
