#pragma once
// Runs a command per node from a template per level ([exec] LEVEL = command).
// Placeholders {path} {id} {label} {level} {parent} and {input:NAME} become
// argv words (never re-split, never through a shell); RAMIFY_PATH, RAMIFY_ID,
// RAMIFY_LEVEL, RAMIFY_LABEL and RAMIFY_PARENT are set in the environment.
// Each output line is a log row (stderr as a warning). A non-zero exit fails
// the node after `retries` more tries, except `skip_exit`, which skips it; a
// command past `timeout` has its process group killed and fails the node.
// Nodes of a level without a template are "skipped".

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "curators/command_template.hpp"
#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class ExecCurator : public Curator {
 public:
  // Parses every template; throws ConfigError for a malformed one or an unknown placeholder.
  explicit ExecCurator(const JobSpec& spec);

  bool validate(const Node& node, Context& ctx) override;
  void curate(const Node& node, Context& ctx) override;

 private:
  const CommandTemplate* template_for(const Node& node) const;

  std::map<std::string, CommandTemplate> templates_;  // by level
  std::chrono::milliseconds timeout_;
  std::uint64_t retries_;
  std::optional<int> skip_exit_;
};

}  // namespace ramify
