#include "spec/job_spec_keys.hpp"

#include <algorithm>
#include <set>

#include "ramify/node.hpp"
#include "spec/job_keys.hpp"
#include "util/did_you_mean.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

// "an [exec]", "a [job]".
std::string a_section(const std::string& section) {
  const bool vowel = !section.empty() && std::string("aeiou").find(section.front()) != std::string::npos;
  return std::string(vowel ? "an [" : "a [") + section + "]";
}

std::set<std::string> level_names(const JobSpec& spec) {
  auto names = spec.levels();
  std::set<std::string> out(names.begin(), names.end());
  out.insert(kFileLevel);
  out.insert(kFolderLevel);
  return out;
}

// Whether a key of a free section means something for this spec.
bool takes_its_place(const std::string& section, const std::string& key, const std::string& curator,
                     const std::set<std::string>& levels) {
  if (section == "exec") return levels.count(key.substr(0, key.find(':'))) > 0;  // LEVEL or LEVEL:GLOB
  if (section == "validate") {
    const std::string suffix = ".requires";
    const std::string level = key.ends_with(suffix) ? key.substr(0, key.size() - suffix.size()) : key;
    return find_job_key(section, key) || levels.count(level) > 0;
  }
  if (section == "curator") return curator == "plugin" || curator == "python";
  if (section == "inputs") return curator == "exec" || curator == "plugin" || curator == "python";
  return true;
}

// Every key [validate] may have with these levels.
std::vector<std::string> validate_keys(const std::set<std::string>& levels) {
  std::vector<std::string> keys{"fail_on_violation"};
  for (const auto& level : levels) {
    keys.push_back(level);
    keys.push_back(level + ".requires");
  }
  return keys;
}

[[noreturn]] void refuse(const JobSpec& spec, const std::string& section, const std::string& key,
                         const std::string& message) {
  throw ConfigError(spec.where(section, key) + message);
}

}  // namespace

std::optional<std::string> section_of_key(const std::string& key) {
  for (const JobKey& k : job_keys())
    if (k.key == key) return k.section;
  return std::nullopt;
}

std::string misplaced_key_message(const std::string& key, const std::string& home, const std::string& written) {
  return "'" + key + "' is " + a_section(home) + " key, not " + a_section(written) + " key";
}

void check_key_placement(const JobSpec& spec) {
  const std::string curator = spec.curator();
  const auto levels = level_names(spec);
  for (const std::string section : {"exec", "validate", "curator", "inputs"}) {
    for (const auto& [key, value] : spec.section(section)) {
      if (takes_its_place(section, key, curator, levels)) continue;
      if (const auto home = section_of_key(key); home && *home != section)
        refuse(spec, section, key, misplaced_key_message(key, *home, section));
      if (section == "exec")
        refuse(spec, section, key,
               "[exec]: '" + key + "' is not a level, nor LEVEL:GLOB (levels are " + join(spec.levels(), ",") +
                   ", folder, file)" +
                   did_you_mean(key.substr(0, key.find(':')), std::vector<std::string>(levels.begin(), levels.end())));
      if (section == "validate")
        refuse(spec, section, key,
               "[validate] " + key + ": not a rule: LEVEL = REGEX, LEVEL.requires = a,b or fail_on_violation " +
                   "(levels are " + join(spec.levels(), ",") + ", folder, file)" +
                   did_you_mean(key, validate_keys(levels)));
    }
  }
}

void check_keys_take_effect(const JobSpec& spec) {
  const std::string curator = spec.curator();
  const std::string isolation = spec.isolation();
  const std::string curator_is = " (the curator is " + curator + ")";
  auto job_keys_for = [&](std::initializer_list<const char*> keys, bool used, const std::string& unless,
                          const std::string& actual) {
    if (used) return;
    for (const char* key : keys)
      if (spec.find("job", key))
        refuse(spec, "job", key, std::string("[job] ") + key + " does nothing unless " + unless + actual);
  };
  auto section_for = [&](const std::string& section, bool used, const std::string& unless) {
    if (used) return;
    for (const auto& [key, value] : spec.section(section))
      refuse(spec, section, key, "[" + section + "] " + key + " does nothing unless " + unless + curator_is);
  };
  job_keys_for({"plugin"}, curator == "plugin", "curator = plugin", curator_is);
  job_keys_for({"timeout", "retries", "skip_exit"}, curator == "exec", "curator = exec", curator_is);
  job_keys_for({"slot_memory_limit", "max_nodes_per_slot"}, isolation == "process", "isolation = process",
               " (isolation is " + isolation + ")");
  const std::string split = spec.get("job", "split");
  job_keys_for({"split_above"}, split != "off", "split = auto or on", " (split is off)");
  job_keys_for({"exclude", "exclude_git", "follow_symlinks"}, spec.get("job", "manifest").empty(), "the hierarchy is a directory tree",
               " (it is a manifest)");
  section_for("exec", curator == "exec", "curator = exec");
  section_for("checksum", curator == "checksum", "curator = checksum");
  section_for("validate", curator == "validate", "curator = validate");
  section_for("curator", curator == "plugin" || curator == "python", "curator = plugin or python");
  section_for("inputs", curator == "exec" || curator == "plugin" || curator == "python",
              "curator = exec, plugin or python");
  section_for("python", curator == "python", "curator = python");
}

}  // namespace ramify
