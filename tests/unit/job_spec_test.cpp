#include <gtest/gtest.h>

#include "common/errors.hpp"
#include "common/job_spec.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::TempDir;

std::string load_error(const std::string& ini) {
  TempDir dir;
  try {
    JobSpec::from_file(dir.write("job.ini", ini)).validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JobSpec, ReadsSectionsAndAppliesDefaults) {
  TempDir dir;
  JobSpec spec = JobSpec::from_file(dir.write("job.ini",
                                              "# a job\n"
                                              "[job]\n"
                                              "root = /data/study\n"
                                              "levels = project, subject, session\n"
                                              "curator = exec\n"
                                              "order = breadth\n"
                                              "[exec]\n"
                                              "file = sha256sum {path}\n"
                                              "[curator]\n"
                                              "anything = goes\n"));
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), "/data/study");
  EXPECT_EQ(spec.levels(), (std::vector<std::string>{"project", "subject", "session"}));
  EXPECT_EQ(spec.order(), WalkOrder::breadth);
  EXPECT_EQ(spec.partition_depth(), 1u);
  EXPECT_EQ(spec.on_failure(), FailurePolicy::kill);
  EXPECT_EQ(spec.max_attempts(), 3u);
  EXPECT_EQ(spec.section("exec").at("file"), "sha256sum {path}");
  EXPECT_EQ(spec.section("curator").at("anything"), "goes");
}

TEST(JobSpec, OverridesWinAndBareKeysMeanTheJobSection) {
  JobSpec spec;
  spec.apply_override("job.root=/a");
  spec.apply_override("partition_level = session");
  spec.apply_override("exec.file=echo {id}");
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), "/a");
  EXPECT_EQ(spec.partition_depth(), 2u);
  EXPECT_THROW(spec.apply_override("novalue"), ConfigError);
}

TEST(JobSpec, ParsesByteSizes) {
  EXPECT_EQ(parse_bytes("", "x"), 0u);
  EXPECT_EQ(parse_bytes("4096", "x"), 4096u);
  EXPECT_EQ(parse_bytes("512M", "x"), 512u << 20);
  EXPECT_EQ(parse_bytes("2g", "x"), 2ull << 30);
  EXPECT_THROW(parse_bytes("lots", "x"), ConfigError);
}

TEST(JobSpec, RoundTripsThroughItsEntries) {
  JobSpec spec;
  spec.set("job", "root", "/a");
  spec.set("exec", "file", "x {path}");
  JobSpec copy = JobSpec::from_entries(spec.entries());
  EXPECT_EQ(copy.entries(), spec.entries());
}

TEST(JobSpec, RejectsUnknownSectionsAndKeys) {
  EXPECT_NE(load_error("[jobb]\nroot = /a\n").find("unknown section [jobb]"), std::string::npos);
  EXPECT_NE(load_error("[job]\nroot = /a\nrooot = /b\n").find("unknown key 'rooot'"), std::string::npos);
}

TEST(JobSpec, NamesAMalformedLine) {
  std::string error = load_error("[job]\nroot = /a\nthis line has no equals sign\n");
  EXPECT_NE(error.find("job.ini"), std::string::npos) << error;
  EXPECT_NE(error.find("this line has no equals sign"), std::string::npos) << error;
}

TEST(JobSpec, ALineWithBoostPlaceholdersIsRefusedNotLoopedOn) {
  // Boost 1.74 formats its own error for such a line forever (found by fuzzing).
  std::string error = load_error("[job]\nroot = /a\nbroken %invalid_line% line %value%\n");
  EXPECT_NE(error.find("job.ini:3:"), std::string::npos) << error;
}

TEST(JobSpec, RejectsDuplicateKeysAndKeysOutsideSections) {
  EXPECT_NE(load_error("[job]\nroot = /a\nroot = /b\n").find("appears twice"), std::string::npos);
  EXPECT_NE(load_error("root = /a\n").find("outside any [section]"), std::string::npos);
}

TEST(JobSpec, ValidatesValues) {
  auto invalid = [](std::vector<std::string> overrides) {
    JobSpec spec;
    for (const auto& o : overrides) spec.apply_override(o);
    try {
      spec.validate();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(invalid({}).find("root (a directory tree) or a manifest"), std::string::npos);
  EXPECT_EQ(invalid({"root=/a", "manifest=/b"}), "");  // the manifest's nodes live under the root
  EXPECT_NE(invalid({"root=/a", "curator=magic"}).find("unknown curator 'magic'"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "partition_level=planet"}).find("unknown level 'planet'"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "levels=a,file"}).find("reserved"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "levels=a,a"}).find("twice"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "order=sideways"}).find("order"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "exec.planet=echo"}).find("'planet' is not a level"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "curator=exec"}).find("[exec]"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "heartbeat=soon"}).find("heartbeat"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "max_attempts=0"}).find("max_attempts"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "on_failure=panic"}).find("on_failure"), std::string::npos);
  EXPECT_EQ(invalid({"root=/a"}), "");
}

}  // namespace
}  // namespace ramify
