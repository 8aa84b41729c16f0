#pragma once
// SHA-256 through OpenSSL's libcrypto, streamed.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

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

// Streams a file through SHA-256 in 1 MiB reads (never the whole file in
// memory); `cancelled`, when given, is checked between reads.
FileDigest sha256_file(const std::string& path, const std::atomic<bool>* cancelled = nullptr);

}  // namespace ramify
