#include "curators/python_api.hpp"

#include <pybind11/embed.h>
#include <pybind11/stl.h>
#include <unistd.h>

#include <limits>

namespace py = pybind11;

namespace ramify::python {
namespace {

// The capture of print(): whole lines to the current hook's node.
struct Output {
  Severity severity;
  std::string partial;
};

Context* g_target = nullptr;
Output* g_outputs[2] = {nullptr, nullptr};  // stdout, stderr

void emit(Output& out, std::string_view line) {
  if (g_target) {
    g_target->log(out.severity, line);
  } else {
    std::string text = std::string(line) + "\n";
    ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
    (void)ignored;
  }
}

void write_text(Output& out, const std::string& text) {
  out.partial += text;
  std::size_t start = 0;
  for (std::size_t newline; (newline = out.partial.find('\n', start)) != std::string::npos; start = newline + 1)
    emit(out, std::string_view(out.partial).substr(start, newline - start));
  out.partial.erase(0, start);
}

void flush(Output& out) {
  if (out.partial.empty()) return;
  emit(out, out.partial);
  out.partial.clear();
}

Context& engine_of(HookContext& c) {
  if (!c.engine) throw std::runtime_error("this ctx belongs to a hook that has returned");
  return *c.engine;
}

py::object optional_text(const std::string& text) {
  return text.empty() ? py::object(py::none()) : py::object(py::str(text));
}

py::list views(const std::vector<Node>& nodes, Context& engine) {
  py::list out;
  for (const Node& node : nodes) out.append(view_of(node, engine));
  return out;
}

// ctx.record(key, value): str, int, float or bool, each kept as its JSON type.
void record(HookContext& c, const std::string& key, const py::handle& value) {
  Context& engine = engine_of(c);
  if (py::isinstance<py::bool_>(value)) {
    engine.record(key, value.cast<bool>());
  } else if (py::isinstance<py::int_>(value)) {
    const py::int_ number = py::reinterpret_borrow<py::int_>(value);
    if (number < py::int_(std::numeric_limits<std::int64_t>::min()) ||
        number > py::int_(std::numeric_limits<std::int64_t>::max()))
      engine.record(key, std::string_view(py::str(value).cast<std::string>()));  // too large for a JSON integer here
    else
      engine.record(key, value.cast<std::int64_t>());
  } else if (py::isinstance<py::float_>(value)) {
    engine.record(key, value.cast<double>());
  } else if (py::isinstance<py::str>(value)) {
    engine.record(key, std::string_view(value.cast<std::string>()));
  } else {
    throw py::type_error("record(" + key + ", value): value must be str, int, float or bool, not " +
                         py::str(value.get_type().attr("__name__")).cast<std::string>());
  }
}

// The base class, in Python: what `class Curator(ramify.Curator)` inherits.
const char* kCuratorBase = R"(
class Curator:
    """Base of a ramify curator. Every hook is optional and takes (node, ctx):
    prune[_LEVEL], validate[_LEVEL], curate[_LEVEL], leave[_LEVEL]; then
    finalize(ctx) once per slot and finalize_run(results, ctx) once per run."""

    def __init__(self, options):
        self.options = options
)";

}  // namespace

NodeView view_of(const Node& node, Context& ctx) { return NodeView{node, ctx.local_path(node)}; }

void set_output_target(Context* engine) {
  for (Output* out : g_outputs)
    if (out) flush(*out);
  g_target = engine;
}

PYBIND11_EMBEDDED_MODULE(ramify, m) {
  m.doc() = "ramify's API for Python curators";

  py::class_<NodeView>(m, "Node")
      .def_property_readonly("id", [](const NodeView& v) { return v.node.id; })
      .def_property_readonly("label", [](const NodeView& v) { return v.node.label; })
      .def_property_readonly("level", [](const NodeView& v) { return v.node.level; })
      .def_property_readonly("parent", [](const NodeView& v) { return optional_text(v.node.parent); })
      .def_property_readonly("path", [](const NodeView& v) { return optional_text(v.path); })
      .def_property_readonly("size", [](const NodeView& v) { return v.node.size; })
      .def_property_readonly("mtime", [](const NodeView& v) { return v.node.mtime; })
      .def_property_readonly("is_file", [](const NodeView& v) { return v.node.is_file; })
      .def_property_readonly("attrs", [](const NodeView& v) { return py::dict(py::cast(v.node.attrs)); })
      .def("__repr__", [](const NodeView& v) { return "<ramify.Node " + v.node.level + " " + v.node.id + ">"; });

  py::class_<HookContext>(m, "Context")
      .def_property_readonly("data", [](HookContext& c) { return c.data; })
      .def("info", [](HookContext& c, const std::string& msg) { engine_of(c).info(msg); })
      .def("warning", [](HookContext& c, const std::string& msg) { engine_of(c).warn(msg); })
      .def("error", [](HookContext& c, const std::string& msg) { engine_of(c).error(msg); })
      .def("record", &record)
      .def("finding", [](HookContext& c, const std::string& text) { engine_of(c).finding(text); })
      .def("fail", [](HookContext& c, const std::string& msg) { engine_of(c).fail(msg); })
      .def("skip", [](HookContext& c, const std::string& msg) { engine_of(c).skip(msg); })
      .def("ancestors",
           [](HookContext& c) {
             Context& engine = engine_of(c);
             return c.has_node ? views(engine.ancestors(), engine) : py::list();
           })
      .def("children",
           [](HookContext& c) {
             Context& engine = engine_of(c);
             return c.has_node ? views(engine.children(), engine) : py::list();
           })
      .def(
          "option",
          [](HookContext& c, const std::string& key, py::object fallback) -> py::object {
            engine_of(c);
            auto it = c.options->find(key);
            return it == c.options->end() ? fallback : py::str(it->second);
          },
          py::arg("key"), py::arg("default") = py::none())
      .def("input_path", [](HookContext& c, const std::string& name) { return engine_of(c).input_path(name); })
      .def("open_input",
           [](HookContext& c, const std::string& name) {
             const std::string path = engine_of(c).input_path(name);
             return py::module_::import("builtins").attr("open")(path, "rb");
           })
      .def_property_readonly("cancelled", [](HookContext& c) { return engine_of(c).cancelled(); });

  py::class_<Output>(m, "_Output")
      .def("write",
           [](Output& out, const std::string& text) {
             write_text(out, text);
             return text.size();
           })
      .def("flush", [](Output&) {})
      .def("isatty", [](Output&) { return false; });

  py::exec(kCuratorBase, m.attr("__dict__"));
}

void install_api() {
  py::module_ api = py::module_::import("ramify");
  py::module_ sys = py::module_::import("sys");
  static Output out{Severity::info, {}};
  static Output err{Severity::warning, {}};
  g_outputs[0] = &out;
  g_outputs[1] = &err;
  sys.attr("stdout") = py::cast(&out, py::return_value_policy::reference);
  sys.attr("stderr") = py::cast(&err, py::return_value_policy::reference);
}

}  // namespace ramify::python
