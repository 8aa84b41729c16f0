// The job's levels: by depth, by name, optional levels, the BIDS preset.
#include "spec/job_levels.hpp"

#include <gtest/gtest.h>

#include "util/errors.hpp"

namespace ramify {
namespace {

TEST(JobLevels, WithoutPatternsEachFolderTakesTheLevelAfterItsParents) {
  const JobLevels levels = JobLevels::parse("project, subject,session");
  EXPECT_EQ(levels.names(), (std::vector<std::string>{"project", "subject", "session"}));
  EXPECT_EQ(levels.root_level(), "project");
  EXPECT_EQ(levels.folder_level("project", "anything"), "subject");
  EXPECT_EQ(levels.folder_level("subject", "x"), "session");
  EXPECT_EQ(levels.folder_level("session", "deeper"), "folder");
  EXPECT_EQ(levels.folder_level("folder", "deeper still"), "folder");
}

TEST(JobLevels, BidsWithoutSessionsGivesTheDatatypeToAnatAndFunc) {
  const JobLevels levels = JobLevels::parse("bids");
  EXPECT_EQ(levels.names(), (std::vector<std::string>{"project", "subject", "session", "datatype"}));
  EXPECT_EQ(levels.folder_level("project", "sub-01"), "subject");
  EXPECT_EQ(levels.folder_level("subject", "anat"), "datatype");
  EXPECT_EQ(levels.folder_level("subject", "func"), "datatype");
  EXPECT_EQ(levels.folder_level("datatype", "extra"), "folder");
}

TEST(JobLevels, BidsWithSessionsGivesTheSessionToSesFolders) {
  const JobLevels levels = JobLevels::parse("bids");
  EXPECT_EQ(levels.folder_level("subject", "ses-01"), "session");
  EXPECT_EQ(levels.folder_level("session", "dwi"), "datatype");
  EXPECT_EQ(levels.folder_level("session", "ses-02"), "folder");  // a session is not below a session
}

TEST(JobLevels, FoldersThatNoLevelTakesAreFolders) {
  const JobLevels levels = JobLevels::parse("bids");
  for (const char* name : {"derivatives", "sourcedata", "code", "stimuli"})
    EXPECT_EQ(levels.folder_level("project", name), "folder") << name;
  EXPECT_EQ(levels.folder_level("subject", "notes"), "folder");
}

// An absent optional level is passed over, each in turn; a required level
// stops the search whether it takes the name or not.
TEST(JobLevels, OptionalLevelsArePassedOverInTurn) {
  const JobLevels levels = JobLevels::parse("a,b?:x*,c?:y*|z*,d:d*,e");
  EXPECT_EQ(levels.folder_level("a", "x1"), "b");
  EXPECT_EQ(levels.folder_level("a", "y1"), "c");
  EXPECT_EQ(levels.folder_level("a", "z1"), "c");
  EXPECT_EQ(levels.folder_level("a", "d1"), "d");
  EXPECT_EQ(levels.folder_level("a", "e1"), "folder");  // d is required and does not take it
  EXPECT_EQ(levels.folder_level("b", "d1"), "d");
  EXPECT_EQ(levels.folder_level("d", "anything"), "e");
  EXPECT_TRUE(levels.find("b")->optional);
  EXPECT_FALSE(levels.find("d")->optional);
}

TEST(JobLevels, MalformedLevelsAreClearErrors) {
  for (const char* text : {"project:p*", "project?,subject", "project,subject:", "project,subject:a|", "p,s:x/y"})
    EXPECT_THROW(JobLevels::parse(text), ConfigError) << text;
  try {
    JobLevels::parse("project,subject:");
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "levels: 'subject:': a pattern is a name glob, not empty and without '/'");
  }
}

}  // namespace
}  // namespace ramify
