#pragma once
// The embedded module `ramify` that Python curators import: `Curator` (their
// base class), `Node`, `Context` and the capture of print(). Internal to the
// python curator (curators/python_curator.cpp).

#include <pybind11/pybind11.h>

#include <string>

#include "ramify/curator.hpp"

namespace ramify::python {

// A node as Python sees it: the node and where it lives on this machine.
struct NodeView {
  Node node;
  std::string path;  // "" when the source has no files (None in Python)
};

NodeView view_of(const Node& node, Context& ctx);

// A hook's `ctx`. It is valid while its hook runs: `engine` is null
// afterwards, and a call then raises RuntimeError.
struct HookContext {
  Context* engine = nullptr;
  const CuratorOptions* options = nullptr;
  bool has_node = false;  // false in finalize() and finalize_run()
  pybind11::dict data;    // the node's copy of the per-subtree data
};

// Where print() and writes to sys.stderr go while a hook runs: the node's
// log (info, and warning for stderr); null: this process's standard error.
// Setting it flushes a partial line left by the previous hook.
void set_output_target(Context* engine);

// Makes `ramify` importable and points sys.stdout and sys.stderr at the
// capture. Called once, with the interpreter's lock held.
void install_api();

}  // namespace ramify::python
