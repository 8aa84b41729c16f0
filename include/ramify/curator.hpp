#pragma once
// The curator interface: what a built-in curator or a plugin implements, and
// the context through which it talks to the engine. A curator object belongs
// to one slot and is never called from two threads at once.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ramify/node.hpp"

namespace ramify {

enum class Severity : unsigned char { debug = 0, info = 1, warning = 2, error = 3 };
enum class Status : unsigned char { ok = 0, failed = 1, skipped = 2 };

// Per-subtree state: copied from a node to each of its children before the
// child is visited, so siblings never see each other's changes.
using Data = std::map<std::string, std::string>;

// What a curator sees of the engine while it handles one node.
class Context {
 public:
  virtual ~Context() = default;

  // A log record tagged with the current node.
  virtual void log(Severity severity, std::string_view message) = 0;
  // A structured field on the current node's outcome row (digest, counts...).
  virtual void record(std::string_view key, std::string_view value) = 0;
  // Marks the current node failed (the first call's error is kept).
  virtual void fail(std::string_view error) = 0;
  // Marks the current node skipped.
  virtual void skip(std::string_view reason) = 0;

  // The chain above the current node: the hierarchy's root first, the parent last.
  virtual const std::vector<Node>& ancestors() const = 0;
  // The current node's copy of the per-subtree data.
  virtual Data& data() = 0;
  // A key of the job spec's [curator] section, or `fallback`.
  virtual std::string option(std::string_view key, std::string_view fallback = {}) const = 0;
  // Where the node lives on this worker's file system ("" when the source has no files).
  virtual std::string local_path(const Node& node) const = 0;

  // True once the run is being aborted: stop promptly.
  virtual bool cancelled() const = 0;
  // A descriptor that becomes readable when the run is aborted, for poll().
  virtual int cancel_fd() const = 0;

  void info(std::string_view message) { log(Severity::info, message); }
  void warn(std::string_view message) { log(Severity::warning, message); }
  void error(std::string_view message) { log(Severity::error, message); }
};

// The hooks of a curator, called by the walker for every node of an assignment.
class Curator {
 public:
  virtual ~Curator() = default;
  // False: the node itself is not curated (outcome "skipped"); its children still are.
  virtual bool validate(const Node& /*node*/, Context& /*ctx*/) { return true; }
  // True: neither the node nor anything below it is visited.
  virtual bool prune(const Node& /*node*/, Context& /*ctx*/) { return false; }
  // Curates one node. Throwing marks the node failed with the exception's message.
  virtual void curate(const Node& node, Context& ctx) = 0;
  // Called once per slot after its last assignment.
  virtual void finalize(Context& /*ctx*/) {}
};

}  // namespace ramify
