#pragma once
// The built-in `checksum` curator: records the SHA-256 digest and byte count
// of every file ("sha256", "bytes"); folders are not curated and symlinks are
// skipped, never followed. With `[checksum] verify = MANIFEST` (a file in the
// format GNU sha256sum writes), every digest is compared with the manifest:
// a different digest or a file the manifest does not list fails the file, and
// finalize_run() reports the listed files that do not exist under the root.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

// One line of a verify manifest.
struct ChecksumEntry {
  std::string path;  // relative to the job root, normalised like a node id
  std::string hex;   // 64 lowercase hex digits
  std::size_t line = 0;
};

// Parses a sha256sum-format manifest ("<hex>  <path>" or "<hex> *<path>"; a
// leading '\' means the path has \\, \n and \r escapes). Paths are made
// relative to `root`; blank lines and '#' comments are ignored. Throws
// ConfigError naming `manifest_path` and the line for a malformed line, a path
// outside the root, or a path listed twice with different digests.
std::vector<ChecksumEntry> read_checksum_manifest(const std::string& manifest_path, const std::string& root);

class ChecksumCurator : public Curator {
 public:
  // Reads [checksum] verify when set; throws ConfigError when it cannot be read or is malformed.
  explicit ChecksumCurator(const JobSpec& spec);

  // Files only: containers are "skipped".
  bool validate(const Node& node, Context& ctx) override;
  void curate(const Node& node, Context& ctx) override;
  // With verify: a finding per manifest entry missing under the root, then fails the run if any.
  void finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) override;

 private:
  std::string root_;
  std::string manifest_path_;                             // "" without verify
  std::vector<ChecksumEntry> manifest_;                   // in file order
  std::unordered_map<std::string, std::size_t> by_path_;  // path -> index into manifest_
  std::vector<char> buffer_;                              // one read's worth, reused across files
};

}  // namespace ramify
