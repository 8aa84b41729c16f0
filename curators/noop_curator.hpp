#pragma once
// Does nothing: every node is "ok". For measuring the engine itself.

#include "ramify/carry.hpp"
#include "ramify/curator.hpp"

namespace ramify {

class NoopCurator : public Curator, public CarryAware {
 public:
  void curate(const Node& /*node*/, Context& /*ctx*/) override {}
};

}  // namespace ramify
