#include "plan/plan_output.hpp"

#include <algorithm>
#include <cstdio>

#include "util/json_text.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, items[i]);
  }
  return out + "]";
}

// A JSON array of objects, each written by `write(JsonObject&, item)`.
template <typename Items, typename Write>
std::string json_objects(const Items& items, Write write) {
  std::string out = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    JsonObject object(out);
    write(object, item);
    object.close();
  }
  return out + "]";
}

}  // namespace

std::string plan_text(const JobPlan& plan) {
  std::size_t width = 8;
  for (const auto& level : plan.levels) width = std::max(width, level.name.size() + 2);
  std::string out = "ramify plan: " + plan.hierarchy + ", curator " + plan.curator + " (nothing is curated)\n";

  out += "levels (" + std::to_string(plan.nodes) + " nodes):\n";
  for (const auto& level : plan.levels) {
    out += "  " + padded(level.name, width) + right(std::to_string(level.nodes), 9);
    if (!level.examples.empty()) out += "   " + join(level.examples, ", ") + (level.nodes > level.examples.size() ? ", ..." : "");
    out += "\n";
  }

  out += "excluded (" + std::to_string(plan.excluded_count) + "):";
  out += plan.exclude_rules.empty() ? " nothing is left out\n" : " " + join(plan.exclude_rules, "; ") + "\n";
  for (const auto& path : plan.excluded) out += "  " + path + "\n";
  if (plan.excluded_count > plan.excluded.size())
    out += "  ... and " + std::to_string(plan.excluded_count - plan.excluded.size()) + " more\n";

  out += "assignments (" + std::to_string(plan.assignments.size()) + "):\n";
  for (std::size_t i = 0; i < plan.assignments.size() && i < kShownAssignments; ++i) {
    const PlannedAssignment& a = plan.assignments[i];
    out += "  #" + padded(std::to_string(a.id), 5) + padded(a.kind, 9) + padded(a.level, width) + right(std::to_string(a.nodes), 9) +
           " nodes  " + a.root + (a.after ? "  (after #" + std::to_string(*a.after) + ")" : "") + "\n";
  }
  if (plan.assignments.size() > kShownAssignments)
    out += "  ... and " + std::to_string(plan.assignments.size() - kShownAssignments) + " more (--json lists every one)\n";

  if (plan.rerun)
    out += "rerun (state " + plan.rerun->state + ", rerun = " + plan.rerun->mode + "): " +
           std::to_string(plan.rerun->curated) + " node(s) would be curated, " + std::to_string(plan.rerun->carried) +
           " carried over (cached), " + std::to_string(plan.rerun->gone) + " stored node(s) gone\n";
  out += "curation (" + plan.curator + "):\n";
  for (const auto& level : plan.levels) {
    for (std::size_t i = 0; i < level.curation.size(); ++i)
      out += "  " + padded(i == 0 ? level.name : "", width) + level.curation[i] + "\n";
  }
  if (!plan.warnings.empty()) {
    out += "warnings (" + std::to_string(plan.warnings.size()) + "):\n";
    for (const auto& warning : plan.warnings) out += "  " + warning + "\n";
  }
  return out;
}

std::string plan_json(const JobPlan& plan) {
  JsonObject root;
  root.field("hierarchy", plan.hierarchy).field("curator", plan.curator).field("nodes", plan.nodes);
  root.raw("levels", json_objects(plan.levels, [](JsonObject& o, const PlannedLevel& level) {
    o.field("name", level.name).field("nodes", level.nodes);
    o.raw("examples", json_strings(level.examples)).raw("curation", json_strings(level.curation));
  }));
  root.raw("containers", json_objects(plan.containers, [](JsonObject& o, const auto& container) {
    o.field("id", container.first).field("level", container.second);
  }));
  JsonObject excluded;
  excluded.raw("rules", json_strings(plan.exclude_rules)).field("count", plan.excluded_count);
  excluded.raw("paths", json_strings(plan.excluded));
  root.raw("excluded", excluded.str());
  root.raw("assignments", json_objects(plan.assignments, [](JsonObject& o, const PlannedAssignment& a) {
    o.field("id", a.id).field("kind", a.kind).field("root", a.root).field("level", a.level).field("nodes", a.nodes);
    o.raw("after", a.after ? std::to_string(*a.after) : "null");
  }));
  root.raw("warnings", json_strings(plan.warnings));
  if (plan.rerun) {
    JsonObject rerun;
    rerun.field("state", plan.rerun->state).field("mode", plan.rerun->mode).field("curate", plan.rerun->curated);
    rerun.field("carry", plan.rerun->carried).field("gone", plan.rerun->gone);
    root.raw("rerun", rerun.str());
  } else {
    root.raw("rerun", "null");
  }
  return root.str();
}

}  // namespace ramify
