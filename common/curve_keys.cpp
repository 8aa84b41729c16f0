#include "common/curve_keys.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace ramify {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> read_key_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read key file " + path.string());
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) throw ConfigError("key file " + path.string() + ": malformed line '" + line + "'");
    values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return values;
}

std::string checked_key(const std::string& z85, const fs::path& path) {
  if (z85.size() != 40) throw ConfigError("key file " + path.string() + ": a key must be 40 Z85 characters");
  z85_to_binary(z85);
  return z85;
}

void write_file(const fs::path& path, const std::string& content, fs::perms perms) {
  if (fs::exists(path)) throw ConfigError(path.string() + " already exists; keygen never overwrites a key");
  {
    std::ofstream out(path);
    if (!out) throw ConfigError("cannot write " + path.string());
  }
  fs::permissions(path, perms);  // before the content: a secret is never readable by others
  std::ofstream out(path, std::ios::trunc);
  out << content;
  if (!out) throw ConfigError("cannot write " + path.string());
}

}  // namespace

std::string z85_to_binary(const std::string& z85) {
  if (z85.size() != 40) throw ConfigError("a CURVE key is 40 Z85 characters");
  std::string binary(32, '\0');
  if (!zmq_z85_decode(reinterpret_cast<std::uint8_t*>(binary.data()), z85.c_str()))
    throw ConfigError("malformed Z85 key");
  return binary;
}

KeyPair generate_keypair() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0)
    throw ConfigError("this libzmq cannot make CURVE keys (built without libsodium?)");
  return KeyPair{public_key, secret_key};
}

void write_keypair(const std::string& dir, const std::string& name, const KeyPair& keys) {
  const fs::path folder(dir);
  fs::create_directories(folder / "allowed");
  fs::permissions(folder, fs::perms::owner_all);
  const std::string public_line = "public = " + keys.public_key + "\n";
  write_file(folder / (name + ".key"), "# ramify CURVE key of " + name + ": keep it secret\n" + public_line +
                                           "secret = " + keys.secret_key + "\n",
             fs::perms::owner_read | fs::perms::owner_write);
  const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  write_file(folder / (name + ".pub"), public_line, readable);
  if (name != "broker") write_file(folder / "allowed" / (name + ".pub"), public_line, readable);
}

CurveIdentity load_identity(const std::string& dir, const std::string& role) {
  const fs::path folder(dir);
  if (!fs::is_directory(folder)) throw ConfigError("keys: " + dir + " is not a folder (make one with ramify keygen)");
  CurveIdentity identity;
  identity.role = role;
  const fs::path key_file = folder / (role + ".key");
  struct stat st {};
  if (stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    throw ConfigError("key file " + key_file.string() + " is readable by others: chmod 600 it");
  auto own = read_key_file(key_file);
  identity.own.public_key = checked_key(own["public"], key_file);
  identity.own.secret_key = checked_key(own["secret"], key_file);
  for (const auto& [server, out] : {std::pair<const char*, std::string*>{"broker", &identity.broker_public},
                                    std::pair<const char*, std::string*>{"sink", &identity.sink_public}}) {
    const fs::path path = folder / (std::string(server) + ".pub");
    if (fs::exists(path)) *out = checked_key(read_key_file(path)["public"], path);
  }
  if (fs::is_directory(folder / "allowed"))
    for (const auto& entry : fs::directory_iterator(folder / "allowed"))
      if (entry.path().extension() == ".pub")
        identity.allowed.insert(checked_key(read_key_file(entry.path())["public"], entry.path()));
  return identity;
}

}  // namespace ramify
