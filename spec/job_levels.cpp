#include "spec/job_levels.hpp"

#include <algorithm>

#include "ramify/node.hpp"
#include "spec/name_globs.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {

namespace {

bool accepts(const JobLevel& level, const std::string& name) {
  return level.patterns.empty() || matches_any_glob(level.patterns, name);
}

}  // namespace

JobLevels JobLevels::parse(const std::string& text) {
  JobLevels out;
  const std::string expanded = trim(text) == "bids" ? kBidsLevels : text;
  for (const auto& part : split(expanded, ',')) {
    const std::string item = trim(part);
    if (item.empty()) continue;
    JobLevel level;
    const auto colon = item.find(':');
    level.name = trim(item.substr(0, colon));
    if (!level.name.empty() && level.name.back() == '?') {
      level.optional = true;
      level.name.pop_back();
    }
    if (colon != std::string::npos) level.patterns = parse_name_globs(item.substr(colon + 1), "levels: '" + item + "'");
    out.levels_.push_back(std::move(level));
  }
  if (!out.levels_.empty() && (out.levels_.front().optional || !out.levels_.front().patterns.empty()))
    throw ConfigError("levels: the first level is the root's, whatever its name: it takes no pattern and no '?'");
  return out;
}

std::vector<std::string> JobLevels::names() const {
  std::vector<std::string> out;
  for (const JobLevel& level : levels_) out.push_back(level.name);
  return out;
}

std::string JobLevels::root_level() const { return levels_.empty() ? kFolderLevel : levels_.front().name; }

std::string JobLevels::folder_level(const std::string& parent, const std::string& name) const {
  auto it = std::find_if(levels_.begin(), levels_.end(), [&](const JobLevel& l) { return l.name == parent; });
  if (it == levels_.end()) return kFolderLevel;  // below a `folder` (or a level this job does not have)
  for (++it; it != levels_.end(); ++it) {
    if (accepts(*it, name)) return it->name;
    if (!it->optional) break;
  }
  return kFolderLevel;
}

const JobLevel* JobLevels::find(const std::string& name) const {
  for (const JobLevel& level : levels_)
    if (level.name == name) return &level;
  return nullptr;
}

}  // namespace ramify
