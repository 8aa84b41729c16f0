#pragma once
// Runs a command per node from a template per level ([exec] LEVEL = command).
// Placeholders {path} {id} {label} {level} {parent} and {input:NAME} become
// argv words (never re-split, never through a shell); RAMIFY_PATH, RAMIFY_ID,
// RAMIFY_LEVEL, RAMIFY_LABEL and RAMIFY_PARENT are set in the environment.
// Each output line is a log row (stderr as a warning). A non-zero exit fails
// the node after `retries` more tries, except `skip_exit`, which skips it; a
// command past `timeout` has its process group killed and fails the node.
// A key `LEVEL:GLOB|GLOB` limits its command to the nodes of that level whose
// name matches; a plain `LEVEL` key is the level's command for the other
// names. A node no command takes is "skipped"; one that two patterned keys
// take fails (the patterns must not overlap).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "curators/command_template.hpp"
#include "ramify/carry.hpp"
#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class ExecCurator : public Curator, public CarryAware {
 public:
  // Parses every template; throws ConfigError for a malformed one or an unknown placeholder.
  explicit ExecCurator(const JobSpec& spec);

  bool validate(const Node& node, Context& ctx) override;
  void curate(const Node& node, Context& ctx) override;

 private:
  struct PatternCommand {
    std::string key;                 // "file:*.json", for messages
    std::vector<std::string> globs;  // name globs
    CommandTemplate command;
  };
  struct LevelCommands {
    std::optional<CommandTemplate> any_name;  // the plain LEVEL key
    std::vector<PatternCommand> by_name;      // the LEVEL:GLOB keys
  };
  // The command for `node`, or nullptr with `why` saying why there is none
  // (`ambiguous` set when two patterned keys take it).
  const CommandTemplate* template_for(const Node& node, std::string* why = nullptr, bool* ambiguous = nullptr) const;

  std::map<std::string, LevelCommands> commands_;  // by level
  std::chrono::milliseconds timeout_;
  std::uint64_t retries_;
  std::optional<int> skip_exit_;
};

}  // namespace ramify
