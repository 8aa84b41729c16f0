#include "cli/html_option.hpp"

#include <filesystem>

#include "util/errors.hpp"

namespace ramify {

void check_html_path(const std::string& path, bool replace) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) throw ConfigError("--html " + path + " is a directory");
  if (fs::exists(path, error) && !replace)
    throw ConfigError("--html " + path + " already exists (use --force to replace it)");
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, error))
    throw ConfigError("--html " + path + ": its folder " + folder.string() + " does not exist");
}

}  // namespace ramify
