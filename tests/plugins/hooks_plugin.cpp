// A test curator that makes every hook visible in the report:
//   prune     labels starting with "pruned"
//   validate  false for labels starting with "skipme"
//   curate    data["path"] += "/" + label, logged as "data=<path>"; a file
//             starting with "reader" logs the first line of the input "refs"
//             as "input=<line>"; a label starting with "boom" fails
//   leave     records left=<label>
//   finalize  logs "finalize" (once per slot)

#include <istream>
#include <string>

#include "ramify/curator.hpp"

namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

class HooksCurator : public ramify::Curator {
 public:
  explicit HooksCurator(const ramify::CuratorOptions& /*options*/) {}

  bool prune(const ramify::Node& node, ramify::Context& /*ctx*/) override { return starts_with(node.label, "pruned"); }
  bool validate(const ramify::Node& node, ramify::Context& /*ctx*/) override {
    return !starts_with(node.label, "skipme");
  }
  void curate(const ramify::Node& node, ramify::Context& ctx) override {
    ctx.data()["path"] += "/" + node.label;
    ctx.info("data=" + ctx.data()["path"]);
    if (node.is_file && starts_with(node.label, "reader")) {
      auto input = ctx.open_input("refs");
      std::string line;
      std::getline(*input, line);
      ctx.info("input=" + line);
    }
    if (starts_with(node.label, "boom")) throw std::runtime_error("boom on purpose");
  }
  void leave(const ramify::Node& node, ramify::Context& ctx) override { ctx.record("left", node.label); }
  void finalize(ramify::Context& ctx) override { ctx.info("finalize"); }
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(HooksCurator)
