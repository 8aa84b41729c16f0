#include "state/level_stamps.hpp"

#include <set>

#include "ramify/node.hpp"
#include "util/sha256.hpp"

namespace ramify {
namespace {

// [job] keys that shape the run, not what curating a node yields.
bool shapes_only_the_run(const std::string& key) {
  static const std::set<std::string> keys = {"root",
                                             "manifest",
                                             "order",
                                             "partition_level",
                                             "split",
                                             "split_above",
                                             "on_failure",
                                             "max_failures",
                                             "max_attempts",
                                             "heartbeat",
                                             "liveness",
                                             "isolation",
                                             "journal",
                                             "report",
                                             "sink",
                                             "keys",
                                             "require_auth",
                                             "state",
                                             "rerun",
                                             "exclude",
                                             "exclude_git",
                                             "slot_memory_limit",
                                             "max_nodes_per_slot"};
  return keys.count(key) > 0;
}

std::string file_digest(const std::string& path) {
  const FileDigest digest = sha256_file(path);
  return digest.error.empty() ? digest.hex : "unreadable: " + digest.error;
}

}  // namespace

std::map<std::string, std::string> curator_stamps(const JobSpec& spec, const std::string& run_id) {
  Sha256 shared;
  shared.update("ramify " RAMIFY_VERSION "\n");
  std::map<std::string, std::string> exec_commands;  // "section.key" -> value, of [exec]
  for (const auto& [name, value] : spec.entries()) {
    const auto dot = name.find('.');
    const std::string section = name.substr(0, dot);
    const std::string key = dot == std::string::npos ? std::string() : name.substr(dot + 1);
    if (section == "exec") {
      exec_commands[key] = value;
      continue;
    }
    if (section == "job" && shapes_only_the_run(key)) continue;
    shared.update(name + "=" + value + "\n");
    const bool is_file = (section == "job" && key == "plugin") || (section == "python" && key == "module") ||
                         section == "inputs" || (section == "checksum" && key == "verify");
    if (is_file && !value.empty()) shared.update(name + " digest " + file_digest(value) + "\n");
  }
  const std::string common = shared.hex_digest();

  std::vector<std::string> levels = spec.levels();
  levels.push_back(kFolderLevel);
  levels.push_back(kFileLevel);
  const bool recheck_files = spec.curator() == "checksum" && spec.get("checksum", "recheck") == "always";
  std::map<std::string, std::string> stamps;
  for (const std::string& level : levels) {
    Sha256 digest;
    digest.update(common);
    for (const auto& [key, command] : exec_commands)
      if (key.substr(0, key.find(':')) == level) digest.update("exec." + key + "=" + command + "\n");
    if (recheck_files && level == kFileLevel) digest.update("recheck " + run_id);
    stamps[level] = digest.hex_digest().substr(0, 16);
  }
  return stamps;
}

}  // namespace ramify
