// `[job] exclude`: globs of paths relative to the root.
#include "spec/path_patterns.hpp"

#include <gtest/gtest.h>

#include "util/errors.hpp"

namespace ramify {
namespace {

TEST(PathPatterns, APlainPatternIsAnchoredAtTheRoot) {
  const PathPatterns p = PathPatterns::parse("derivatives, code/");
  EXPECT_TRUE(p.matches("derivatives"));
  EXPECT_TRUE(p.matches("code"));
  EXPECT_FALSE(p.matches("derivatives/fmriprep"));  // below it: never listed, its folder is left out
  EXPECT_FALSE(p.matches("sub-01/derivatives"));
  EXPECT_FALSE(p.matches("derivatives2"));
}

TEST(PathPatterns, DoubleStarSpansAnyNumberOfFolders) {
  const PathPatterns p = PathPatterns::parse("sourcedata/**,**/tmp,a/**/z.txt");
  EXPECT_FALSE(p.matches("sourcedata"));
  EXPECT_TRUE(p.matches("sourcedata/sub-01"));
  EXPECT_TRUE(p.matches("sourcedata/sub-01/anat/x.dcm"));
  EXPECT_TRUE(p.matches("tmp"));
  EXPECT_TRUE(p.matches("sub-01/ses-1/tmp"));
  EXPECT_TRUE(p.matches("a/z.txt"));
  EXPECT_TRUE(p.matches("a/b/c/z.txt"));
  EXPECT_FALSE(p.matches("b/a/z.txt"));
}

TEST(PathPatterns, EachPartIsAGlobForOneName) {
  const PathPatterns p = PathPatterns::parse("sub-*/*.log,**/.*");
  EXPECT_TRUE(p.matches("sub-01/run.log"));
  EXPECT_FALSE(p.matches("sub-01/anat/run.log"));  // * does not cross a '/'
  EXPECT_TRUE(p.matches("sub-01/.DS_Store"));
  EXPECT_TRUE(p.matches(".git"));
}

TEST(PathPatterns, NamesAnywhereMatchAtEveryDepth) {
  const PathPatterns p = PathPatterns::parse("**/.git,**/.datalad");
  EXPECT_TRUE(p.matches(".git"));
  EXPECT_TRUE(p.matches("sub-01/.datalad"));
  EXPECT_TRUE(p.matches("a/b/c/.git"));
  EXPECT_FALSE(p.matches("a/.gitignore"));
  EXPECT_FALSE(PathPatterns::parse("").matches("anything"));
  EXPECT_TRUE(PathPatterns::parse("").empty());
}

TEST(PathPatterns, APatternOutsideTheRootIsRefused) {
  for (const char* text : {"/abs", "a/../b", "a//b", ".."}) EXPECT_THROW(PathPatterns::parse(text), ConfigError) << text;
}

}  // namespace
}  // namespace ramify
