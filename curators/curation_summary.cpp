#include "curators/curation_summary.hpp"

#include "ramify/node.hpp"

namespace ramify {
namespace {

std::vector<std::string> exec_commands(const JobSpec& spec, const std::string& level) {
  std::vector<std::string> lines;
  bool any_name = false;
  for (const auto& [key, command] : spec.section("exec")) {
    if (key.substr(0, key.find(':')) != level) continue;
    lines.push_back("[exec] " + key + " = " + command);
    any_name = any_name || key == level;
  }
  if (lines.empty()) return {"skipped: no [exec] command for level " + level};
  if (!any_name) lines.push_back("other names: skipped");
  return lines;
}

std::vector<std::string> checksum_work(const JobSpec& spec, const std::string& level) {
  if (level != kFileLevel) return {"skipped: checksum curates files only"};
  std::vector<std::string> lines{"sha256 and bytes of the content"};
  const std::string verify = spec.get("checksum", "verify");
  if (!verify.empty()) lines.push_back("compared with " + verify);
  const std::string follow = spec.get("job", "follow_symlinks");
  if (spec.get("job", "manifest").empty())
    lines.push_back(follow == "none" ? "symlinks skipped (follow_symlinks = none)"
                                     : "symlinks followed (follow_symlinks = " + follow +
                                           "); git-annex keys checked, absent content skipped");
  return lines;
}

std::vector<std::string> validate_rules(const JobSpec& spec, const std::string& level) {
  std::vector<std::string> lines;
  for (const auto& [key, rule] : spec.section("validate"))
    if (key == level || key == level + ".requires") lines.push_back("[validate] " + key + " = " + rule);
  if (lines.empty()) lines.push_back("no rule for level " + level);
  return lines;
}

}  // namespace

std::vector<std::string> describe_curation(const JobSpec& spec, const std::string& level) {
  const std::string curator = spec.curator();
  if (curator == "exec") return exec_commands(spec, level);
  if (curator == "checksum") return checksum_work(spec, level);
  if (curator == "validate") return validate_rules(spec, level);
  if (curator == "inventory")
    return {level == kFileLevel ? "its size" : "totals below it: nodes, files and bytes"};
  if (curator == "plugin") return {"the hooks of plugin " + spec.get("job", "plugin")};
  if (curator == "python")
    return {"the hooks of " + spec.get("python", "class") + " in " + spec.get("python", "module") +
            " (curate_" + level + " or curate, ...)"};
  return {"nothing (noop)"};
}

}  // namespace ramify
