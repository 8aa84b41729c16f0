#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "curators/curator_factory.hpp"
#include "spec/job_keys.hpp"
#include "spec/job_spec.hpp"
#include "support/readme_blocks.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using testing::read_text_file;

std::string readme() {
  std::string text = read_text_file(RAMIFY_README);
  EXPECT_FALSE(text.empty()) << "cannot read " << RAMIFY_README;
  return text;
}

// Every key the engine reads is documented in the README's job-spec table.
TEST(Readme, DocumentsEveryJobSpecKey) {
  const std::string text = readme();
  for (const JobKey& key : job_keys()) {
    const std::string cell = "| `" + key.section + "." + key.key + "` |";
    EXPECT_NE(text.find(cell), std::string::npos) << "README lacks " << cell;
  }
}

// A value that still holds comment text, as a user who copies an example would get it.
void expect_no_comment_text(const JobSpec& spec, const std::string& where) {
  for (const auto& [key, value] : spec.entries())
    for (const std::string mark : {" ;", " #", "\t;", "\t#"})
      EXPECT_EQ(value.find(mark), std::string::npos) << where << ": " << key << " = '" << value << "'";
}

// A spec loads, validates, and (for the curators built in) makes its curator.
void expect_loads(JobSpec spec, const std::string& where) {
  expect_no_comment_text(spec, where);
  if (spec.get("job", "root").empty() && spec.get("job", "manifest").empty()) spec.set("job", "root", "/data/study");
  try {
    spec.validate();
    if (spec.curator() != "plugin" && spec.curator() != "python") make_curator(spec);  // their files are examples
  } catch (const std::exception& e) {
    ADD_FAILURE() << where << ": " << e.what();
  }
}

TEST(Readme, EveryIniExampleLoadsAsWritten) {
  const auto blocks = testing::code_blocks(readme(), "ini");
  EXPECT_GE(blocks.size(), 3u);
  for (const auto& block : blocks) {
    const std::string where = "README.md line " + std::to_string(block.line);
    try {
      expect_loads(JobSpec::from_text(block.text, where), where);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

// The python curator's example imports and has its class, as the broker checks it.
TEST(Readme, ThePythonCuratorExampleLoads) {
  const auto blocks = testing::code_blocks(readme(), "python");
  ASSERT_FALSE(blocks.empty());  // the first is the curator, in the python curator's section
  ASSERT_NE(blocks[0].text.find("class Curator(ramify.Curator):"), std::string::npos);
  testing::TempDir dir;
  dir.write("sidecars.py", blocks[0].text);
  JobSpec spec;
  spec.set("job", "root", dir.str());
  spec.set("job", "curator", "python");
  spec.set("python", "module", dir.str() + "/sidecars.py");
  spec.validate();
  EXPECT_NO_THROW(make_curator(spec)) << "README.md line " << blocks[0].line;
}

TEST(Readme, EveryJobFileInExamplesAndJobsLoads) {
  std::size_t files = 0;
  for (const std::string folder : {"examples", "jobs"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::string(RAMIFY_SOURCE_DIR) + "/" + folder)) {
      if (entry.path().extension() != ".ini") continue;
      ++files;
      try {
        expect_loads(JobSpec::from_file(entry.path().string()), entry.path().string());
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
  EXPECT_GE(files, 2u);
}

// Links to files of the repository lead somewhere.
TEST(Readme, LinksToFilesThatExist) {
  const std::string text = readme();
  static const std::regex link(R"(\]\(([^)#:]+)(#[^)]*)?\))");
  std::size_t links = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    ++links;
    EXPECT_TRUE(std::filesystem::exists(std::string(RAMIFY_SOURCE_DIR) + "/" + target)) << "README links " << target;
  }
  EXPECT_GE(links, 1u);
}

// The flag table names every curator --curator takes.
TEST(Readme, FlagTableListsEveryCurator) {
  const std::string text = readme();
  const auto row = text.find("| `--curator ");
  ASSERT_NE(row, std::string::npos);
  const std::string line = text.substr(row, text.find('\n', row) - row);
  for (const char* curator : {"noop", "exec", "checksum", "inventory", "validate", "plugin"})
    EXPECT_NE(line.find(curator), std::string::npos) << line;
}

// Each environment variable has one row in the variables table.
TEST(Readme, VariablesTableListsEachVariableOnce) {
  std::istringstream in(readme());
  std::map<std::string, int> rows;
  bool in_table = false;
  static const std::regex variable(R"(`(RAMIFY_[A-Z_]+)`)");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("| variable |")) in_table = true;
    if (!in_table) continue;
    if (!line.starts_with("|")) break;
    const std::string first_cell = line.substr(0, line.find('|', 1));
    for (auto it = std::sregex_iterator(first_cell.begin(), first_cell.end(), variable); it != std::sregex_iterator(); ++it)
      ++rows[(*it)[1]];
  }
  EXPECT_FALSE(rows.empty());
  for (const auto& [name, count] : rows) EXPECT_EQ(count, 1) << name << " has " << count << " rows";
}

}  // namespace
}  // namespace ramify
