#pragma once
// Incremental runs (a state store): a node whose last outcome still stands is
// not curated again; its rows are carried over from the last run. A curator
// that is also a CarryAware says so, and hears of every node carried over in
// its walk, so that what it rolls up for leave() still counts them. A curator
// that is not (a plugin, a python curator) is curated again whole, assignment
// by assignment, wherever anything in the assignment changed.

#include <string>
#include <utility>
#include <vector>

#include "ramify/node.hpp"

namespace ramify {

class CarryAware {
 public:
  virtual ~CarryAware() = default;
  // True when a container's results depend on what its children's curation
  // yielded (a roll-up in leave()): a node curated again makes its ancestors
  // curated again too. False: only a change to the data below them does.
  virtual bool rolls_up() const { return false; }
  // Called instead of prune/validate/curate for a node carried over (a
  // container: with everything below it in the assignment), with the fields
  // its last outcome recorded, then those of its subtree summary (leave()).
  virtual void carried(const Node& /*node*/, const std::vector<std::pair<std::string, std::string>>& /*fields*/) {}
};

}  // namespace ramify
