#pragma once
// The job spec: an INI file (spec/ini_text.hpp: sections [job], [exec],
// [curator], [inputs], [checksum], [validate]) plus `section.key=value`
// overrides. Unknown sections or keys are errors (with a suggestion), except
// in the free sections, whose keys validate() checks once the levels and the
// curator are known. Values are kept as text; typed accessors validate.
// Each key remembers where it was set ("job.ini line 7"), for messages.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/protocol_enums.hpp"
#include "spec/job_levels.hpp"
#include "spec/path_patterns.hpp"

namespace ramify {

enum class FailurePolicy { kill, finish, keep_going };
// Which symlinks to files a directory tree follows: none, those whose target
// is below the root, or all.
enum class FollowLinks { none, inside, all };

// The name under which the broker serves a python curator's module ([inputs]
// names cannot hold ':').
inline constexpr const char* kPythonModuleInput = "python:module";

// The largest job spec (keys and values): it travels whole to every worker.
inline constexpr std::uint64_t kMaxSpecBytes = 1u << 20;

class JobSpec {
 public:
  using Entries = std::vector<std::pair<std::string, std::string>>;  // "section.key" -> value

  // Reads an INI file; throws ConfigError naming the file, the line and the
  // problem. Relative paths in it (is_path_key) are taken from the file's folder.
  static JobSpec from_file(const std::string& path);
  // The same from text in memory; `name` names it in errors; paths are kept as written.
  static JobSpec from_text(const std::string& text, const std::string& name);
  // Rebuilds a spec from the entries the broker serves.
  static JobSpec from_entries(const Entries& entries);

  // Applies "section.key=value" (a bare "key=value" means the [job] section).
  void apply_override(const std::string& assignment);
  // Sets a key; `origin` says where it came from ("job.ini line 7"), or "".
  // Throws ConfigError for an unknown section or key, or one of another section.
  void set(const std::string& section, const std::string& key, const std::string& value,
           const std::string& origin = {});
  // "job.ini line 7: " for a key set from a file, else "".
  std::string where(const std::string& section, const std::string& key) const;

  // The value set for a key, or the registry's default ("" when none).
  std::string get(const std::string& section, const std::string& key) const;
  std::optional<std::string> find(const std::string& section, const std::string& key) const;
  // Every key set in a section.
  std::map<std::string, std::string> section(const std::string& name) const;
  Entries entries() const;

  // Checks every value the engine will read (numbers within their ranges), that
  // every key set takes effect (job_spec_keys.hpp), and the spec's size
  // (kMaxSpecBytes); throws ConfigError on the first problem.
  void validate() const;
  // Bytes of every key and value.
  std::uint64_t size_bytes() const;

  // Typed accessors (valid after validate()).
  // The level names, in order; job_levels() with their patterns (spec/job_levels.hpp).
  std::vector<std::string> levels() const;
  JobLevels job_levels() const;
  // What a directory tree leaves out: `exclude`, and .git and .datalad at any
  // depth unless `exclude_git = false`.
  PathPatterns excluded() const;
  FollowLinks follow_symlinks() const;
  // `exclude_files`: name globs of files that are not visited (spec/name_globs.hpp).
  std::vector<std::string> excluded_file_globs() const;
  std::string curator() const { return get("job", "curator"); }
  // "thread" or "process"; always "process" for a python curator.
  std::string isolation() const;
  // The files the broker serves to the workers, by name: [inputs], and a
  // python curator's module (kPythonModuleInput).
  std::map<std::string, std::string> shared_inputs() const;
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
  std::map<std::string, std::string> values_;   // "section.key" -> value
  std::map<std::string, std::string> origins_;  // "section.key" -> "job.ini line 7"
};

// "the job spec is 10.0 MiB; the limit is 1 MiB (...)".
std::string describe_spec_size(std::uint64_t bytes);

// Parses numbers in config values and flags, with a message naming `what`
// (a key, "job.retries", or a flag, "--workers"):
//   WHAT must be a whole number from MIN to MAX, not 'VALUE'
//   WHAT must be a number of seconds from MIN to MAX, not 'VALUE'
inline constexpr std::uint64_t kMaxCount = 999'999'999'999'999'999;
inline constexpr double kMaxSeconds = 1e7;
std::uint64_t parse_count(const std::string& value, const std::string& what, std::uint64_t min = 0,
                          std::uint64_t max = kMaxCount);
double parse_seconds(const std::string& value, const std::string& what, double min = 0, double max = kMaxSeconds);
//   WHAT: 'VALUE' is neither true nor false
bool parse_flag(const std::string& value, const std::string& what);
// "512M", "2G", "100K", "12345" (bytes); "" and "0" are 0.
std::uint64_t parse_bytes(const std::string& value, const std::string& what);

}  // namespace ramify
