#include "curators/python_curator.hpp"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "curators/python_api.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace py = pybind11;

namespace ramify {
namespace {

// The key of the engine's per-subtree data that holds ctx.data, pickled.
constexpr const char* kDataKey = "python";

// Starts the interpreter once per process, without its signal handlers (the
// daemons own SIGINT and SIGTERM), then lets go of its lock: every entry
// point below takes it (gil_scoped_acquire), from whichever thread calls.
void start_interpreter() {
  static bool started = false;
  if (started) return;
  started = true;
  py::initialize_interpreter(/*init_signal_handlers=*/false);
  python::install_api();
  PyEval_SaveThread();
}

// "ValueError: bad value", from a caught Python exception.
std::string one_line(const py::error_already_set& e) {
  std::string type = "Exception";
  std::string message;
  try {
    type = py::str(e.type().attr("__name__")).cast<std::string>();
    message = py::str(e.value()).cast<std::string>();
  } catch (const std::exception&) {
  }
  return message.empty() ? type : type + ": " + message;
}

// The traceback as Python prints it, without the last newline.
std::string traceback_text(const py::error_already_set& e) {
  try {
    py::object lines = py::module_::import("traceback").attr("format_exception")(e.type(), e.value(), e.trace());
    std::string text;
    for (const auto& line : lines) text += line.cast<std::string>();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  } catch (const std::exception&) {
    return one_line(e);
  }
}

std::string read_text(const std::string& path, const std::string& named) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("[python] module: cannot read " + named + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

struct PythonCurator::State {
  struct Hooks {
    py::object prune, validate, curate, leave;  // None when the class has none for the level
  };

  std::string module_path;  // as the spec names it: in messages and tracebacks
  std::string class_name;
  std::vector<std::string> sys_path;
  CuratorOptions options;
  py::object cls;       // the curator class, once the module is loaded
  py::object instance;  // built at the first hook
  std::string broken;   // why the module or the instance could not be made (a worker's nodes fail with it)
  std::map<std::string, Hooks> hooks;  // by level
  py::object dumps, loads;             // ctx.data to and from the engine's text
  // The last node's ctx.data, and the text it was read from or saved as:
  // the hooks of one node share one dict.
  std::string data_node;
  std::string data_text;
  py::object data;  // a dict; null until the first hook (a State is made before the interpreter starts)

  ~State() {
    py::gil_scoped_acquire gil;
    hooks.clear();
    cls = instance = dumps = loads = data = py::object();
  }

  // Loads the module from `local_path`; throws ConfigError with Python's error in one line.
  void load(const std::string& local_path) {
    try {
      py::module_ sys = py::module_::import("sys");
      py::list path = sys.attr("path");
      for (auto it = sys_path.rbegin(); it != sys_path.rend(); ++it) path.insert(0, *it);
      const std::filesystem::path named(module_path);
      if (std::filesystem::is_directory(named.parent_path())) path.insert(0, named.parent_path().string());
      const std::string source = read_text(local_path, module_path);
      py::module_ builtins = py::module_::import("builtins");
      py::object code = builtins.attr("compile")(py::bytes(source), module_path, "exec");
      const std::string name = named.stem().string();
      py::object module = py::module_::import("types").attr("ModuleType")(name);
      module.attr("__file__") = module_path;
      sys.attr("modules")[py::str(name)] = module;
      builtins.attr("exec")(code, module.attr("__dict__"));
      if (!py::hasattr(module, class_name.c_str()))
        throw ConfigError("[python] module " + module_path + " has no class '" + class_name + "' ([python] class)");
      cls = module.attr(class_name.c_str());
      if (!py::isinstance(cls, py::module_::import("builtins").attr("type")))
        throw ConfigError("[python] module " + module_path + ": '" + class_name + "' is not a class");
      py::dict helpers;
      py::exec(
          "import base64, pickle\n"
          "def dumps(d): return base64.b64encode(pickle.dumps(d, pickle.HIGHEST_PROTOCOL)).decode('ascii')\n"
          "def loads(s): return pickle.loads(base64.b64decode(s))\n",
          helpers);
      dumps = helpers["dumps"];
      loads = helpers["loads"];
    } catch (py::error_already_set& e) {
      throw ConfigError("[python] module " + module_path + ": " + one_line(e));
    }
  }

  // The instance, made at the first hook; throws std::runtime_error when it cannot be.
  void ready(Context& ctx) {
    if (!broken.empty()) throw std::runtime_error(broken);
    if (instance) return;
    try {
      if (!cls) load(ctx.input_path(kPythonModuleInput));
      instance = cls(py::cast(options));
    } catch (py::error_already_set& e) {
      broken = class_name + "(options): " + one_line(e);
      ctx.error(traceback_text(e));
      throw std::runtime_error(broken);
    } catch (const std::exception& e) {
      broken = e.what();
      throw;
    }
  }

  Hooks& hooks_for(const std::string& level) {
    auto it = hooks.find(level);
    if (it != hooks.end()) return it->second;
    auto find = [&](const std::string& hook) -> py::object {
      const std::string own = hook + "_" + level;
      if (py::hasattr(instance, own.c_str())) return instance.attr(own.c_str());
      if (py::hasattr(instance, hook.c_str())) return instance.attr(hook.c_str());
      return py::none();
    };
    return hooks.emplace(level, Hooks{find("prune"), find("validate"), find("curate"), find("leave")}).first->second;
  }

  py::dict data_of(const Node& node, Context& ctx) {
    const Data& engine_data = ctx.data();
    auto it = engine_data.find(kDataKey);
    const std::string text = it == engine_data.end() ? std::string() : it->second;
    if (!data || node.id != data_node || text != data_text) {
      data = text.empty() ? py::dict() : py::dict(loads(text));
      data_node = node.id;
      data_text = text;
    }
    return py::reinterpret_borrow<py::dict>(data);
  }

  void save_data(Context& ctx) {
    if (data_text.empty() && py::len(data) == 0) return;
    data_text = dumps(data).cast<std::string>();
    ctx.data()[kDataKey] = data_text;
  }

  // Calls hook(node, ctx) and returns what it returned. A Python exception
  // becomes an error record with its traceback and a std::runtime_error
  // "Type: message", which fails the node.
  py::object call(const py::object& hook, const Node& node, Context& ctx) {
    py::object context = py::cast(python::HookContext{&ctx, &options, true, data_of(node, ctx)});
    python::HookContext& hook_ctx = context.cast<python::HookContext&>();
    python::set_output_target(&ctx);
    try {
      py::object result = hook(python::view_of(node, ctx), context);
      python::set_output_target(nullptr);
      hook_ctx.engine = nullptr;
      save_data(ctx);
      return result;
    } catch (py::error_already_set& e) {
      python::set_output_target(nullptr);
      hook_ctx.engine = nullptr;
      ctx.error(traceback_text(e));
      throw std::runtime_error(one_line(e));
    }
  }

  // finalize(ctx) and finalize_run(results, ctx): no node.
  void call_without_node(const char* name, const py::object& results, Context& ctx) {
    if (!py::hasattr(instance, name)) return;
    py::object context = py::cast(python::HookContext{&ctx, &options, false, py::dict()});
    python::HookContext& hook_ctx = context.cast<python::HookContext&>();
    python::set_output_target(&ctx);
    try {
      if (results.is_none())
        instance.attr(name)(context);
      else
        instance.attr(name)(results, context);
    } catch (py::error_already_set& e) {
      python::set_output_target(nullptr);
      hook_ctx.engine = nullptr;
      ctx.error(traceback_text(e));
      throw std::runtime_error(std::string(name) + ": " + one_line(e));
    }
    python::set_output_target(nullptr);
    hook_ctx.engine = nullptr;
  }
};

PythonCurator::PythonCurator(const JobSpec& spec, ModuleFrom from) : state_(std::make_unique<State>()) {
  state_->module_path = spec.get("python", "module");
  state_->class_name = spec.get("python", "class");
  for (const auto& part : split(spec.get("python", "path"), ','))
    if (std::string folder = trim(part); !folder.empty()) state_->sys_path.push_back(std::move(folder));
  state_->options = spec.section("curator");
  start_interpreter();
  if (from == ModuleFrom::file) {
    py::gil_scoped_acquire gil;
    state_->load(state_->module_path);
  }
}

PythonCurator::~PythonCurator() = default;

bool PythonCurator::prune(const Node& node, Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);
  const py::object& hook = state_->hooks_for(node.level).prune;
  return !hook.is_none() && py::bool_(state_->call(hook, node, ctx));
}

bool PythonCurator::validate(const Node& node, Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);
  const py::object& hook = state_->hooks_for(node.level).validate;
  if (hook.is_none()) return true;
  py::object verdict = state_->call(hook, node, ctx);
  return verdict.is_none() || py::bool_(verdict);  // a hook that returns nothing accepts the node
}

void PythonCurator::curate(const Node& node, Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);
  const py::object& hook = state_->hooks_for(node.level).curate;
  if (!hook.is_none()) state_->call(hook, node, ctx);
}

void PythonCurator::leave(const Node& node, Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);
  const py::object& hook = state_->hooks_for(node.level).leave;
  if (!hook.is_none()) state_->call(hook, node, ctx);
}

void PythonCurator::finalize(Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);  // a slot that curated nothing still finalizes, as plugins do
  state_->call_without_node("finalize", py::none(), ctx);
}

void PythonCurator::finalize_run(const std::vector<AssignmentResult>& results, Context& ctx) {
  py::gil_scoped_acquire gil;
  state_->ready(ctx);
  py::object namespace_type = py::module_::import("types").attr("SimpleNamespace");
  py::list entries;
  for (const AssignmentResult& r : results) {
    py::list ancestors;
    for (const Node& node : r.ancestors) ancestors.append(python::view_of(node, ctx));
    py::dict fields;
    for (const auto& [key, value] : r.fields) fields[py::str(key)] = value;
    entries.append(namespace_type(py::arg("root") = python::view_of(r.root, ctx), py::arg("ancestors") = ancestors,
                                  py::arg("shallow") = r.shallow, py::arg("fields") = fields));
  }
  state_->call_without_node("finalize_run", entries, ctx);
}

}  // namespace ramify
