#include "broker/assignment_digest.hpp"

#include <cstdint>
#include <string_view>

#include "hierarchy/memory_source.hpp"
#include "util/sha256.hpp"

namespace ramify {
namespace {

// Length-prefixed pieces, hashed in large blocks (one hash call per piece would cost more than the pieces).
class PieceHasher {
 public:
  void add(std::string_view piece) {
    const auto length = static_cast<std::uint32_t>(piece.size());
    buffer_.append(reinterpret_cast<const char*>(&length), sizeof length);
    buffer_.append(piece);
    if (buffer_.size() >= kBlock) flush();
  }
  std::string hex() {
    flush();
    return sha_.hex_digest();
  }

 private:
  static constexpr std::size_t kBlock = 1 << 16;
  void flush() {
    sha_.update(buffer_);
    buffer_.clear();
  }
  Sha256 sha_;
  std::string buffer_;
};

}  // namespace

std::string assignment_digest(const AssignmentSpec& assignment, const MemorySource& manifest,
                              const std::map<std::string, std::string>& level_stamps, const JobSpec& spec) {
  PieceHasher hasher;
  hasher.add("ramify assignment 1");
  for (const auto& [level, stamp] : level_stamps) {
    hasher.add(level);
    hasher.add(stamp);
  }
  hasher.add(spec.get("job", "stop_level"));
  for (const std::string& glob : spec.excluded_file_globs()) hasher.add(glob);
  for (const Node& ancestor : assignment.ancestors) hasher.add(ancestor.id);
  const bool shallow = assignment.kind == AssignmentKind::shallow;
  hasher.add(shallow ? "shallow" : "subtree");
  if (!manifest.describe(assignment.root.id, shallow, [&hasher](std::string_view piece) { hasher.add(piece); }))
    return "";
  return hasher.hex().substr(0, 32);  // 128 bits: enough against chance, and short in the finish
}

}  // namespace ramify
