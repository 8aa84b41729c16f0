#include "spec/job_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "ramify/node.hpp"
#include "spec/ini_text.hpp"
#include "spec/job_keys.hpp"
#include "spec/job_spec_keys.hpp"
#include "util/did_you_mean.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

std::pair<std::string, std::string> split_key(const std::string& full) {
  auto dot = full.find('.');
  if (dot == std::string::npos) return {"job", full};
  return {full.substr(0, dot), full.substr(dot + 1)};
}

std::vector<std::string> registered_keys(const std::string& section) {
  std::vector<std::string> keys;
  for (const JobKey& k : job_keys())
    if (k.section == section) keys.push_back(k.key);
  return keys;
}

// Throws for a section that does not exist, or a key its section does not have.
// Keys of the free sections are checked by validate(), which knows the levels.
void check_known(const std::string& section, const std::string& key) {
  if (section.empty() || key.empty()) throw ConfigError("empty section or key in '" + section + "." + key + "'");
  const auto& sections = job_sections();
  if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
    const auto close = closest_name(section, sections);
    throw ConfigError("unknown section [" + section + "]" + (close ? " (did you mean [" + *close + "]?)" : ""));
  }
  if (is_free_section(section) || is_partly_free_section(section) || find_job_key(section, key)) return;
  if (const auto home = section_of_key(key))
    throw ConfigError(misplaced_key_message(key, *home, section));
  throw ConfigError("unknown key '" + key + "' in [" + section + "]" + did_you_mean(key, registered_keys(section)));
}

// 0.01, 60, 10000000: as short as exact.
std::string number_text(double value) {
  char text[64];
  std::snprintf(text, sizeof text, value == std::floor(value) ? "%.0f" : "%g", value);
  return text;
}

}  // namespace

std::uint64_t parse_count(const std::string& value, const std::string& what, std::uint64_t min, std::uint64_t max) {
  const std::string v = trim(value);
  const bool digits = !v.empty() && v.size() <= 18 &&
                      std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::uint64_t number = digits ? std::stoull(v) : 0;
  if (!digits || number < min || number > max)
    throw ConfigError(what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", not '" + value + "'");
  return number;
}

bool parse_flag(const std::string& value, const std::string& what) {
  const std::string v = trim(value);
  if (v == "true") return true;
  if (v == "false") return false;
  throw ConfigError(what + ": '" + value + "' is neither true nor false");
}

std::uint64_t parse_bytes(const std::string& value, const std::string& what) {
  std::string v = trim(value);
  if (v.empty()) return 0;
  std::uint64_t unit = 1;
  const char suffix = static_cast<char>(std::toupper(static_cast<unsigned char>(v.back())));
  if (suffix == 'K' || suffix == 'M' || suffix == 'G') {
    unit = suffix == 'K' ? 1ull << 10 : suffix == 'M' ? 1ull << 20 : 1ull << 30;
    v.pop_back();
  }
  const std::uint64_t most = (1ull << 50) / unit;  // a petabyte
  try {
    return parse_count(v, what, 0, most) * unit;
  } catch (const ConfigError&) {
    throw ConfigError(what + " must be a size such as 512M, 2G or 4096 (bytes) up to 1P, not '" + value + "'");
  }
}

double parse_seconds(const std::string& value, const std::string& what, double min, double max) {
  const std::string v = trim(value);
  double seconds = std::nan("");
  try {
    std::size_t used = 0;
    seconds = std::stod(v, &used);
    if (used != v.size()) seconds = std::nan("");
  } catch (const std::exception&) {
  }
  if (!std::isfinite(seconds) || seconds < min || seconds > max)
    throw ConfigError(what + " must be a number of seconds from " + number_text(min) + " to " + number_text(max) +
                      ", not '" + value + "'");
  return seconds;
}

std::string describe_spec_size(std::uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "the job spec is %.1f MiB; the limit is %llu MiB", static_cast<double>(bytes) / (1 << 20),
                static_cast<unsigned long long>(kMaxSpecBytes >> 20));
  return std::string(text) + " (give large data to the workers as a shared input, [inputs] NAME = FILE)";
}

JobSpec JobSpec::from_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ConfigError("cannot read config " + path + ": Is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read config " + path + ": " + std::strerror(errno));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxSpecBytes) throw ConfigError(path + ": " + describe_spec_size(size));
  std::stringstream text;
  text << in.rdbuf();
  JobSpec spec = from_text(text.str(), path);
  // A job file means the same from any folder: its relative paths start at its own folder.
  const auto folder = std::filesystem::absolute(path).parent_path();
  for (auto& [full, value] : spec.values_) {
    const auto [section, key] = split_key(full);
    if (is_path_key(section, key) && !value.empty() && value.front() != '/')
      value = (folder / value).lexically_normal().string();
  }
  return spec;
}

JobSpec JobSpec::from_text(const std::string& content, const std::string& path) {
  JobSpec spec;
  for (const IniEntry& entry : read_ini_text(content, path)) {
    const std::string origin = ini_location(path, entry.line);
    try {
      spec.set(entry.section, entry.key, entry.value, origin);
    } catch (const ConfigError& e) {
      throw ConfigError(origin + ": " + e.what());
    }
  }
  return spec;
}

JobSpec JobSpec::from_entries(const Entries& entries) {
  JobSpec spec;
  for (const auto& [full, value] : entries) {
    auto [section, key] = split_key(full);
    spec.set(section, key, value);
  }
  return spec;
}

void JobSpec::apply_override(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set expects section.key=value, got '" + assignment + "'");
  auto [section, key] = split_key(trim(assignment.substr(0, eq)));
  set(section, key, trim(assignment.substr(eq + 1)));
}

void JobSpec::set(const std::string& section, const std::string& key, const std::string& value,
                  const std::string& origin) {
  check_known(section, key);
  values_[section + "." + key] = value;
  if (origin.empty())
    origins_.erase(section + "." + key);
  else
    origins_[section + "." + key] = origin;
}

std::string JobSpec::where(const std::string& section, const std::string& key) const {
  auto it = origins_.find(section + "." + key);
  return it == origins_.end() ? "" : it->second + ": ";
}

std::optional<std::string> JobSpec::find(const std::string& section, const std::string& key) const {
  auto it = values_.find(section + "." + key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string JobSpec::get(const std::string& section, const std::string& key) const {
  if (auto v = find(section, key)) return *v;
  if (const JobKey* k = find_job_key(section, key)) return k->default_value;
  return {};
}

std::map<std::string, std::string> JobSpec::section(const std::string& name) const {
  std::map<std::string, std::string> out;
  const std::string prefix = name + ".";
  for (auto it = values_.lower_bound(prefix); it != values_.end() && it->first.starts_with(prefix); ++it)
    out[it->first.substr(prefix.size())] = it->second;
  return out;
}

JobSpec::Entries JobSpec::entries() const { return Entries(values_.begin(), values_.end()); }

JobLevels JobSpec::job_levels() const { return JobLevels::parse(get("job", "levels")); }

std::vector<std::string> JobSpec::levels() const { return job_levels().names(); }

PathPatterns JobSpec::excluded() const {
  const bool git = parse_flag(get("job", "exclude_git"), "exclude_git");
  return PathPatterns::parse((git ? "**/.git,**/.datalad," : "") + get("job", "exclude"));
}

std::string JobSpec::isolation() const {
  if (curator() == "python") return "process";
  return get("job", "isolation");
}

std::map<std::string, std::string> JobSpec::shared_inputs() const {
  std::map<std::string, std::string> inputs = section("inputs");
  if (curator() == "python") inputs[kPythonModuleInput] = get("python", "module");
  return inputs;
}

std::vector<std::string> JobSpec::excluded_file_globs() const {
  std::vector<std::string> globs;
  for (const auto& part : split(get("job", "exclude_files"), ','))
    if (std::string glob = trim(part); !glob.empty()) globs.push_back(std::move(glob));
  return globs;
}

FollowLinks JobSpec::follow_symlinks() const {
  const std::string v = get("job", "follow_symlinks");
  if (v == "none") return FollowLinks::none;
  if (v == "all") return FollowLinks::all;
  return FollowLinks::inside;
}

WalkOrder JobSpec::order() const {
  return get("job", "order") == "breadth" ? WalkOrder::breadth : WalkOrder::depth;
}

std::size_t JobSpec::partition_depth() const {
  auto names = levels();
  std::string level = get("job", "partition_level");
  if (level.empty()) return names.size() > 1 ? 1 : 0;
  auto it = std::find(names.begin(), names.end(), level);
  return static_cast<std::size_t>(it - names.begin());
}

FailurePolicy JobSpec::on_failure() const {
  std::string v = get("job", "on_failure");
  if (v == "finish") return FailurePolicy::finish;
  if (v == "continue") return FailurePolicy::keep_going;
  return FailurePolicy::kill;
}

std::uint64_t JobSpec::max_failures() const { return parse_count(get("job", "max_failures"), "job.max_failures"); }
std::uint32_t JobSpec::max_attempts() const {
  return static_cast<std::uint32_t>(parse_count(get("job", "max_attempts"), "job.max_attempts", 1, 100));
}
std::uint32_t JobSpec::liveness() const {
  return static_cast<std::uint32_t>(parse_count(get("job", "liveness"), "job.liveness", 1, 100));
}

std::chrono::milliseconds JobSpec::heartbeat_interval() const {
  return std::chrono::milliseconds(
      std::llround(parse_seconds(get("job", "heartbeat"), "job.heartbeat", 0.01, 60) * 1000));
}

std::chrono::milliseconds JobSpec::exec_timeout() const {
  return std::chrono::milliseconds(std::llround(parse_seconds(get("job", "timeout"), "job.timeout") * 1000));
}

std::uint64_t JobSpec::size_bytes() const {
  std::uint64_t bytes = 0;
  for (const auto& [key, value] : values_) bytes += key.size() + value.size();
  return bytes;
}

void JobSpec::validate() const {
  if (size_bytes() > kMaxSpecBytes) throw ConfigError(describe_spec_size(size_bytes()));
  check_key_placement(*this);
  // A manifest may come with a root: where its nodes live (root/ID).
  if (get("job", "root").empty() && get("job", "manifest").empty())
    throw ConfigError("the job needs a root (a directory tree) or a manifest");

  // Each check names where the key was set ("job.ini line 7: "), when it came from a file.
  auto job_key = [this](const char* key) { return where("job", key); };
  static const std::regex level_name("^[A-Za-z0-9_-]+$");
  std::vector<std::string> names;
  try {
    names = levels();
  } catch (const ConfigError& e) {
    throw ConfigError(job_key("levels") + e.what());
  }
  if (names.empty()) throw ConfigError(job_key("levels") + "levels: at least one level is needed");
  std::set<std::string> unique;
  for (const auto& name : names) {
    if (!std::regex_match(name, level_name))
      throw ConfigError(job_key("levels") + "levels: '" + name +
                        "' is not a valid level name (letters, digits, _ and -)");
    if (name == kFileLevel || name == kFolderLevel)
      throw ConfigError(job_key("levels") + "levels: '" + name + "' is reserved");
    if (!unique.insert(name).second) throw ConfigError(job_key("levels") + "levels: '" + name + "' appears twice");
  }

  parse_flag(get("job", "exclude_git"), job_key("exclude_git") + "exclude_git");
  if (const std::string follow = get("job", "follow_symlinks"); follow != "none" && follow != "inside" && follow != "all")
    throw ConfigError(job_key("follow_symlinks") + "follow_symlinks: '" + follow + "' is not none, inside or all");
  try {
    PathPatterns::parse(get("job", "exclude"));
  } catch (const ConfigError& e) {
    throw ConfigError(job_key("exclude") + e.what());
  }
  const std::string levels_text = " (levels are " + join(names, ",") + ")";
  std::string level = get("job", "partition_level");
  if (!level.empty() && !unique.count(level))
    throw ConfigError(job_key("partition_level") + "partition_level: unknown level '" + level + "'" + levels_text);
  if (!level.empty() && job_levels().find(level)->optional)
    throw ConfigError(job_key("partition_level") + "partition_level: '" + level +
                      "' may be absent (?), so the hierarchy cannot be split there; choose a level every branch has");

  std::string curator_name = curator();
  static const std::vector<std::string> curators{"noop",      "exec",     "checksum", "inventory",
                                                 "validate", "plugin", "python"};
  if (std::find(curators.begin(), curators.end(), curator_name) == curators.end())
    throw ConfigError(job_key("curator") + "curator: unknown curator '" + curator_name +
                      "' (known: noop, exec, checksum, inventory, validate, plugin, python)");
  if (curator_name == "plugin" && get("job", "plugin").empty())
    throw ConfigError(job_key("curator") + "curator plugin needs [job] plugin = /path/to/library.so");
  if (curator_name == "python" && get("python", "module").empty())
    throw ConfigError(job_key("curator") + "curator python needs [python] module = /path/to/curator.py (or --python)");
  if (curator_name == "python" && get("job", "isolation") == "thread" && find("job", "isolation"))
    throw ConfigError(job_key("isolation") +
                      "isolation = thread cannot run a python curator: slots that are threads would share one "
                      "interpreter and its lock (GIL); python slots are processes, each with its own interpreter");
  std::string stop = get("job", "stop_level");
  if (!stop.empty() && stop != kFolderLevel && !unique.count(stop))
    throw ConfigError(job_key("stop_level") + "stop_level: unknown level '" + stop + "'" + levels_text);
  for (const auto& [name, path] : section("inputs"))
    if (name.empty() || name.find_first_of("/{}:") != std::string::npos || trim(path).empty())
      throw ConfigError(where("inputs", name) + "[inputs] " + name + ": an input needs a plain name and a path");
  std::string order_name = get("job", "order");
  if (order_name != "depth" && order_name != "breadth")
    throw ConfigError(job_key("order") + "order: '" + order_name + "' is neither depth nor breadth");
  std::string policy = get("job", "on_failure");
  if (policy != "kill" && policy != "finish" && policy != "continue")
    throw ConfigError(job_key("on_failure") + "on_failure: '" + policy + "' is not kill, finish or continue");
  const std::string isolation = get("job", "isolation");
  if (isolation != "thread" && isolation != "process")
    throw ConfigError(job_key("isolation") + "isolation: '" + isolation + "' is neither thread nor process");
  const std::string split = get("job", "split");
  if (split != "auto" && split != "on" && split != "off")
    throw ConfigError(job_key("split") + "split: '" + split + "' is not auto, on or off");
  parse_flag(get("job", "require_auth"), job_key("require_auth") + "require_auth");
  const std::string rerun = get("job", "rerun");
  if (rerun != "changed" && rerun != "failed" && rerun != "all")
    throw ConfigError(job_key("rerun") + "rerun: '" + rerun + "' is not changed, failed or all");
  if (find("job", "rerun") && get("job", "state").empty())
    throw ConfigError(job_key("rerun") + "rerun does nothing without a state store ([job] state = FILE, or --state)");
  if (!get("job", "state").empty() && !get("job", "journal").empty())
    throw ConfigError(job_key("state") +
                      "state and journal do not go together: a state store already makes a rerun curate only what "
                      "changed or failed");
  const std::string recheck = get("checksum", "recheck");
  if (recheck != "mtime" && recheck != "always")
    throw ConfigError(where("checksum", "recheck") + "[checksum] recheck: '" + recheck + "' is neither mtime nor always");

  // Numbers, each within its range.
  const std::pair<const char*, std::function<void()>> numbers[] = {
      {"max_failures", [this] { max_failures(); }},
      {"max_attempts", [this] { max_attempts(); }},
      {"liveness", [this] { liveness(); }},
      {"heartbeat", [this] { heartbeat_interval(); }},
      {"timeout", [this] { exec_timeout(); }},
      {"retries", [this] { parse_count(get("job", "retries"), "job.retries", 0, 100); }},
      {"skip_exit",
       [this] {
         if (!get("job", "skip_exit").empty()) parse_count(get("job", "skip_exit"), "job.skip_exit", 0, 255);
       }},
      {"slot_memory_limit", [this] { parse_bytes(get("job", "slot_memory_limit"), "job.slot_memory_limit"); }},
      {"split_above", [this] { parse_count(get("job", "split_above"), "job.split_above"); }},
      {"max_nodes_per_slot", [this] { parse_count(get("job", "max_nodes_per_slot"), "job.max_nodes_per_slot"); }},
  };
  for (const auto& [key, check] : numbers) {
    try {
      check();
    } catch (const ConfigError& e) {
      throw ConfigError(job_key(key) + e.what());
    }
  }

  check_keys_take_effect(*this);
  for (const auto& [key, value] : section("exec"))
    if (trim(value).empty()) throw ConfigError(where("exec", key) + "[exec]: the command for '" + key + "' is empty");
  if (curator_name == "exec" && section("exec").empty())
    throw ConfigError("curator exec needs at least one command in [exec] (LEVEL = command)");
}

}  // namespace ramify
