// A plugin whose constructor reads an option with options.at(), as the
// README's first SizeCheck did: without it in the job, std::out_of_range.

#include <string>

#include "ramify/curator.hpp"

namespace {

class NeedsAnOption : public ramify::Curator {
 public:
  explicit NeedsAnOption(const ramify::CuratorOptions& options) : limit_(std::stoll(options.at("max_bytes"))) {}
  void curate(const ramify::Node& /*node*/, ramify::Context& /*ctx*/) override {}

 private:
  long long limit_;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(NeedsAnOption)
