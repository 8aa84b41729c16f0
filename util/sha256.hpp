#pragma once
// SHA-256 through OpenSSL's libcrypto, streamed.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ramify {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest as 64 lowercase hex digits; the object cannot be updated afterwards.
  std::string hex_digest();

 private:
  void* context_;  // EVP_MD_CTX
};

struct FileDigest {
  std::string hex;        // empty when `error` is set
  std::uint64_t bytes = 0;
  std::string error;      // why the file could not be read, or "cancelled"
};

// Streams an open file through SHA-256, `buffer.size()` bytes a read (never
// the whole file in memory); `cancelled`, when given, is asked before each
// read, and a yes ends it with the error "cancelled".
FileDigest sha256_fd(int fd, std::vector<char>& buffer, const std::function<bool()>& cancelled);
// The same for the file at `path`, in 1 MiB reads.
FileDigest sha256_file(const std::string& path);

}  // namespace ramify
