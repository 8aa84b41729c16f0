#pragma once
// Typed errors for what comes from the outside world.

#include <stdexcept>
#include <string>

namespace ramify {

// A job spec, command line or input that cannot be used (exit status 2).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A message that is truncated, malformed, oversized or of an unknown version.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A hierarchy source that cannot be read (missing root, unreadable manifest).
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A peer that did not answer in time.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file a daemon writes (the report, the journal) failed: a full disk, an
// I/O error. A runtime failure of the run (exit status 1), never a usage error.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ramify
