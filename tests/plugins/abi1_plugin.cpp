// A plugin built against the headers of curator ABI 1 (tests/plugins/abi1/),
// as one compiled before ABI 2 appended to Context: it must still load and
// run. It uses every Context call ABI 1 had that a curator makes per node.

#include "ramify/curator.hpp"

namespace {

class AbiOneCurator : public ramify::Curator {
 public:
  explicit AbiOneCurator(const ramify::CuratorOptions& options) : tag_(options.count("tag") ? options.at("tag") : "") {}
  void curate(const ramify::Node& node, ramify::Context& ctx) override {
    ctx.info("abi1 " + node.id);
    ctx.record("tag", tag_);
    ctx.record("children", std::to_string(ctx.children().size()));
    if (node.label == "bad") ctx.finding("abi1 finding");
  }
  void finalize_run(const std::vector<ramify::AssignmentResult>& results, ramify::Context& ctx) override {
    for (const auto& result : results) ctx.log_about(result.root, ramify::Severity::info, "abi1 root", {{"k", "v"}});
  }

 private:
  std::string tag_;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(AbiOneCurator)
