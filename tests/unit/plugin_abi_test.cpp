// A plugin built for curator ABI 1 (against the headers as they were, in
// tests/plugins/abi1/) still loads and runs: ABI 2 only appended to Context.

#include <gtest/gtest.h>

#include "curators/plugin_loader.hpp"
#include "support/fake_context.hpp"
#include "support/nodes.hpp"

namespace ramify {
namespace {

TEST(PluginAbi, APluginBuiltForAbiOneStillWorks) {
  CuratorPtr curator = load_plugin(RAMIFY_ABI1_PLUGIN, {{"tag", "t1"}});
  testing::FakeContext ctx;
  ctx.child_nodes = {testing::make_node("s/bad/a", "s/bad", "file"), testing::make_node("s/bad/b", "s/bad", "file")};
  const Node bad = testing::make_node("s/bad", "s", "subject");
  curator->curate(bad, ctx);
  EXPECT_EQ(ctx.fields, (std::map<std::string, std::string>{{"tag", "t1"}, {"children", "2"}}));
  EXPECT_EQ(ctx.field_types["children"], FieldType::text);  // ABI 1 records text
  EXPECT_EQ(ctx.findings, std::vector<std::string>{"abi1 finding"});
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(ctx.logs[0].message, "abi1 s/bad");

  AssignmentResult result;
  result.root = bad;
  curator->finalize_run({result}, ctx);
  ASSERT_EQ(ctx.about.size(), 1u);
  EXPECT_EQ(ctx.about[0].message, "abi1 root");
  EXPECT_EQ(ctx.about[0].fields, (std::vector<std::pair<std::string, std::string>>{{"k", "v"}}));
}

}  // namespace
}  // namespace ramify
