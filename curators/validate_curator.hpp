#pragma once
// Checks the naming rules of a hierarchy, from the job spec's [validate] section:
//
//   LEVEL = REGEX           every node of LEVEL has a label (its base name) that
//                           fully matches REGEX (ECMAScript, std::regex_match)
//   LEVEL.requires = a, b   every node of LEVEL has children labelled a and b
//   fail_on_violation = true|false (default false): findings also fail the node
//
// LEVEL is a job level, "folder" or "file" ("file.requires" is refused: files
// have no children). Each violation is one ctx.finding(); a node with findings
// records "violations" = their count. Nodes of levels without rules are ok.

#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "ramify/carry.hpp"
#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class ValidateCurator : public Curator, public CarryAware {
 public:
  // Compiles every rule once; throws ConfigError naming the [validate] key at fault.
  explicit ValidateCurator(const JobSpec& spec);

  void curate(const Node& node, Context& ctx) override;

 private:
  struct LevelRules {
    std::optional<std::regex> label;             // unset: labels of this level are not checked
    std::string pattern;                         // the regex as written, for messages
    std::vector<std::string> required_children;  // labels, in the order written
  };

  std::map<std::string, LevelRules, std::less<>> rules_;  // by level
  bool fail_on_violation_ = false;
};

}  // namespace ramify
