#pragma once
// Keys that are set but would do nothing are errors, not silence:
//   - a key of one section written under another:
//       job.ini line 7: 'curator' is a [job] key, not a [validate] key
//   - a key for another curator or another isolation:
//       [job] plugin does nothing unless curator = plugin (the curator is noop)
//       [exec] file does nothing unless curator = exec (the curator is checksum)
//       [job] slot_memory_limit does nothing unless isolation = process (isolation is thread)
// Messages start with where the key was set ("job.ini line 7: ") when it came from a file.

#include <optional>
#include <string>

#include "spec/job_spec.hpp"

namespace ramify {

// The section that registers `key` ("job" for "curator"), if any.
std::optional<std::string> section_of_key(const std::string& key);
// "'KEY' is a [HOME] key, not a [WRITTEN] key".
std::string misplaced_key_message(const std::string& key, const std::string& home, const std::string& written);

// Keys of the free sections ([exec], [validate], [curator], [inputs]) that
// belong to another section, [exec] keys that are not levels and [validate]
// keys that are not rules (with the nearest one). Needs only the levels and
// the curator's name, not a valid spec: validate() calls it first.
void check_key_placement(const JobSpec& spec);

// Keys set for a curator or an isolation the spec does not use.
void check_keys_take_effect(const JobSpec& spec);

}  // namespace ramify
