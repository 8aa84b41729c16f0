#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/job_keys.hpp"

namespace ramify {
namespace {

// Every key the engine reads is documented in the README's job-spec table.
TEST(Readme, DocumentsEveryJobSpecKey) {
  std::ifstream in(RAMIFY_README);
  ASSERT_TRUE(in) << "cannot read " << RAMIFY_README;
  std::stringstream text;
  text << in.rdbuf();
  for (const JobKey& key : job_keys()) {
    const std::string cell = "| `" + key.section + "." + key.key + "` |";
    EXPECT_NE(text.str().find(cell), std::string::npos) << "README lacks " << cell;
  }
}

}  // namespace
}  // namespace ramify
