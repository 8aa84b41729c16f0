#pragma once
// The built-in `checksum` curator: records the SHA-256 digest and byte count
// of every file ("sha256", "bytes"); folders are not curated. A symlink to a
// file is hashed as that file when `[job] follow_symlinks` allows it; a
// git-annex link (its target names a SHA256E/SHA256 key) has its digest and
// size compared with the key ("annex key mismatch" fails it), and one whose
// content is not present is skipped ("content not present (git annex get
// PATH)"). With `[checksum] verify = MANIFEST` (a file in the
// format GNU sha256sum writes), every digest is compared with the manifest:
// a different digest or a file the manifest does not list fails the file, and
// finalize_run() reports the listed files that do not exist under the root.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramify/carry.hpp"
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

class ChecksumCurator : public Curator, public CarryAware {
 public:
  // Reads [checksum] verify when set; throws ConfigError when it cannot be read or is malformed.
  explicit ChecksumCurator(const JobSpec& spec);

  // Files only: containers are "skipped".
  bool validate(const Node& node, Context& ctx) override;
  void curate(const Node& node, Context& ctx) override;
  // With verify: a finding per manifest entry missing under the root, then fails the run if any.
  void finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) override;

 private:
  // Hashes the file a symlink leads to, as follow_symlinks allows; checks an annex key.
  void curate_link(const Node& node, const std::string& path, Context& ctx);
  // Streams `path` and records sha256 and bytes; false (and the node failed or skipped) when it could not.
  bool digest_into(const std::string& path, Context& ctx, std::string& hex, std::uint64_t& bytes);
  void check_verify_manifest(const Node& node, const std::string& hex, Context& ctx);

  std::string root_;
  FollowLinks follow_;
  std::string real_root_;  // root_ with its links resolved; found on the first symlink
  std::string manifest_path_;                             // "" without verify
  std::vector<ChecksumEntry> manifest_;                   // in file order
  std::unordered_map<std::string, std::size_t> by_path_;  // path -> index into manifest_
  std::vector<char> buffer_;                              // one read's worth, reused across files
};

}  // namespace ramify
