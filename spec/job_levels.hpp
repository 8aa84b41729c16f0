#pragma once
// The job's levels, in order: each has a name and, optionally, the folder
// names it takes and whether it may be absent.
//
//   levels = project,subject,session,acquisition        by depth
//   levels = project,subject:sub-*,session?:ses-*,...   by name
//   levels = bids                                       the BIDS preset
//
// The root takes the first level. Any other folder takes the first level
// after its parent's that accepts its name: a level without patterns accepts
// any name; `?` marks a level that may be absent, so that a name it does not
// accept is tried against the next one. A folder that no level accepts (or
// whose parent is a `folder`) is a `folder`. Patterns are globs (fnmatch),
// `|` between alternatives.

#include <string>
#include <vector>

namespace ramify {

struct JobLevel {
  std::string name;
  std::vector<std::string> patterns;  // empty: any name
  bool optional = false;
};

// project; subject sub-*; session ses-*, optional; datatype: BIDS 1.9's datatype folders.
inline constexpr const char* kBidsLevels =
    "project,subject:sub-*,session?:ses-*,"
    "datatype:anat|beh|dwi|eeg|fmap|func|ieeg|meg|micr|motion|nirs|perf|pet";

class JobLevels {
 public:
  // Parses a `levels` value ("bids": the preset). Throws ConfigError for a
  // malformed item; names are checked by JobSpec::validate.
  static JobLevels parse(const std::string& text);

  const std::vector<JobLevel>& levels() const { return levels_; }
  std::vector<std::string> names() const;
  // The root's level ("folder" when there are none).
  std::string root_level() const;
  // The level of a folder named `name` whose parent has level `parent`.
  std::string folder_level(const std::string& parent, const std::string& name) const;
  const JobLevel* find(const std::string& name) const;

 private:
  std::vector<JobLevel> levels_;
};

}  // namespace ramify
