#include "broker/input_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/errors.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

namespace ramify {

InputStore::InputStore(const JobSpec& spec) {
  for (const auto& [name, path] : spec.shared_inputs()) {
    FileDigest digest = sha256_file(trim(path));
    if (!digest.error.empty()) throw ConfigError("[inputs] " + name + ": cannot read " + path + ": " + digest.error);
    inputs_[name] = Input{trim(path), digest.bytes, digest.hex};
  }
}

InputChunk InputStore::chunk(const std::string& name, std::uint64_t offset) const {
  auto it = inputs_.find(name);
  if (it == inputs_.end()) throw ConfigError("no input named '" + name + "'");
  const Input& input = it->second;
  if (offset > input.size) throw ConfigError("input '" + name + "': offset past the end");
  InputChunk chunk;
  chunk.name = name;
  chunk.size = input.size;
  chunk.sha256 = input.sha256;
  chunk.offset = offset;
  chunk.bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kInputChunkBytes, input.size - offset)));
  const int fd = open(input.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError("input '" + name + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < chunk.bytes.size()) {
    ssize_t n = pread(fd, chunk.bytes.data() + done, chunk.bytes.size() - done, static_cast<off_t>(offset + done));
    if (n <= 0) {
      close(fd);
      throw ConfigError("input '" + name + "' changed or cannot be read while it is served");
    }
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  return chunk;
}

}  // namespace ramify
