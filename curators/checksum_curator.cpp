#include "curators/checksum_curator.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "curators/annex_key.hpp"
#include "util/errors.hpp"
#include "util/link_target.hpp"
#include "util/sha256.hpp"

namespace ramify {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHexDigits = 64;
constexpr std::size_t kReadSize = std::size_t{1} << 20;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Undoes sha256sum's escaping of a name (\\, \n and, since coreutils 9, \r);
// nullopt for any other escape or a trailing backslash.
std::optional<std::string> unescape(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '\\') {
      out += name[i];
      continue;
    }
    if (++i == name.size()) return std::nullopt;
    switch (name[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

// A folder path without the trailing separator lexically_normal() keeps ("/a/b/" -> "/a/b").
fs::path without_trailing_slash(fs::path path) {
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  return path;
}

// The root as the manifest may spell it in absolute paths: lexically, and with symlinks resolved.
std::vector<fs::path> absolute_roots(const std::string& root) {
  std::vector<fs::path> roots;
  std::error_code ec;
  fs::path lexical = fs::absolute(root, ec);
  if (!ec) roots.push_back(without_trailing_slash(lexical.lexically_normal()));
  fs::path canonical = fs::weakly_canonical(root, ec);
  if (!ec && (roots.empty() || canonical != roots.front())) roots.push_back(without_trailing_slash(canonical));
  return roots;
}

bool escapes_root(const fs::path& relative) { return relative.empty() || relative == "." || *relative.begin() == ".."; }

// `name` as a node id (relative to the root, normalised), or an error message.
std::string relative_path(const std::string& name, const std::vector<fs::path>& roots, std::string& error) {
  fs::path path = fs::path(name).lexically_normal();
  if (!path.has_filename()) {
    error = "'" + name + "' names a folder, not a file";
    return {};
  }
  if (path.is_absolute()) {
    for (const auto& root : roots) {
      fs::path relative = path.lexically_relative(root);
      if (!escapes_root(relative)) return relative.generic_string();
    }
    error = "'" + name + "' is outside the job root";
    return {};
  }
  if (escapes_root(path)) {
    error = "'" + name + "' is outside the job root";
    return {};
  }
  return path.generic_string();
}

struct StreamedDigest {
  std::string hex;  // empty when cancelled or on error
  std::uint64_t bytes = 0;
  std::string error;  // why the file could not be read
  bool cancelled = false;
};

// Streams one regular file through SHA-256, `buffer.size()` bytes at a time,
// checking ctx.cancelled() before every read. Never follows a symlink and
// never blocks on a FIFO that replaced the file after it was listed.
StreamedDigest digest_file(const std::string& path, std::vector<char>& buffer, const Context& ctx) {
  StreamedDigest result;
  // O_NONBLOCK only matters for the non-regular files rejected just below.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    result.error = errno == ELOOP ? "it became a symlink" : std::strerror(errno);
    return result;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    result.error = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    result.error = "not a regular file";
  } else {
    bool cancelled = false;
    FileDigest digest = sha256_fd(fd, buffer, [&] { return cancelled = ctx.cancelled(); });
    result.cancelled = cancelled;
    if (!cancelled) {
      result.hex = std::move(digest.hex);
      result.bytes = digest.bytes;
      result.error = std::move(digest.error);
    }
  }
  close(fd);
  return result;
}

}  // namespace

std::vector<ChecksumEntry> read_checksum_manifest(const std::string& manifest_path, const std::string& root) {
  std::error_code ec;
  if (fs::is_directory(manifest_path, ec))
    throw ConfigError("[checksum] verify: cannot read " + manifest_path + ": it is a folder");
  std::ifstream in(manifest_path, std::ios::binary);
  if (!in) throw ConfigError("[checksum] verify: cannot read " + manifest_path + ": " + std::strerror(errno));

  const std::vector<fs::path> roots = absolute_roots(root);
  std::vector<ChecksumEntry> entries;
  std::unordered_map<std::string, std::size_t> seen;  // path -> index into entries
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    auto problem = [&](const std::string& what) {
      return ConfigError("[checksum] verify: " + manifest_path + ":" + std::to_string(number) + ": " + what);
    };
    std::string_view line = text;
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);

    const bool escaped = line.front() == '\\';
    if (escaped) line.remove_prefix(1);
    // <64 hex> then ' ' then ' ' (text) or '*' (binary), then the name.
    if (line.size() < kHexDigits + 3 || line[kHexDigits] != ' ' ||
        (line[kHexDigits + 1] != ' ' && line[kHexDigits + 1] != '*'))
      throw problem("malformed line (expected '<64 hex digits>  <path>' as sha256sum writes it)");
    ChecksumEntry entry;
    entry.line = number;
    for (std::size_t i = 0; i < kHexDigits; ++i) {
      if (!is_hex(line[i])) throw problem("malformed line: the digest is not 64 hex digits");
      entry.hex += lower(line[i]);
    }
    std::string name(line.substr(kHexDigits + 2));
    if (escaped) {
      auto unescaped = unescape(name);
      if (!unescaped) throw problem("malformed line: bad escape in the file name (only \\\\, \\n and \\r are known)");
      name = std::move(*unescaped);
    }
    std::string error;
    entry.path = relative_path(name, roots, error);
    if (!error.empty()) throw problem(error);

    auto [it, inserted] = seen.emplace(entry.path, entries.size());
    if (!inserted) {
      const ChecksumEntry& first = entries[it->second];
      if (first.hex != entry.hex)
        throw problem("'" + entry.path + "' is listed again with another digest (first on line " +
                      std::to_string(first.line) + ")");
      continue;
    }
    entries.push_back(std::move(entry));
  }
  if (in.bad()) throw ConfigError("[checksum] verify: cannot read " + manifest_path + ": " + std::strerror(errno));
  return entries;
}

ChecksumCurator::ChecksumCurator(const JobSpec& spec)
    : root_(spec.get("job", "root")), follow_(spec.follow_symlinks()), manifest_path_(spec.get("checksum", "verify")) {
  if (manifest_path_.empty()) return;
  if (root_.empty()) throw ConfigError("[checksum] verify needs [job] root: manifest paths are relative to it");
  manifest_ = read_checksum_manifest(manifest_path_, root_);
  by_path_.reserve(manifest_.size());
  for (std::size_t i = 0; i < manifest_.size(); ++i) by_path_.emplace(manifest_[i].path, i);
}

bool ChecksumCurator::validate(const Node& node, Context& ctx) {
  if (node.is_file) return true;
  ctx.skip("checksum curates files only");
  return false;
}

void ChecksumCurator::curate(const Node& node, Context& ctx) {
  if (!node.is_file) return;
  const std::string path = ctx.local_path(node);
  if (path.empty()) {
    ctx.fail("cannot read: the hierarchy source has no local file for this node");
    return;
  }
  if (node.attrs.count("symlink")) {
    curate_link(node, path, ctx);
    return;
  }
  std::string hex;
  std::uint64_t bytes = 0;
  if (digest_into(path, ctx, hex, bytes)) check_verify_manifest(node, hex, ctx);
}

void ChecksumCurator::curate_link(const Node& node, const std::string& path, Context& ctx) {
  if (follow_ == FollowLinks::none) {
    ctx.skip("symlink: not followed (follow_symlinks = none)");
    return;
  }
  const std::optional<AnnexKey> key = annex_key_of_link(node.attrs.at("symlink"));
  if (real_root_.empty()) real_root_ = real_folder(root_.empty() ? "/" : root_);
  const LinkTarget target = resolve_link(path, real_root_);
  switch (target.kind) {
    case LinkTarget::Kind::missing:
      if (key)
        ctx.skip("content not present (git annex get " + node.id + ")");
      else
        ctx.fail("cannot read: the symlink's target " + node.attrs.at("symlink") + " does not exist");
      return;
    case LinkTarget::Kind::unreadable:
      ctx.fail("cannot read the symlink's target: " + target.error);
      return;
    case LinkTarget::Kind::folder:
      ctx.skip("symlink to a folder: not followed");
      return;
    case LinkTarget::Kind::other:
      ctx.skip("symlink to something that is not a regular file");
      return;
    case LinkTarget::Kind::file:
      break;
  }
  if (!target.inside && follow_ != FollowLinks::all) {
    ctx.skip("symlink leaves the root: not followed (follow_symlinks = all follows it)");
    return;
  }
  std::string hex;
  std::uint64_t bytes = 0;
  if (!digest_into(target.real_path, ctx, hex, bytes)) return;
  if (key && key->size && *key->size != bytes) {
    ctx.fail("annex key mismatch: the key " + key->text + " says " + std::to_string(*key->size) +
             " bytes, the content has " + std::to_string(bytes));
    return;
  }
  if (key && !key->sha256.empty() && key->sha256 != hex) {
    ctx.fail("annex key mismatch: the key " + key->text + " says sha256 " + key->sha256 + ", the content's is " + hex);
    return;
  }
  check_verify_manifest(node, hex, ctx);
}

bool ChecksumCurator::digest_into(const std::string& path, Context& ctx, std::string& hex, std::uint64_t& bytes) {
  if (buffer_.empty()) buffer_.resize(kReadSize);
  StreamedDigest digest = digest_file(path, buffer_, ctx);
  if (digest.cancelled) {
    ctx.skip("cancelled");
    return false;
  }
  if (!digest.error.empty()) {
    ctx.fail("cannot read: " + digest.error);
    return false;
  }
  ctx.record("sha256", digest.hex);
  ctx.record("bytes", digest.bytes);
  hex = std::move(digest.hex);
  bytes = digest.bytes;
  return true;
}

void ChecksumCurator::check_verify_manifest(const Node& node, const std::string& hex, Context& ctx) {
  if (manifest_path_.empty()) return;
  auto it = by_path_.find(node.id);
  if (it == by_path_.end()) {
    ctx.fail("not in the verify manifest");
    return;
  }
  const std::string& expected = manifest_[it->second].hex;
  if (expected != hex) ctx.fail("sha256 mismatch: expected " + expected + ", got " + hex);
}

void ChecksumCurator::finalize_run(const std::vector<AssignmentResult>& /*results*/, Context& ctx) {
  if (manifest_path_.empty()) return;
  std::size_t missing = 0;
  for (const auto& entry : manifest_) {
    const std::string path = root_ + "/" + entry.path;
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) continue;
    const int error = errno;
    if (error != ENOENT && error != ENOTDIR) ctx.warn("cannot check " + path + ": " + std::strerror(error));
    ctx.finding("missing: " + entry.path + " (listed in " + manifest_path_ + ")");
    ++missing;
  }
  if (missing > 0) ctx.fail(std::to_string(missing) + " file(s) of the verify manifest are missing");
}

}  // namespace ramify
