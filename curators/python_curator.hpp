#pragma once
// `curator = python`: a Python class with HierarchyCurator-style hooks,
// `[python] module = PATH.py`, `class = Curator`. Hooks, all optional, take
// (node, ctx): prune_<level>/prune, validate_<level>/validate,
// curate_<level>/curate, leave_<level>/leave (the level's own wins), then
// finalize(ctx) and, on the broker, finalize_run(results, ctx). The embedded
// module `ramify` (curators/python_api.cpp) gives the class its base and
// the Node and Context types. An exception in a hook fails the node with
// "Type: message", its traceback an error record; print() output becomes
// info records (stderr: warnings).
//
// The interpreter starts in the process that first builds one of these: a
// slot process (never the fork server: python slots are processes, one
// interpreter each, so they run in parallel), the broker, `ramify run`.

#include <memory>
#include <string>
#include <vector>

#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class PythonCurator : public Curator {
 public:
  // file: the module is read from [python] module now, and a module that does
  // not load or lacks the class is a ConfigError with Python's error in one
  // line (the broker, `ramify run`). shared_input: it is read from the worker's
  // copy of the broker's (kPythonModuleInput), at the first hook.
  enum class ModuleFrom { file, shared_input };
  PythonCurator(const JobSpec& spec, ModuleFrom from);
  ~PythonCurator() override;

  bool prune(const Node& node, Context& ctx) override;
  bool validate(const Node& node, Context& ctx) override;
  void curate(const Node& node, Context& ctx) override;
  void leave(const Node& node, Context& ctx) override;
  void finalize(Context& ctx) override;
  void finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) override;

 private:
  struct State;  // the interpreter's objects: pybind11 stays out of this header
  std::unique_ptr<State> state_;
};

}  // namespace ramify
