#include <gtest/gtest.h>

#include "hierarchy/manifest_loader.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::TempDir;
const std::vector<std::string> kLevels{"project", "subject", "session"};

std::string error_of(const std::string& content) {
  TempDir dir;
  try {
    load_manifest(dir.write("m.jsonl", content), kLevels);
  } catch (const SourceError& e) {
    return e.what();
  }
  return "";
}

TEST(ManifestLoader, ReadsNodesAttributesAndDefaults) {
  TempDir dir;
  const std::string path = dir.write("m.jsonl",
      "{\"id\":\"p\",\"parent\":null,\"level\":\"project\",\"label\":\"Project P\"}\n"
      "\n"
      "{\"id\":\"p/s1\",\"parent\":\"p\",\"level\":\"subject\",\"attrs\":{\"age\":31,\"site\":\"x\",\"ok\":true}}\n"
      "{\"id\":\"p/s1/f.nii\",\"parent\":\"p/s1\",\"level\":\"file\",\"attrs\":{\"size\":1024,\"mtime\":17}}\n");
  auto source = load_manifest(path, kLevels);
  EXPECT_EQ(source->size(), 3u);
  Node root = source->root();
  EXPECT_EQ(root.label, "Project P");
  auto subjects = source->children(root);
  ASSERT_EQ(subjects.children.size(), 1u);
  const Node& s1 = subjects.children[0];
  EXPECT_EQ(s1.label, "s1");  // the id's last component
  EXPECT_EQ(s1.attrs.at("age"), "31");
  EXPECT_EQ(s1.attrs.at("ok"), "true");
  auto files = source->children(s1);
  ASSERT_EQ(files.children.size(), 1u);
  EXPECT_TRUE(files.children[0].is_file);
  EXPECT_EQ(files.children[0].size, 1024);
  EXPECT_EQ(files.children[0].mtime, 17);
}

TEST(ManifestLoader, NamesTheLineOfEachProblem) {
  const std::string root = "{\"id\":\"p\",\"level\":\"project\"}\n";
  EXPECT_NE(error_of(root + "{\"id\":\"x\",\"parent\":\"p\",\"level\":\"subject\"\n").find(":2:"), std::string::npos);
  EXPECT_NE(error_of(root + "{\"parent\":\"p\",\"level\":\"subject\"}\n").find("\"id\""), std::string::npos);
  EXPECT_NE(error_of(root + "{\"id\":\"x\",\"parent\":\"p\",\"level\":\"planet\"}\n").find("unknown level 'planet'"),
            std::string::npos);
  EXPECT_NE(error_of(root + "[1,2]\n").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(root + root).find("second root"), std::string::npos);
  EXPECT_NE(error_of(root + "{\"id\":\"x\",\"parent\":\"q\",\"level\":\"subject\"}\n").find("unknown parent"),
            std::string::npos);
  EXPECT_NE(error_of("{\"id\":\"x\",\"parent\":\"q\",\"level\":\"subject\"}\n").find("no root"), std::string::npos);
  EXPECT_NE(error_of(root + "{\"id\":\"x\",\"parent\":\"p\",\"level\":\"subject\",\"attrs\":{\"a\":[1]}}\n")
                .find("attribute"),
            std::string::npos);
}

TEST(ManifestLoader, WithARootIdsBecomePathsAndMayNotEscapeIt) {
  const std::string root_line = "{\"id\":\".\",\"level\":\"project\"}\n";
  auto source = parse_manifest(root_line + "{\"id\":\"s/..x/f..\",\"parent\":\".\",\"level\":\"file\"}\n", kLevels,
                               "m", "/data");
  EXPECT_EQ(source->root().attrs.at("path"), "/data");
  EXPECT_EQ(source->children(source->root()).children.at(0).attrs.at("path"), "/data/s/..x/f..");
  for (const std::string id : {"../x", "/etc/passwd", "a/../../b", "a/..", ".."}) {
    try {
      parse_manifest(root_line + "{\"id\":\"" + id + "\",\"parent\":\".\",\"level\":\"file\"}\n", kLevels, "m", "/data");
      ADD_FAILURE() << id << " was accepted";
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find("m:2: id '" + id + "' would be outside the root"), std::string::npos)
          << e.what();
    }
  }
  // A NUL or any other control byte is refused with its line, root or not
  // ("..\u0000" would otherwise pass the '..' check and cut the path short).
  for (const std::string id : {"..\\u0000", "a\\u0000b", "a\\nb", "a\\u007f"}) {
    for (const std::string root : {"/data", ""}) {
      try {
        parse_manifest(root_line + "{\"id\":\"" + id + "\",\"parent\":\".\",\"level\":\"file\"}\n", kLevels, "m", root);
        ADD_FAILURE() << id << " was accepted";
      } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("m:2: id \""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cannot name a node: it holds a"), std::string::npos) << e.what();
      }
    }
  }
  // Without a root, ids are only names.
  EXPECT_NO_THROW(parse_manifest(root_line + "{\"id\":\"../x\",\"parent\":\".\",\"level\":\"file\"}\n", kLevels, "m"));
}

TEST(ManifestLoader, ReadsLongLinesRepeatedIdsAndAMissingLastNewline) {
  TempDir dir;
  const std::string big(3u << 20, 'x');  // longer than the reader's first buffer
  const std::string path = dir.write("m.jsonl",
      "{\"id\":\"p\",\"level\":\"project\"}\r\n"
      "{\"id\":\"p/s1\",\"parent\":\"p\",\"level\":\"subject\",\"label\":\"Subject One\",\"attrs\":{\"note\":\"" +
          big + "\"}}\n"
      "{\"id\":\"p/s2\",\"parent\":\"p\",\"level\":\"subject\"}");
  auto source = load_manifest(path, kLevels);
  ASSERT_EQ(source->size(), 3u);
  auto subjects = source->children(source->root());
  ASSERT_EQ(subjects.children.size(), 2u);
  EXPECT_EQ(subjects.children[0].label, "Subject One");  // sorted by label: "Subject One" < "s2"
  EXPECT_EQ(subjects.children[0].attrs.at("note"), big);
  EXPECT_EQ(subjects.children[1].id, "p/s2");
  EXPECT_EQ(subjects.children[1].parent, "p");
  EXPECT_EQ(source->subtree_size("p"), 3u);

  const std::string twice = "{\"id\":\"p\",\"level\":\"project\"}\n{\"id\":\"p/a\",\"parent\":\"p\",\"level\":\"subject\"}\n"
                            "{\"id\":\"p/a\",\"parent\":\"p\",\"level\":\"subject\"}\n";
  EXPECT_NE(error_of(twice).find(":3: node id 'p/a' appears twice"), std::string::npos) << error_of(twice);
}

TEST(ManifestLoader, AMissingFileIsAClearError) {
  EXPECT_THROW(load_manifest("/nonexistent/m.jsonl", kLevels), SourceError);
}

}  // namespace
}  // namespace ramify
