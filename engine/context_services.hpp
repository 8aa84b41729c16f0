#pragma once
// What a NodeContext needs from its surroundings, as small interfaces: where
// its records go, and where the job's shared inputs are.

#include <string>

#include "protocol/log_record.hpp"

namespace ramify {

// Takes the records a context produces: a slot's RecordBuffer on a worker, a
// plain list on the broker (finalize_run).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void add(LogRecord record) = 0;
};

// Gives the local path of a shared input ([inputs] NAME = path).
class InputProvider {
 public:
  virtual ~InputProvider() = default;
  virtual std::string input_path(const std::string& name) = 0;
};

}  // namespace ramify
