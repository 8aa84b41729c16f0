#include <gtest/gtest.h>

#include "support/fake_context.hpp"
#include "support/nodes.hpp"
#include "support/temp_dir.hpp"

#include <dlfcn.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "curators/plugin_loader.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::FakeContext;
using testing::make_node;
using testing::TempDir;

// Built-in curators share the pointer type: the default deleter deletes.
class CountingCurator : public Curator {
 public:
  explicit CountingCurator(int& destroyed) : destroyed_(destroyed) {}
  ~CountingCurator() override { ++destroyed_; }
  void curate(const Node& /*node*/, Context& /*ctx*/) override {}

 private:
  int& destroyed_;
};

TEST(PluginLoaderTest, BuiltInCuratorsConvertToCuratorPtr) {
  int destroyed = 0;
  {
    CuratorPtr curator = std::make_unique<CountingCurator>(destroyed);
    EXPECT_NE(curator, nullptr);
  }
  EXPECT_EQ(destroyed, 1);
}

// Absolute paths of the plugins, set by tests/plugins/plugin_paths.cmake.
#ifndef RAMIFY_PARTICIPANTS_PLUGIN

TEST(PluginLoaderTest, PluginsAreBuilt) {
  GTEST_SKIP() << "the plugin paths are not set: include tests/plugins/plugin_paths.cmake from tests/CMakeLists.txt";
}

#else

const std::string kParticipants = RAMIFY_PARTICIPANTS_PLUGIN;
const std::string kWrongAbi = RAMIFY_WRONG_ABI_PLUGIN;
const std::string kNoAbi = RAMIFY_NO_ABI_PLUGIN;
const std::string kThrowing = RAMIFY_THROWING_PLUGIN;
const std::string kCreateNull = RAMIFY_CREATE_NULL_PLUGIN;

// The ConfigError message of load_plugin(path), or "" when it loads.
std::string load_error(const std::string& path, const CuratorOptions& options = {}) {
  try {
    load_plugin(path, options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A subject assignment as the broker reports it after the subject was curated.
AssignmentResult subject_result(const std::string& label, const std::string& sessions) {
  AssignmentResult result;
  result.root = make_node(label, ".", "subject");
  result.ancestors = {make_node(".", "", "dataset")};
  result.fields = {{"participant_id", label}, {"sessions", sessions}};
  return result;
}

// True while the library at `path` is loaded in this process.
bool is_loaded(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle) dlclose(handle);
  return handle != nullptr;
}

TEST(PluginLoaderTest, ExamplePluginCuratesASubject) {
  CuratorPtr curator = load_plugin(kParticipants, {});
  ASSERT_NE(curator, nullptr);

  FakeContext ctx;
  ctx.child_nodes = {make_node("sub-01/ses-1", "sub-01", "session"), make_node("sub-01/ses-2", "sub-01", "session"),
                     make_node("sub-01/notes.txt", "sub-01", "file")};
  curator->curate(make_node("sub-01", ".", "subject"), ctx);

  EXPECT_EQ(ctx.status, Status::ok);
  EXPECT_EQ(ctx.fields, (std::map<std::string, std::string>{{"participant_id", "sub-01"}, {"sessions", "2"}}));
}

TEST(PluginLoaderTest, ExamplePluginLeavesOtherNodesAlone) {
  CuratorPtr curator = load_plugin(kParticipants, {});
  FakeContext ctx;
  ctx.child_nodes = {make_node("sub-01/ses-1/anat", "sub-01/ses-1", "folder")};
  curator->curate(make_node("sub-01/ses-1", "sub-01", "session"), ctx);
  curator->curate(make_node("sub-01/ses-1/anat/T1w.nii", "sub-01/ses-1/anat", "file"), ctx);

  EXPECT_EQ(ctx.status, Status::ok);
  EXPECT_TRUE(ctx.fields.empty());
}

TEST(PluginLoaderTest, ExamplePluginUsesConstructorOptions) {
  CuratorPtr curator = load_plugin(kParticipants, {{"subject_level", "participant"}, {"session_level", "visit"}});
  FakeContext ctx;
  ctx.child_nodes = {make_node("p1/v1", "p1", "visit"), make_node("p1/ses-1", "p1", "session")};
  curator->curate(make_node("p1", ".", "participant"), ctx);

  EXPECT_EQ(ctx.fields["participant_id"], "p1");
  EXPECT_EQ(ctx.fields["sessions"], "1");
}

TEST(PluginLoaderTest, ExamplePluginConstructorErrorSurfaces) {
  EXPECT_EQ(load_error(kParticipants, {{"subject_level", ""}}),
            "plugin " + kParticipants + ": participants: subject_level must not be empty");
}

TEST(PluginLoaderTest, FinalizeRunWritesParticipantsTable) {
  TempDir dir;
  const std::string tsv = (dir.path() / "participants.tsv").string();
  CuratorPtr curator = load_plugin(kParticipants, {});
  FakeContext ctx;
  ctx.options["participants_tsv"] = tsv;

  AssignmentResult dataset;  // a container above the partition level: no row
  dataset.root = make_node(".", "", "dataset");
  dataset.shallow = true;
  curator->finalize_run({subject_result("sub-02", "1"), dataset, subject_result("sub-01", "2")}, ctx);

  EXPECT_EQ(ctx.status, Status::ok);
  EXPECT_EQ(read_file(tsv), "participant_id\tsessions\nsub-01\t2\nsub-02\t1\n");
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(ctx.logs[0].severity, Severity::info);
  EXPECT_EQ(ctx.logs[0].message, "wrote 2 participant(s) to " + tsv);
}

TEST(PluginLoaderTest, FinalizeRunWithoutPathLogsEachSubject) {
  CuratorPtr curator = load_plugin(kParticipants, {});
  FakeContext ctx;
  AssignmentResult failed;  // curation failed: no fields recorded
  failed.root = make_node("sub-03", ".", "subject");
  curator->finalize_run({subject_result("sub-01", "2"), failed}, ctx);

  ASSERT_EQ(ctx.logs.size(), 2u);
  EXPECT_EQ(ctx.logs[0].message, "sub-01: 2 session(s)");
  EXPECT_EQ(ctx.logs[1].message, "sub-03: n/a session(s)");
}

TEST(PluginLoaderTest, FinalizeRunFailsWhenTheTableCannotBeWritten) {
  TempDir dir;
  CuratorPtr curator = load_plugin(kParticipants, {});
  FakeContext ctx;
  ctx.options["participants_tsv"] = (dir.path() / "missing" / "participants.tsv").string();
  curator->finalize_run({subject_result("sub-01", "2")}, ctx);

  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_NE(ctx.err.find("cannot write"), std::string::npos) << ctx.err;
}

TEST(PluginLoaderTest, WrongAbiIsRefusedBeforeCreating) {
  const std::string message = load_error(kWrongAbi);
  EXPECT_EQ(message, "plugin " + kWrongAbi +
                         " was built for curator ABI 999; this ramify needs ABI 1 to 2"
                         " (rebuild it against include/ramify/curator.hpp)");
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(PluginLoaderTest, LibraryWithoutAbiSymbolIsNotAPlugin) {
  EXPECT_EQ(load_error(kNoAbi), "plugin " + kNoAbi + ": not a ramify curator plugin (no ramify_curator_abi_version)");
}

TEST(PluginLoaderTest, ConstructorExceptionSurfaces) {
  EXPECT_EQ(load_error(kThrowing), "plugin " + kThrowing + ": bad option");
}

TEST(PluginLoaderTest, CreateReturningNothingIsAnError) {
  EXPECT_EQ(load_error(kCreateNull), "plugin " + kCreateNull + ": ramify_create_curator returned nothing");
}

TEST(PluginLoaderTest, MissingFileIsAClearError) {
  TempDir dir;
  const std::string path = (dir.path() / "libnothing.so").string();
  const std::string message = load_error(path);
  EXPECT_EQ(message.rfind("plugin " + path + ": cannot load: ", 0), 0u) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(PluginLoaderTest, NonLibraryFileIsAClearError) {
  TempDir dir;
  const std::string path = dir.write("libgarbage.so", std::string(4096, 'x') + "\nnot a library\n");
  const std::string message = load_error(path);
  EXPECT_EQ(message.rfind("plugin " + path + ": cannot load: ", 0), 0u) << message;
  EXPECT_GT(message.size(), ("plugin " + path + ": cannot load: ").size()) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(PluginLoaderTest, LoadingTwiceAndDestroyingInEitherOrderWorks) {
  for (bool first_goes_first : {true, false}) {
    CuratorPtr a = load_plugin(kParticipants, {});
    CuratorPtr b = load_plugin(kParticipants, {});
    ASSERT_NE(a.get(), b.get());
    CuratorPtr& gone = first_goes_first ? a : b;
    CuratorPtr& kept = first_goes_first ? b : a;

    gone.reset();
    EXPECT_TRUE(is_loaded(kParticipants));  // `kept` still needs its code
    FakeContext ctx;
    kept->curate(make_node("sub-01", ".", "subject"), ctx);
    EXPECT_EQ(ctx.fields["sessions"], "0");
    kept.reset();
  }
}

TEST(PluginLoaderTest, SeveralThreadsLoadTheSamePlugin) {
  std::vector<CuratorPtr> curators(8);
  std::vector<std::thread> threads;
  for (auto& slot : curators) threads.emplace_back([&slot] { slot = load_plugin(kParticipants, {}); });
  for (auto& thread : threads) thread.join();

  for (auto& curator : curators) {
    ASSERT_NE(curator, nullptr);
    FakeContext ctx;
    curator->curate(make_node("sub-07", ".", "subject"), ctx);
    EXPECT_EQ(ctx.fields["participant_id"], "sub-07");
  }
  curators.erase(curators.begin() + 2, curators.begin() + 5);  // out of order
  curators.clear();
}

#endif  // RAMIFY_PARTICIPANTS_PLUGIN

}  // namespace
}  // namespace ramify
