#pragma once
// Helpers for integration tests that start daemons in a TempDir.

#include <string>

#include "support/temp_dir.hpp"

namespace ramify::testing {

// An ipc endpoint inside `dir` (no port to pick, nothing left behind).
inline std::string ipc(const TempDir& dir, const std::string& name) { return "ipc://" + dir.str() + "/" + name; }

// A tree p/sub-S/fF.txt with `subjects` folders of `files` one-byte files; returns the path of p.
inline std::string make_tree(const TempDir& dir, int subjects, int files) {
  for (int s = 1; s <= subjects; ++s)
    for (int f = 1; f <= files; ++f) dir.write("p/sub-" + std::to_string(s) + "/f" + std::to_string(f) + ".txt", "x");
  return (dir.path() / "p").string();
}

}  // namespace ramify::testing
