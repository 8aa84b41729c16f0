#pragma once
// The job spec: an INI file (sections [job], [exec], [curator]) plus
// `section.key=value` overrides. Unknown sections or keys are errors, except
// in the free sections. Values are kept as text; typed accessors validate.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/protocol_enums.hpp"

namespace ramify {

enum class FailurePolicy { kill, finish, keep_going };

// The largest job spec (keys and values): it travels whole to every worker.
inline constexpr std::uint64_t kMaxSpecBytes = 1u << 20;

class JobSpec {
 public:
  using Entries = std::vector<std::pair<std::string, std::string>>;  // "section.key" -> value

  // Reads an INI file; throws ConfigError naming the file and the problem.
  static JobSpec from_file(const std::string& path);
  // The same from text in memory; `name` names it in errors.
  static JobSpec from_text(const std::string& text, const std::string& name);
  // Rebuilds a spec from the entries the broker serves.
  static JobSpec from_entries(const Entries& entries);

  // Applies "section.key=value" (a bare "key=value" means the [job] section).
  void apply_override(const std::string& assignment);
  void set(const std::string& section, const std::string& key, const std::string& value);

  // The value set for a key, or the registry's default ("" when none).
  std::string get(const std::string& section, const std::string& key) const;
  std::optional<std::string> find(const std::string& section, const std::string& key) const;
  // Every key set in a section.
  std::map<std::string, std::string> section(const std::string& name) const;
  Entries entries() const;

  // Checks every value the engine will read, and the spec's size (kMaxSpecBytes);
  // throws ConfigError on the first problem.
  void validate() const;
  // Bytes of every key and value.
  std::uint64_t size_bytes() const;

  // Typed accessors (valid after validate()).
  std::vector<std::string> levels() const;
  std::string curator() const { return get("job", "curator"); }
  WalkOrder order() const;
  // Depth (0 = the root's level) whose nodes become one assignment each.
  std::size_t partition_depth() const;
  FailurePolicy on_failure() const;
  std::uint64_t max_failures() const;
  std::uint32_t max_attempts() const;
  std::chrono::milliseconds heartbeat_interval() const;
  std::uint32_t liveness() const;
  std::chrono::milliseconds exec_timeout() const;

 private:
  std::map<std::string, std::string> values_;  // "section.key" -> value
};

// "the job spec is 10.0 MiB; the limit is 1 MiB (...)".
std::string describe_spec_size(std::uint64_t bytes);

// Parses numbers in config values, with a message naming the key.
std::uint64_t parse_count(const std::string& value, const std::string& what);
double parse_seconds(const std::string& value, const std::string& what);
// "512M", "2G", "100K", "12345" (bytes); "" and "0" are 0.
std::uint64_t parse_bytes(const std::string& value, const std::string& what);

}  // namespace ramify
