#include "curators/exec_curator.hpp"

#include <optional>

#include "curators/process_runner.hpp"
#include "spec/name_globs.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

bool known_placeholder(const std::string& name, const JobSpec& spec) {
  if (name.rfind("input:", 0) == 0) return spec.find("inputs", name.substr(6)).has_value();
  return name == "path" || name == "id" || name == "label" || name == "level" || name == "parent";
}

// What the command used, as typed fields of its node (the last attempt's,
// when it is tried again).
void record_usage(const ProcessResult& result, Context& ctx) {
  if (result.end == ProcessResult::End::exited) ctx.record("exit_status", result.exit_code);
  if (result.end == ProcessResult::End::signaled) ctx.record("exit_signal", signal_name(result.signal));
  if (!result.usage.known) return;
  ctx.record("cpu_user_seconds", result.usage.user_seconds);
  ctx.record("cpu_system_seconds", result.usage.system_seconds);
  ctx.record("max_rss_bytes", result.usage.max_rss_bytes);
  ctx.record("read_bytes", result.usage.read_bytes);
  ctx.record("write_bytes", result.usage.write_bytes);
}

}  // namespace

ExecCurator::ExecCurator(const JobSpec& spec)
    : timeout_(spec.exec_timeout()), retries_(parse_count(spec.get("job", "retries"), "job.retries")) {
  if (!spec.get("job", "skip_exit").empty())
    skip_exit_ = static_cast<int>(parse_count(spec.get("job", "skip_exit"), "job.skip_exit"));
  for (const auto& entry : spec.section("exec")) {
    const std::string& key = entry.first;
    const std::string& text = entry.second;  // named, not bound: clang 14 cannot capture a structured binding
    const std::string where = spec.where("exec", key) + "[exec] " + key;
    CommandTemplate command = [&] {
      try {
        return CommandTemplate::parse(text);
      } catch (const ConfigError& e) {
        throw ConfigError(where + ": " + e.what());
      }
    }();
    for (const auto& name : command.placeholders())
      if (!known_placeholder(name, spec))
        throw ConfigError(where + ": unknown placeholder {" + name +
                          "} (known: {path} {id} {label} {level} {parent} {input:NAME} for an [inputs] NAME)");
    const auto colon = key.find(':');
    LevelCommands& level = commands_[key.substr(0, colon)];
    if (colon == std::string::npos)
      level.any_name = std::move(command);
    else
      level.by_name.push_back({key, parse_name_globs(key.substr(colon + 1), where), std::move(command)});
  }
}

const CommandTemplate* ExecCurator::template_for(const Node& node, std::string* why, bool* ambiguous) const {
  auto it = commands_.find(node.level);
  if (it == commands_.end()) {
    if (why) *why = "no [exec] command for level " + node.level;
    return nullptr;
  }
  const LevelCommands& level = it->second;
  const PatternCommand* match = nullptr;
  for (const PatternCommand& candidate : level.by_name) {
    if (!matches_any_glob(candidate.globs, node.label)) continue;
    if (match) {
      if (why) *why = "'" + node.label + "' matches both [exec] " + match->key + " and " + candidate.key +
                      ": patterns of one level must not overlap";
      if (ambiguous) *ambiguous = true;
      return nullptr;
    }
    match = &candidate;
  }
  if (match) return &match->command;
  if (level.any_name) return &*level.any_name;
  if (why) {
    std::vector<std::string> keys;
    for (const PatternCommand& candidate : level.by_name) keys.push_back(candidate.key);
    *why = "no [exec] command for '" + node.label + "': it matches none of " + join(keys, ", ");
  }
  return nullptr;
}

bool ExecCurator::validate(const Node& node, Context& ctx) {
  std::string why;
  bool ambiguous = false;
  if (template_for(node, &why, &ambiguous) || ambiguous) return true;  // curate() fails an ambiguous node
  ctx.skip(why);
  return false;
}

void ExecCurator::curate(const Node& node, Context& ctx) {
  std::string why;
  const CommandTemplate* command = template_for(node, &why);
  if (!command) {
    ctx.fail(why);
    return;
  }
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
    record_usage(result, ctx);
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
