#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "hierarchy/directory_source.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::TempDir;
const JobLevels kLevels = JobLevels::parse("project,subject,session");

std::vector<std::string> ids(const ChildListing& listing) {
  std::vector<std::string> out;
  for (const auto& n : listing.children) out.push_back(n.id);
  return out;
}

TEST(DirectorySource, NamesLevelsByDepthAndFilesByTheirFolder) {
  TempDir dir;
  dir.write("proj/sub-01/ses-1/anat/deeper/x.nii", "x");
  dir.write("proj/sub-01/notes.txt", "hello");
  DirectorySource source((dir.path() / "proj").string(), kLevels);
  Node root = source.root();
  EXPECT_EQ(root.id, ".");
  EXPECT_EQ(root.level, "project");
  EXPECT_EQ(root.label, "proj");

  auto subjects = source.children(root);
  ASSERT_EQ(ids(subjects), std::vector<std::string>{"sub-01"});
  EXPECT_EQ(subjects.children[0].level, "subject");
  EXPECT_EQ(subjects.children[0].parent, ".");

  auto below_subject = source.children(subjects.children[0]);
  ASSERT_EQ(ids(below_subject), (std::vector<std::string>{"sub-01/notes.txt", "sub-01/ses-1"}));
  EXPECT_EQ(below_subject.children[0].level, "file");
  EXPECT_TRUE(below_subject.children[0].is_file);
  EXPECT_EQ(below_subject.children[0].size, 5);
  EXPECT_EQ(below_subject.children[1].level, "session");

  auto below_session = source.children(below_subject.children[1]);
  ASSERT_EQ(ids(below_session), std::vector<std::string>{"sub-01/ses-1/anat"});
  EXPECT_EQ(below_session.children[0].level, "folder");  // deeper than the named levels
  auto deeper = source.children(source.children(below_session.children[0]).children[0]);
  EXPECT_EQ(ids(deeper), std::vector<std::string>{"sub-01/ses-1/anat/deeper/x.nii"});
}

TEST(DirectorySource, NeverDescendsASymlinkToAFolder) {
  TempDir dir;
  dir.write("proj/real/file.txt", "x");
  std::filesystem::create_directory_symlink(dir.path() / "proj/real", dir.path() / "proj/link");
  DirectorySource source((dir.path() / "proj").string(), kLevels);
  auto listing = source.children(source.root());
  ASSERT_EQ(ids(listing), (std::vector<std::string>{"link", "real"}));
  EXPECT_TRUE(listing.children[0].is_file);
  EXPECT_EQ(listing.children[0].level, "file");
  EXPECT_EQ(listing.children[0].attrs.at("symlink"), (dir.path() / "proj/real").string());
}

// A followed link to a file takes its target's size; follow_symlinks decides which are followed.
TEST(DirectorySource, ALinkToAFileTakesItsTargetsSizeAsFollowSymlinksAllows) {
  TempDir outside;
  outside.write("big.bin", std::string(1000, 'x'));
  TempDir dir;
  dir.write("proj/data.bin", std::string(300, 'y'));
  std::filesystem::create_symlink("data.bin", dir.path() / "proj/in");
  std::filesystem::create_symlink(outside.path() / "big.bin", dir.path() / "proj/out");
  auto sizes = [&](FollowLinks follow) {
    DirectorySource source((dir.path() / "proj").string(), kLevels, {}, follow);
    std::map<std::string, std::int64_t> out;
    for (const auto& child : source.children(source.root()).children) out[child.id] = child.size;
    return out;
  };
  const auto link_size = [](const char* target) { return static_cast<std::int64_t>(std::string(target).size()); };
  auto inside = sizes(FollowLinks::inside);
  EXPECT_EQ(inside["in"], 300);
  EXPECT_EQ(inside["out"], link_size((outside.path() / "big.bin").c_str()));  // the link's own size
  auto all = sizes(FollowLinks::all);
  EXPECT_EQ(all["in"], 300);
  EXPECT_EQ(all["out"], 1000);
  auto none = sizes(FollowLinks::none);
  EXPECT_EQ(none["in"], link_size("data.bin"));
}

TEST(DirectorySource, LeavesOutFifosWithAWarning) {
  TempDir dir;
  dir.mkdir("proj");
  ASSERT_EQ(mkfifo((dir.path() / "proj/pipe").c_str(), 0600), 0);
  DirectorySource source((dir.path() / "proj").string(), kLevels);
  auto listing = source.children(source.root());
  EXPECT_TRUE(listing.children.empty());
  ASSERT_EQ(listing.warnings.size(), 1u);
  EXPECT_NE(listing.warnings[0].find("pipe"), std::string::npos);
}

TEST(DirectorySource, AMissingRootIsAClearError) {
  TempDir dir;
  DirectorySource source((dir.path() / "nope").string(), kLevels);
  try {
    source.root();
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

TEST(DirectorySource, AnUnreadableFolderIsAnErrorOfItsListingNotACrash) {
  TempDir dir;
  dir.write("proj/locked/secret.txt", "x");
  chmod(dir.path().c_str(), 0755);
  chmod((dir.path() / "proj").c_str(), 0755);
  chmod((dir.path() / "proj/locked").c_str(), 0);
  // Root reads every folder: check as an unprivileged user in a child process.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 6;
    try {
      if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
      DirectorySource source((dir.path() / "proj").string(), kLevels);
      auto top = source.children(source.root());
      if (top.children.size() != 1) _exit(4);
      auto locked = source.children(top.children[0]);
      code = locked.error.find("Permission denied") != std::string::npos && locked.children.empty() ? 0 : 5;
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  chmod((dir.path() / "proj/locked").c_str(), 0700);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The levels of each folder of a BIDS dataset, read from the disk.
TEST(DirectorySource, GivesBidsFoldersTheirLevelsWithAndWithoutSessions) {
  TempDir dir;
  dir.write("ds/sub-01/anat/sub-01_T1w.nii.gz", "x");
  dir.write("ds/sub-02/ses-01/func/sub-02_ses-01_bold.nii.gz", "x");
  dir.write("ds/derivatives/fmriprep/x.txt", "x");
  DirectorySource source((dir.path() / "ds").string(), JobLevels::parse("bids"));
  std::map<std::string, std::string> levels;
  std::vector<Node> todo{source.root()};
  while (!todo.empty()) {
    const Node node = todo.back();
    todo.pop_back();
    levels[node.id] = node.level;
    if (node.is_file) continue;
    for (const Node& child : source.children(node).children) todo.push_back(child);
  }
  EXPECT_EQ(levels["."], "project");
  EXPECT_EQ(levels["sub-01"], "subject");
  EXPECT_EQ(levels["sub-01/anat"], "datatype");
  EXPECT_EQ(levels["sub-02/ses-01"], "session");
  EXPECT_EQ(levels["sub-02/ses-01/func"], "datatype");
  EXPECT_EQ(levels["derivatives"], "folder");
  EXPECT_EQ(levels["derivatives/fmriprep"], "folder");
  EXPECT_EQ(levels["sub-01/anat/sub-01_T1w.nii.gz"], "file");
}

}  // namespace
}  // namespace ramify
