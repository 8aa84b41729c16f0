#include "curators/validate_curator.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

constexpr std::string_view kRequiresSuffix = ".requires";
constexpr const char* kFailKey = "fail_on_violation";

// The labels in "a, b,c" (empty parts ignored); throws when none is left.
std::vector<std::string> parse_required(const std::string& value, const std::string& key) {
  std::vector<std::string> names;
  for (const auto& part : split(value, ',')) {
    std::string name = trim(part);
    if (name.empty()) continue;
    if (name.find('/') != std::string::npos)
      throw ConfigError("[validate] " + key + ": '" + name + "' is not a child label (it contains '/')");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty()) throw ConfigError("[validate] " + key + ": the list of required children is empty");
  return names;
}

}  // namespace

ValidateCurator::ValidateCurator(const JobSpec& spec) {
  const std::vector<std::string> job_levels = spec.levels();
  auto known_level = [&](const std::string& level) {
    return level == kFileLevel || level == kFolderLevel ||
           std::find(job_levels.begin(), job_levels.end(), level) != job_levels.end();
  };

  auto add_rule = [&](const std::string& key, const std::string& value) {
    if (key == kFailKey) {
      fail_on_violation_ = parse_flag(value, "[validate] " + key);
      return;
    }
    const bool is_requires = key.ends_with(kRequiresSuffix);
    const std::string level = is_requires ? key.substr(0, key.size() - kRequiresSuffix.size()) : key;
    if (level.find('.') != std::string::npos)
      throw ConfigError("[validate] " + key + ": unknown rule (use LEVEL = REGEX or LEVEL.requires = a,b)");
    if (!known_level(level))
      throw ConfigError("[validate] " + key + ": unknown level '" + level + "' (levels are " +
                        join(job_levels, ", ") + ", folder, file)");

    LevelRules& rules = rules_[level];
    if (is_requires) {
      if (level == kFileLevel) throw ConfigError("[validate] " + key + ": files have no children");
      rules.required_children = parse_required(value, key);
      return;
    }
    std::string pattern = trim(value);
    if (pattern.empty()) throw ConfigError("[validate] " + key + ": empty regular expression");
    try {
      rules.label.emplace(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw ConfigError("[validate] " + key + ": invalid regular expression: " + pattern + " (" + e.what() + ")");
    }
    rules.pattern = std::move(pattern);
  };

  for (const auto& [key, value] : spec.section("validate")) {
    try {
      add_rule(key, value);
    } catch (const ConfigError& e) {
      throw ConfigError(spec.where("validate", key) + e.what());  // "job.ini line 7: " when from a file
    }
  }
}

void ValidateCurator::curate(const Node& node, Context& ctx) {
  auto it = rules_.find(node.level);
  if (it == rules_.end()) return;
  const LevelRules& rules = it->second;

  std::vector<std::string> findings;
  if (rules.label) {
    try {
      if (!std::regex_match(node.label, *rules.label))
        findings.push_back(node.level + " label '" + node.label + "' does not match " + rules.pattern);
    } catch (const std::regex_error& e) {  // e.g. error_complexity on a pathological pattern
      findings.push_back(node.level + " label '" + node.label + "' could not be matched against " +
                         rules.pattern + ": " + e.what());
    }
  }
  if (!rules.required_children.empty()) {
    std::set<std::string_view> present;
    for (const Node& child : ctx.children()) present.insert(child.label);
    for (const auto& name : rules.required_children)
      if (!present.contains(name))
        findings.push_back(node.level + " '" + node.id + "' has no child '" + name + "' (required by [validate] " +
                           node.level + ".requires)");
  }

  if (findings.empty()) return;
  for (const auto& text : findings) ctx.finding(text);
  ctx.record("violations", findings.size());
  if (fail_on_violation_) ctx.fail(std::to_string(findings.size()) + " violation(s): " + findings.front());
}

}  // namespace ramify
