// A plugin whose constructor throws std::out_of_range (options.at() of an
// option the job lacks) is named, with what is probably missing: it used to
// say only "plugin P: map::at".

#include <gtest/gtest.h>

#include "curators/plugin_loader.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

TEST(PluginOption, AConstructorThatFindsNoOptionSaysWhichPluginAndThatAnOptionMayBeMissing) {
  const std::string path = RAMIFY_MISSING_OPTION_PLUGIN;
  try {
    load_plugin(path, {});
    FAIL() << "the plugin loaded without its option";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "plugin " + path +
                                         ": its constructor threw std::out_of_range (map::at): a [curator] option it "
                                         "needs may be missing from the job");
  }
  EXPECT_NE(load_plugin(path, {{"max_bytes", "10"}}), nullptr);
}

}  // namespace
}  // namespace ramify
