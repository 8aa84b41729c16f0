#pragma once
// The job's shared inputs ([inputs] NAME = path) on the broker: each file's
// size and SHA-256, and its bytes in chunks for the config service.

#include <cstdint>
#include <map>
#include <string>

#include "protocol/messages.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class InputStore {
 public:
  // Reads every input once to digest it; throws ConfigError when one cannot be read.
  explicit InputStore(const JobSpec& spec);

  // The chunk at `offset` (the last one may be short); throws ConfigError for an
  // unknown name or an offset past the end.
  InputChunk chunk(const std::string& name, std::uint64_t offset) const;
  std::size_t size() const { return inputs_.size(); }

 private:
  struct Input {
    std::string path;
    std::uint64_t size = 0;
    std::string sha256;
  };
  std::map<std::string, Input> inputs_;
};

}  // namespace ramify
