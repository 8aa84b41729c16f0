#pragma once
// The registry of job-spec keys: every key the engine reads, its default and
// what it means. The README documents each of them (a test checks it).

#include <string>
#include <vector>

namespace ramify {

struct JobKey {
  std::string section;
  std::string key;
  std::string default_value;  // "" when the key has no default
  std::string description;
};

const std::vector<JobKey>& job_keys();
const JobKey* find_job_key(const std::string& section, const std::string& key);

// Sections whose keys are free (checked by their consumer, not by the registry).
bool is_free_section(const std::string& section);
// Sections with registered keys plus free ones ([validate]: LEVEL = REGEX, LEVEL.requires = ...).
bool is_partly_free_section(const std::string& section);
// Every section a job spec may have: job, exec, curator, inputs, checksum, validate.
const std::vector<std::string>& job_sections();
// Whether a key's value is a file or folder (root, manifest, plugin, journal, report,
// keys, [checksum] verify, every [inputs] entry): in a job file, relative to its folder.
bool is_path_key(const std::string& section, const std::string& key);

}  // namespace ramify
