#pragma once
// git-annex keys, as the names of the objects an annexed file links to
// (`.git/annex/objects/Xx/Yy/KEY/KEY`): BACKEND[-sSIZE][-mMTIME]...--NAME.
// For the SHA256 and SHA256E backends NAME is the content's SHA-256 (with
// SHA256E, followed by the file's extension), so hashing the content checks
// the key for free.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ramify {

struct AnnexKey {
  std::string text;                  // the whole key
  std::string backend;               // "SHA256E", "MD5E", "WORM", ...
  std::optional<std::uint64_t> size;  // from -sSIZE
  std::string sha256;                // 64 lowercase hex digits, for SHA256 and SHA256E keys; else ""
};

// The key a symlink target names, when it is a git-annex object path (a path
// with `annex/objects/` whose last name is a key); nullopt otherwise.
std::optional<AnnexKey> annex_key_of_link(std::string_view link_target);

// Parses one key; nullopt when `key` is not one.
std::optional<AnnexKey> parse_annex_key(std::string_view key);

}  // namespace ramify
