#pragma once
// The curator interface: what a built-in curator or a plugin implements, and
// the context through which it talks to the engine. A curator object belongs
// to one slot and is never called from two threads at once.
//
// A plugin is a shared library that defines one Curator class and exports it
// with RAMIFY_CURATOR_PLUGIN(ClassName); `[job] curator = plugin` and
// `[job] plugin = /path/libx.so` load it on every worker (and on the broker,
// for finalize_run). Build it against this header only.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <istream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ramify/node.hpp"

namespace ramify {

// Bumped whenever this header changes. A ramify loads plugins built for any
// version from kOldestCuratorAbiVersion on: a version only appends virtual
// functions to Context, so an older plugin never calls what it does not know.
//   1: the first.
//   2: Context::record_field and Context::log_fields_about (typed fields).
inline constexpr int kCuratorAbiVersion = 2;
inline constexpr int kOldestCuratorAbiVersion = 1;

enum class Severity : unsigned char { debug = 0, info = 1, warning = 2, error = 3 };
enum class Status : unsigned char { ok = 0, failed = 1, skipped = 2 };

// Per-subtree state: copied from a node to each of its children before the
// child is visited, so siblings never see each other's changes. It also
// flows from a container above the partition level to the assignments below it.
using Data = std::map<std::string, std::string>;

// The keys of the job spec's [curator] section.
using CuratorOptions = std::map<std::string, std::string>;

// How the report writes a structured field's value: a JSON string, number or boolean.
enum class FieldType : unsigned char { text = 0, integer = 1, real = 2, boolean = 3 };

// One structured field: its key, its value as text (a number in decimal,
// a boolean as true or false) and its type.
struct Field {
  std::string key;
  std::string value;
  FieldType type = FieldType::text;
  bool operator==(const Field&) const = default;
};

// A field from a number or a bool (what Context::record(key, number) records).
// A real that is not finite (NaN, infinity) has no JSON number: it is text.
template <class T>
  requires std::is_arithmetic_v<T>
Field make_field(std::string_view key, T value) {
  if constexpr (std::is_same_v<T, bool>) {
    return Field{std::string(key), value ? "true" : "false", FieldType::boolean};
  } else {
    char text[64];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    FieldType type = FieldType::integer;
    if constexpr (std::is_floating_point_v<T>) type = std::isfinite(value) ? FieldType::real : FieldType::text;
    return Field{std::string(key), std::string(text, end), type};
  }
}

// What a curator sees of the engine while it handles one node (or, without a
// node, in finalize() and finalize_run()).
class Context {
 public:
  virtual ~Context() = default;

  // A log record tagged with the current node.
  virtual void log(Severity severity, std::string_view message) = 0;
  // A finding: an error record with `err` set and resolved = false.
  virtual void finding(std::string_view error) = 0;
  // A log record about another node than the current one, with structured
  // fields (in finalize_run: roll-ups per container, for example).
  virtual void log_about(const Node& node, Severity severity, std::string_view message,
                         const std::vector<std::pair<std::string, std::string>>& fields) = 0;
  // A structured field on the current node's outcome row (a digest, a
  // name...), written as a JSON string; record(key, number) below writes a number.
  virtual void record(std::string_view key, std::string_view value) = 0;
  // Marks the current node failed (the first call's error is kept).
  virtual void fail(std::string_view error) = 0;
  // Marks the current node skipped.
  virtual void skip(std::string_view reason) = 0;

  // The chain above the current node: the hierarchy's root first, the parent last.
  virtual const std::vector<Node>& ancestors() const = 0;
  // The children of the current node, in visiting order (empty for a file).
  virtual const std::vector<Node>& children() const = 0;
  // The current node's copy of the per-subtree data.
  virtual Data& data() = 0;
  // A key of the job spec's [curator] section, or `fallback`.
  virtual std::string option(std::string_view key, std::string_view fallback = {}) const = 0;
  // Where the node lives on this machine's file system ("" when the source has no files).
  virtual std::string local_path(const Node& node) const = 0;
  // A local copy of the shared input NAME ([inputs] NAME = path), fetched from
  // the broker once per worker. Throws std::runtime_error for an unknown name.
  virtual std::string input_path(std::string_view name) = 0;

  // True once the run is being aborted: stop promptly.
  virtual bool cancelled() const = 0;
  // A descriptor that becomes readable when the run is aborted, for poll().
  virtual int cancel_fd() const = 0;

  // ---- ABI 2: appended, so that plugins built for ABI 1 keep working ----

  // A typed structured field on the current node's outcome row.
  virtual void record_field(Field field) = 0;
  // log_about() with typed fields.
  virtual void log_fields_about(const Node& node, Severity severity, std::string_view message,
                                const std::vector<Field>& fields) = 0;

  // A number (or a bool) on the current node's outcome row, written as a JSON
  // number (or true / false): ctx.record("bytes", size), ctx.record("ratio", 0.5).
  template <class T>
    requires std::is_arithmetic_v<T>
  void record(std::string_view key, T value) {
    record_field(make_field(key, value));
  }

  void info(std::string_view message) { log(Severity::info, message); }
  void warn(std::string_view message) { log(Severity::warning, message); }
  void error(std::string_view message) { log(Severity::error, message); }
  // Opens a shared input; every call has its own stream, so readers never
  // trip over each other. Throws std::runtime_error when it cannot be opened.
  std::unique_ptr<std::istream> open_input(std::string_view name);
};

// What the broker knows of one assignment when the run ends.
struct AssignmentResult {
  Node root;
  std::vector<Node> ancestors;  // the hierarchy's root first
  bool shallow = false;         // the root and its files only (a container above the partition level)
  std::vector<std::pair<std::string, std::string>> fields;  // recorded on the root's outcome
};

// The hooks of a curator, called by the walker for every node of an assignment.
class Curator {
 public:
  virtual ~Curator() = default;
  // True: neither the node nor anything below it is visited (its outcome is "skipped").
  virtual bool prune(const Node& /*node*/, Context& /*ctx*/) { return false; }
  // False: the node itself is not curated (outcome "skipped"); its children still are.
  // Call ctx.skip(reason) first to say why (else: "not curated: validate() declined the node").
  virtual bool validate(const Node& /*node*/, Context& /*ctx*/) { return true; }
  // Curates one node. Throwing marks the node failed with the exception's message.
  virtual void curate(const Node& node, Context& ctx) = 0;
  // Called for a container once everything below it in the assignment was
  // visited (post-order). Fields recorded here go out in one row tagged with
  // the container (subtree totals, say); on an assignment's root they are
  // also what the broker's finalize_run sees for that assignment.
  virtual void leave(const Node& /*node*/, Context& /*ctx*/) {}
  // Called once per slot after its last assignment.
  virtual void finalize(Context& /*ctx*/) {}
  // Called once per run, on the broker, when every assignment is done: for
  // results that need all of them (roll-ups, what is missing). Records logged
  // here go to the report; ctx.fail() fails the run.
  virtual void finalize_run(const std::vector<AssignmentResult>& /*results*/, Context& /*ctx*/) {}
};

inline std::unique_ptr<std::istream> Context::open_input(std::string_view name) {
  auto stream = std::make_unique<std::ifstream>(input_path(name), std::ios::binary);
  if (!*stream) throw std::runtime_error("cannot open input '" + std::string(name) + "'");
  return stream;
}

}  // namespace ramify

// The symbols a plugin exports (see RAMIFY_CURATOR_PLUGIN).
extern "C" {
using ramify_abi_version_fn = int();
using ramify_create_curator_fn = ramify::Curator*(const ramify::CuratorOptions* options);
using ramify_destroy_curator_fn = void(ramify::Curator* curator);
}

// Exports `Class` (constructible from `const ramify::CuratorOptions&`) as a plugin.
// The symbols stay visible even in a library built with -fvisibility=hidden.
#define RAMIFY_CURATOR_PLUGIN(Class)                                                              \
  extern "C" __attribute__((visibility("default"))) int ramify_curator_abi_version() {             \
    return ramify::kCuratorAbiVersion;                                                            \
  }                                                                                               \
  extern "C" __attribute__((visibility("default"))) ramify::Curator* ramify_create_curator(        \
      const ramify::CuratorOptions* options) {                                                    \
    return new Class(*options);                                                                   \
  }                                                                                               \
  extern "C" __attribute__((visibility("default"))) void ramify_destroy_curator(ramify::Curator* curator) { \
    delete curator;                                                                               \
  }
