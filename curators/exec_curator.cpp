#include "curators/exec_curator.hpp"

#include <optional>

#include "curators/process_runner.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

bool known_placeholder(const std::string& name, const JobSpec& spec) {
  if (name.rfind("input:", 0) == 0) return spec.find("inputs", name.substr(6)).has_value();
  return name == "path" || name == "id" || name == "label" || name == "level" || name == "parent";
}

}  // namespace

ExecCurator::ExecCurator(const JobSpec& spec)
    : timeout_(spec.exec_timeout()), retries_(parse_count(spec.get("job", "retries"), "job.retries")) {
  if (!spec.get("job", "skip_exit").empty())
    skip_exit_ = static_cast<int>(parse_count(spec.get("job", "skip_exit"), "job.skip_exit"));
  for (const auto& entry : spec.section("exec")) {
    const std::string& level = entry.first;
    const std::string& text = entry.second;
    CommandTemplate command = [&] {
      try {
        return CommandTemplate::parse(text);
      } catch (const ConfigError& e) {
        throw ConfigError(spec.where("exec", level) + "[exec] " + level + ": " + e.what());
      }
    }();
    for (const auto& name : command.placeholders())
      if (!known_placeholder(name, spec))
        throw ConfigError(spec.where("exec", level) + "[exec] " + level + ": unknown placeholder {" + name +
                          "} (known: {path} {id} {label} {level} {parent} {input:NAME} for an [inputs] NAME)");
    templates_.emplace(level, std::move(command));
  }
}

const CommandTemplate* ExecCurator::template_for(const Node& node) const {
  auto it = templates_.find(node.level);
  return it == templates_.end() ? nullptr : &it->second;
}

bool ExecCurator::validate(const Node& node, Context& ctx) {
  if (template_for(node)) return true;
  ctx.skip("no [exec] command for level " + node.level);
  return false;
}

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
    if (name.rfind("input:", 0) == 0) return ctx.input_path(name.substr(6));
    return std::nullopt;
  };
  ProcessOptions options;
  options.argv = command->expand(lookup);
  options.extra_env = {"RAMIFY_PATH=" + path, "RAMIFY_ID=" + node.id, "RAMIFY_LEVEL=" + node.level,
                       "RAMIFY_LABEL=" + node.label, "RAMIFY_PARENT=" + node.parent};
  options.timeout = timeout_;
  options.cancel_fd = ctx.cancel_fd();

  for (std::uint64_t attempt = 0;; ++attempt) {
    std::string last_stderr;
    ProcessResult result = run_process(options, [&](bool is_stderr, std::string_view line) {
      if (is_stderr) {
        last_stderr = std::string(line);
        ctx.log(Severity::warning, line);
      } else {
        ctx.log(Severity::info, line);
      }
    });
    const bool exited = result.end == ProcessResult::End::exited;
    if (exited && result.exit_code == 0) return;
    if (exited && skip_exit_ && result.exit_code == *skip_exit_) {
      ctx.skip(options.argv.front() + ": exit code " + std::to_string(result.exit_code) + " (skip_exit)" +
               (last_stderr.empty() ? "" : " (" + last_stderr + ")"));
      return;
    }
    std::string error = result.end == ProcessResult::End::spawn_failed
                            ? result.describe()
                            : options.argv.front() + ": " + result.describe();
    if (!last_stderr.empty() && exited) error += " (" + last_stderr + ")";
    const bool retriable = result.end != ProcessResult::End::cancelled && !ctx.cancelled();
    if (attempt < retries_ && retriable) {
      ctx.warn(error + "; trying again (" + std::to_string(attempt + 1) + " of " + std::to_string(retries_) + ")");
      continue;
    }
    ctx.fail(error);
    return;
  }
}

}  // namespace ramify
