#include "worker/input_cache.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "net/config_client.hpp"
#include "util/logging.hpp"
#include "util/sha256.hpp"

namespace ramify {

InputCache::InputCache(zmq::context_t& context, std::string config_endpoint, std::string worker_id,
                       std::set<std::string> names, std::optional<CurveSettings> curve)
    : context_(context),
      endpoint_(std::move(config_endpoint)),
      worker_id_(std::move(worker_id)),
      names_(std::move(names)),
      curve_(std::move(curve)) {
  if (names_.empty()) return;
  std::string pattern = (std::filesystem::temp_directory_path() / "ramify-inputs-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a folder for the job's inputs");
  folder_ = pattern;
}

InputCache::~InputCache() {
  if (folder_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

std::string InputCache::path(const std::string& name) {
  std::lock_guard lock(mutex_);  // one fetch at a time; later readers wait for it, then share the copy
  auto it = paths_.find(name);
  if (it != paths_.end()) return it->second;
  if (!names_.count(name)) throw std::runtime_error("the job has no input '" + name + "' (see [inputs])");
  std::string local = fetch(name);
  paths_[name] = local;
  return local;
}

std::size_t InputCache::fetched() const {
  std::lock_guard lock(mutex_);
  return paths_.size();
}

std::string InputCache::fetch(const std::string& name) {
  ConfigClient client(context_, endpoint_, std::chrono::milliseconds(5000), 3, curve_, "broker");
  const std::string target = folder_ + "/" + name;
  const std::string partial = target + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + partial);
  Sha256 digest;
  std::uint64_t offset = 0, size = 0;
  std::string expected;
  do {
    InputChunk chunk = client.call<InputChunk>(InputRequest{kProtocolVersion, name, offset, worker_id_});
    if (chunk.offset != offset || chunk.name != name) throw std::runtime_error("input '" + name + "': chunks out of order");
    if (offset == 0) {
      size = chunk.size;
      expected = chunk.sha256;
    }
    if (chunk.bytes.empty() && offset < size) throw std::runtime_error("input '" + name + "': the broker sent an empty chunk");
    out.write(chunk.bytes.data(), static_cast<std::streamsize>(chunk.bytes.size()));
    digest.update(chunk.bytes);
    offset += chunk.bytes.size();
  } while (offset < size);
  out.close();
  if (!out) throw std::runtime_error("cannot write " + partial);
  const std::string actual = digest.hex_digest();
  if (actual != expected)
    throw std::runtime_error("input '" + name + "': SHA-256 " + actual + " does not match the broker's " + expected);
  std::filesystem::rename(partial, target);
  std::filesystem::permissions(target, std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                                           std::filesystem::perms::others_read);
  logger("worker")->info("worker {} fetched input '{}' ({} bytes, sha256 {})", worker_id_, name, size, actual.substr(0, 12));
  return target;
}

}  // namespace ramify
