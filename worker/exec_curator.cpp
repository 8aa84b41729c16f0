#include "worker/exec_curator.hpp"

#include <optional>

#include "common/errors.hpp"
#include "worker/process_runner.hpp"

namespace ramify {
namespace {

bool known_placeholder(const std::string& name) {
  return name == "path" || name == "id" || name == "label" || name == "level" || name == "parent";
}

}  // namespace

ExecCurator::ExecCurator(const JobSpec& spec) : timeout_(spec.exec_timeout()) {
  for (const auto& [level, text] : spec.section("exec")) {
    CommandTemplate command = [&] {
      try {
        return CommandTemplate::parse(text);
      } catch (const ConfigError& e) {
        throw ConfigError("[exec] " + level + ": " + e.what());
      }
    }();
    for (const auto& name : command.placeholders())
      if (!known_placeholder(name))
        throw ConfigError("[exec] " + level + ": unknown placeholder {" + name +
                          "} (known: {path} {id} {label} {level} {parent})");
    templates_.emplace(level, std::move(command));
  }
}

const CommandTemplate* ExecCurator::template_for(const Node& node) const {
  auto it = templates_.find(node.level);
  return it == templates_.end() ? nullptr : &it->second;
}

bool ExecCurator::validate(const Node& node, Context& /*ctx*/) { return template_for(node) != nullptr; }

void ExecCurator::curate(const Node& node, Context& ctx) {
  const CommandTemplate* command = template_for(node);
  if (!command) return;
  const std::string path = ctx.local_path(node);
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "path") return path;
    if (name == "id") return node.id;
    if (name == "label") return node.label;
    if (name == "level") return node.level;
    if (name == "parent") return node.parent;
    return std::nullopt;
  };
  ProcessOptions options;
  options.argv = command->expand(lookup);
  options.extra_env = {"RAMIFY_PATH=" + path, "RAMIFY_ID=" + node.id, "RAMIFY_LEVEL=" + node.level,
                       "RAMIFY_LABEL=" + node.label, "RAMIFY_PARENT=" + node.parent};
  options.timeout = timeout_;
  options.cancel_fd = ctx.cancel_fd();

  std::string last_stderr;
  ProcessResult result = run_process(options, [&](bool is_stderr, std::string_view line) {
    if (is_stderr) {
      last_stderr = std::string(line);
      ctx.log(Severity::warning, line);
    } else {
      ctx.log(Severity::info, line);
    }
  });
  if (result.end == ProcessResult::End::exited && result.exit_code == 0) return;
  std::string error = result.end == ProcessResult::End::spawn_failed ? result.describe()
                                                                     : options.argv.front() + ": " + result.describe();
  if (!last_stderr.empty() && result.end == ProcessResult::End::exited) error += " (" + last_stderr + ")";
  ctx.fail(error);
}

}  // namespace ramify
