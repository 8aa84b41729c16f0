#pragma once
// The worker's copies of the job's shared inputs ([inputs] NAME = path). The
// first slot that asks for an input fetches it from the broker's config
// service in chunks, checks its SHA-256 and keeps it in the worker's private
// folder; every later request on this worker gets the same local path.

#include <zmq.hpp>

#include "engine/context_services.hpp"
#include "net/sockets.hpp"

#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <string>

namespace ramify {

class InputCache : public InputProvider {
 public:
  // `names` are the inputs the job declares; files go into a new private folder.
  InputCache(zmq::context_t& context, std::string config_endpoint, std::string worker_id, std::set<std::string> names,
             std::optional<CurveSettings> curve = std::nullopt);
  ~InputCache() override;  // removes the folder
  InputCache(const InputCache&) = delete;
  InputCache& operator=(const InputCache&) = delete;

  // Thread-safe. Throws std::runtime_error for an unknown input or a failed fetch.
  std::string path(const std::string& name);
  std::string input_path(const std::string& name) override { return path(name); }
  // How many inputs this worker fetched from the broker.
  std::size_t fetched() const;

 private:
  std::string fetch(const std::string& name);

  zmq::context_t& context_;
  std::string endpoint_;
  std::string worker_id_;
  std::set<std::string> names_;
  std::optional<CurveSettings> curve_;
  std::string folder_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> paths_;
};

}  // namespace ramify
