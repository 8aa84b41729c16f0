#include "common/job_spec.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>

#include "common/errors.hpp"
#include "common/job_keys.hpp"
#include "common/text.hpp"
#include "ramify/node.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

std::pair<std::string, std::string> split_key(const std::string& full) {
  auto dot = full.find('.');
  if (dot == std::string::npos) return {"job", full};
  return {full.substr(0, dot), full.substr(dot + 1)};
}

void check_known(const std::string& section, const std::string& key) {
  if (section.empty() || key.empty()) throw ConfigError("empty section or key in '" + section + "." + key + "'");
  if (is_free_section(section) || is_partly_free_section(section)) return;
  if (find_job_key(section, key)) return;
  bool section_known = std::any_of(job_keys().begin(), job_keys().end(),
                                   [&](const JobKey& k) { return k.section == section; });
  if (!section_known) throw ConfigError("unknown section [" + section + "]");
  throw ConfigError("unknown key '" + key + "' in section [" + section + "]");
}

// Checks every line the way Boost's config parser will read it (a '#' starts
// a comment; then a blank line, a [section], or key = value), so that a bad
// line gets a clear message with its number.
void check_ini_lines(const std::string& content, const std::string& path) {
  std::istringstream in(content);
  std::size_t number = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    const bool section = line.front() == '[' && line.back() == ']' && line.size() > 2;
    const auto eq = line.find('=');
    const bool key_value = eq != std::string::npos && !trim(line.substr(0, eq)).empty() && line.front() != '[';
    if (!section && !key_value)
      throw ConfigError(path + ":" + std::to_string(number) + ": not a [section] nor a key = value line: '" +
                        trim(raw) + "'");
  }
}

}  // namespace

std::uint64_t parse_count(const std::string& value, const std::string& what) {
  std::string v = trim(value);
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      v.size() > 18)
    throw ConfigError(what + ": '" + value + "' is not a non-negative integer");
  return std::stoull(v);
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
  return parse_count(v, what) * unit;
}

double parse_seconds(const std::string& value, const std::string& what) {
  std::string v = trim(value);
  double seconds = 0;
  try {
    std::size_t used = 0;
    seconds = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
  } catch (const std::exception&) {
    throw ConfigError(what + ": '" + value + "' is not a number of seconds");
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e7)
    throw ConfigError(what + ": '" + value + "' is out of range");
  return seconds;
}

std::string describe_spec_size(std::uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "the job spec is %.1f MiB; the limit is %llu MiB", static_cast<double>(bytes) / (1 << 20),
                static_cast<unsigned long long>(kMaxSpecBytes >> 20));
  return std::string(text) + " (give large data to the workers as a shared input, [inputs] NAME = FILE)";
}

JobSpec JobSpec::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config " + path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxSpecBytes) throw ConfigError(path + ": " + describe_spec_size(size));
  std::stringstream text;
  text << in.rdbuf();
  return from_text(text.str(), path);
}

JobSpec JobSpec::from_text(const std::string& content, const std::string& path) {
  check_ini_lines(content, path);
  std::istringstream in(content);
  po::options_description none;
  po::parsed_options parsed(&none);
  try {
    parsed = po::parse_config_file(in, none, /*allow_unregistered=*/true);
  } catch (const po::error&) {
    // Not e.what(): Boost 1.74 loops forever formatting a message whose line holds
    // "%...%" (found by fuzzing); check_ini_lines names every line Boost refuses.
    throw ConfigError(path + ": cannot be read as an INI file");
  }
  JobSpec spec;
  std::set<std::string> seen;
  for (const auto& option : parsed.options) {
    if (option.value.size() != 1) throw ConfigError(path + ": key '" + option.string_key + "' has no value");
    auto [section, key] = split_key(option.string_key);
    if (option.string_key.find('.') == std::string::npos)
      throw ConfigError(path + ": key '" + key + "' is outside any [section]");
    if (!seen.insert(option.string_key).second)
      throw ConfigError(path + ": key '" + key + "' appears twice in [" + section + "]");
    try {
      spec.set(section, key, option.value.front());
    } catch (const ConfigError& e) {
      throw ConfigError(path + ": " + e.what());
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

void JobSpec::set(const std::string& section, const std::string& key, const std::string& value) {
  check_known(section, key);
  values_[section + "." + key] = value;
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

std::vector<std::string> JobSpec::levels() const {
  std::vector<std::string> out;
  for (auto& part : split(get("job", "levels"), ',')) {
    std::string name = trim(part);
    if (!name.empty()) out.push_back(name);
  }
  return out;
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
  return static_cast<std::uint32_t>(parse_count(get("job", "max_attempts"), "job.max_attempts"));
}
std::uint32_t JobSpec::liveness() const {
  return static_cast<std::uint32_t>(parse_count(get("job", "liveness"), "job.liveness"));
}

std::chrono::milliseconds JobSpec::heartbeat_interval() const {
  return std::chrono::milliseconds(
      std::llround(parse_seconds(get("job", "heartbeat"), "job.heartbeat") * 1000));
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
  // A manifest may come with a root: where its nodes live (root/ID).
  if (get("job", "root").empty() && get("job", "manifest").empty())
    throw ConfigError("the job needs a root (a directory tree) or a manifest");

  static const std::regex level_name("^[A-Za-z0-9_-]+$");
  auto names = levels();
  if (names.empty()) throw ConfigError("levels: at least one level is needed");
  std::set<std::string> unique;
  for (const auto& name : names) {
    if (!std::regex_match(name, level_name))
      throw ConfigError("levels: '" + name + "' is not a valid level name (letters, digits, _ and -)");
    if (name == kFileLevel || name == kFolderLevel)
      throw ConfigError("levels: '" + name + "' is reserved");
    if (!unique.insert(name).second) throw ConfigError("levels: '" + name + "' appears twice");
  }

  std::string level = get("job", "partition_level");
  if (!level.empty() && std::find(names.begin(), names.end(), level) == names.end())
    throw ConfigError("partition_level: unknown level '" + level + "' (levels are " + get("job", "levels") + ")");

  std::string curator_name = curator();
  static const std::set<std::string> curators{"noop", "exec", "checksum", "inventory", "validate", "plugin"};
  if (!curators.count(curator_name))
    throw ConfigError("curator: unknown curator '" + curator_name +
                      "' (known: noop, exec, checksum, inventory, validate, plugin)");
  if (curator_name == "plugin" && get("job", "plugin").empty())
    throw ConfigError("curator plugin needs [job] plugin = /path/to/library.so");
  std::string stop = get("job", "stop_level");
  if (!stop.empty() && stop != kFolderLevel && std::find(names.begin(), names.end(), stop) == names.end())
    throw ConfigError("stop_level: unknown level '" + stop + "' (levels are " + get("job", "levels") + ")");
  if (!get("job", "skip_exit").empty() && parse_count(get("job", "skip_exit"), "job.skip_exit") > 255)
    throw ConfigError("skip_exit: an exit code is 0 to 255");
  parse_count(get("job", "retries"), "job.retries");
  for (const auto& [name, path] : section("inputs"))
    if (name.empty() || name.find_first_of("/{}:") != std::string::npos || trim(path).empty())
      throw ConfigError("[inputs] " + name + ": an input needs a plain name and a path");
  std::string order_name = get("job", "order");
  if (order_name != "depth" && order_name != "breadth")
    throw ConfigError("order: '" + order_name + "' is neither depth nor breadth");
  std::string policy = get("job", "on_failure");
  if (policy != "kill" && policy != "finish" && policy != "continue")
    throw ConfigError("on_failure: '" + policy + "' is not kill, finish or continue");

  max_failures();
  if (max_attempts() < 1) throw ConfigError("max_attempts: must be at least 1");
  if (liveness() < 1) throw ConfigError("liveness: must be at least 1");
  if (heartbeat_interval() < std::chrono::milliseconds(10))
    throw ConfigError("heartbeat: must be at least 0.01 seconds");
  exec_timeout();
  const std::string isolation = get("job", "isolation");
  if (isolation != "thread" && isolation != "process")
    throw ConfigError("isolation: '" + isolation + "' is neither thread nor process");
  parse_bytes(get("job", "slot_memory_limit"), "job.slot_memory_limit");
  const std::string split = get("job", "split");
  if (split != "auto" && split != "on" && split != "off")
    throw ConfigError("split: '" + split + "' is not auto, on or off");
  parse_count(get("job", "split_above"), "job.split_above");
  parse_count(get("job", "max_nodes_per_slot"), "job.max_nodes_per_slot");

  for (const auto& [key, value] : section("exec")) {
    if (key != kFileLevel && key != kFolderLevel && unique.count(key) == 0)
      throw ConfigError("[exec]: '" + key + "' is not a level (levels are " + get("job", "levels") + ", folder, file)");
    if (trim(value).empty()) throw ConfigError("[exec]: the command for '" + key + "' is empty");
  }
  if (curator_name == "exec" && section("exec").empty())
    throw ConfigError("curator exec needs at least one command in [exec] (LEVEL = command)");
}

}  // namespace ramify
