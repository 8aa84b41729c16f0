#include "net/curve_keys.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "util/errors.hpp"
#include "util/text.hpp"

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

const char* to_string(KeyRole role) {
  switch (role) {
    case KeyRole::worker: return "worker";
    case KeyRole::sink: return "sink";
    case KeyRole::client: return "client";
  }
  return "?";
}

std::optional<KeyRole> key_role_named(std::string_view name) {
  for (KeyRole role : {KeyRole::worker, KeyRole::sink, KeyRole::client})
    if (name == to_string(role)) return role;
  return std::nullopt;
}

const char* allowed_folder(KeyRole role) {
  switch (role) {
    case KeyRole::worker: return "workers";
    case KeyRole::sink: return "sinks";
    case KeyRole::client: return "clients";
  }
  return "?";
}

namespace {

// The role an old-layout key had by its name: worker*, sink*, client*.
std::optional<KeyRole> role_by_name(const std::string& stem) {
  for (KeyRole role : {KeyRole::worker, KeyRole::sink, KeyRole::client})
    if (stem.rfind(to_string(role), 0) == 0) return role;
  return std::nullopt;
}

}  // namespace

void write_keypair(const std::string& dir, const std::string& name, const KeyPair& keys,
                   std::optional<KeyRole> role) {
  const fs::path folder(dir);
  fs::create_directories(folder);
  fs::permissions(folder, fs::perms::owner_all);
  const std::string public_line = "public = " + keys.public_key + "\n";
  write_file(folder / (name + ".key"), "# ramify CURVE key of " + name + ": keep it secret\n" + public_line +
                                           "secret = " + keys.secret_key + "\n",
             fs::perms::owner_read | fs::perms::owner_write);
  const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  write_file(folder / (name + ".pub"), public_line, readable);
  if (!role) return;
  const fs::path allowed = folder / "allowed" / allowed_folder(*role);
  fs::create_directories(allowed);
  write_file(allowed / (name + ".pub"), public_line, readable);
}

CurveIdentity load_identity(const std::string& dir, const std::string& role, const std::string& key_file_option) {
  const fs::path folder(dir);
  if (!fs::is_directory(folder)) throw ConfigError("keys: " + dir + " is not a folder (make one with ramify keygen)");
  CurveIdentity identity;
  identity.role = role;
  const fs::path key_file = key_file_option.empty() ? folder / (role + ".key") : fs::path(key_file_option);
  if (!fs::exists(key_file))
    throw ConfigError("keys: " + key_file.string() + " is missing: the " + role + " needs its own key there (" +
                      "`ramify keygen " + dir + "` writes one; a key made with `--name NAME` is NAME.key: give it " +
                      "with --key FILE)");
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
  const fs::path allowed = folder / "allowed";
  if (!fs::is_directory(allowed)) return identity;
  for (KeyRole key_role : {KeyRole::worker, KeyRole::sink, KeyRole::client}) {
    const fs::path role_folder = allowed / allowed_folder(key_role);
    if (!fs::is_directory(role_folder)) continue;
    for (const auto& entry : fs::directory_iterator(role_folder))
      if (entry.path().extension() == ".pub")
        identity.allowed[checked_key(read_key_file(entry.path())["public"], entry.path())] = key_role;
  }
  // The old layout: keys straight in allowed/, their role read from their names.
  for (const auto& entry : fs::directory_iterator(allowed)) {
    if (entry.path().extension() != ".pub") continue;
    identity.old_layout = true;
    const auto key_role = role_by_name(entry.path().stem().string());
    if (!key_role)
      throw ConfigError("keys: " + entry.path().string() + " has no role: move it into allowed/workers/, " +
                        "allowed/sinks/ or allowed/clients/ (`ramify keygen " + dir + " --upgrade` moves the " +
                        "keys whose names say their role)");
    identity.allowed[checked_key(read_key_file(entry.path())["public"], entry.path())] = *key_role;
  }
  return identity;
}

std::vector<std::string> upgrade_allowed(const std::string& dir) {
  const fs::path allowed = fs::path(dir) / "allowed";
  std::vector<std::string> moved;
  if (!fs::is_directory(allowed)) throw ConfigError("keys: " + allowed.string() + " is not a folder");
  std::vector<fs::path> flat;
  for (const auto& entry : fs::directory_iterator(allowed))
    if (entry.path().extension() == ".pub") flat.push_back(entry.path());
  for (const auto& path : flat) {
    const auto role = role_by_name(path.stem().string());
    if (!role)
      throw ConfigError("keys: " + path.string() + " has no role in its name: move it into allowed/workers/, " +
                        "allowed/sinks/ or allowed/clients/ yourself");
  }
  for (const auto& path : flat) {
    const auto role = role_by_name(path.stem().string());
    const fs::path target = allowed / allowed_folder(*role) / path.filename();
    fs::create_directories(target.parent_path());
    if (fs::exists(target)) throw ConfigError("keys: " + target.string() + " already exists; not moving " + path.string());
    fs::rename(path, target);
    moved.push_back("allowed/" + path.filename().string() + " -> allowed/" + allowed_folder(*role) + "/" +
                    path.filename().string());
  }
  return moved;
}

}  // namespace ramify
