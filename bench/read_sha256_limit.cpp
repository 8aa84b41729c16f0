// The checksum limit through read(): every regular file under a folder
// read() into a buffer and hashed with OpenSSL's SHA-256, files shared out
// between THREADS threads, no other work. Prints the seconds taken.
// Usage: read-sha256-limit FOLDER THREADS
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: read-sha256-limit FOLDER THREADS\n");
    return 2;
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1]))
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  std::atomic<std::size_t> next{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < std::stoi(argv[2]); ++t) {
    threads.emplace_back([&] {
      std::vector<char> buffer(1 << 20);
      EVP_MD_CTX* context = EVP_MD_CTX_new();
      for (std::size_t i; (i = next++) < files.size();) {
        const int fd = open(files[i].c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
        for (ssize_t n; (n = read(fd, buffer.data(), buffer.size())) > 0;) EVP_DigestUpdate(context, buffer.data(), n);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(context, digest, &length);
        close(fd);
      }
      EVP_MD_CTX_free(context);
    });
  }
  for (auto& thread : threads) thread.join();
  std::printf("%.3f\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}
