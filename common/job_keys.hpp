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

}  // namespace ramify
