#include "engine/incremental_scan.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>

#include "hierarchy/directory_source.hpp"
#include "spec/name_globs.hpp"

namespace ramify {
namespace {

// FNV-1a, 64 bits: a stable digest of short texts (ids, attributes).
class Fnv {
 public:
  void add(std::string_view text) {
    for (char c : text) hash_ = (hash_ ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    hash_ = (hash_ ^ 0xffu) * 1099511628211ull;  // a separator, so that "ab","c" differs from "a","bc"
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

void strip_stamps(ChildListing& listing) {
  for (Node& child : listing.children) child.attrs.erase(kStampAttribute);
}

}  // namespace

ChildListing ListingCache::children(const Node& container) {
  auto it = kept_.find(container.id);
  ChildListing listing;
  if (it == kept_.end()) {
    listing = source_.children(container);
  } else {
    listing = std::move(it->second);
    kept_.erase(it);
  }
  strip_stamps(listing);
  return listing;
}

const ChildListing& ListingCache::scan(const Node& container) {
  auto [it, fresh] = kept_.try_emplace(container.id);
  if (fresh) it->second = source_.children(container);
  return it->second;
}

IncrementalScan::IncrementalScan(ListingCache& source, const WalkPlan& plan, const WalkRules& rules,
                                 const Assign& assignment, bool tree, const CarryAware* curator)
    : source_(source),
      plan_(plan),
      rules_(rules),
      assignment_(assignment),
      tree_(tree),
      rolls_up_(curator && curator->rolls_up()) {
  if (assignment.carry_whole && !assignment.baseline.empty()) {  // the broker compared it: nothing to scan
    CarryVerdict& root = verdicts_[plan.root.id];
    root.last = &assignment.baseline.front();
    root.stamp = root.last->stamp;
    root.carried = root.whole = true;
    carried_ = 1;
    return;
  }
  for (const BaselineNode& node : assignment.baseline) stored_[node.id] = &node;
  scan(plan.root, true);
  const bool everything = verdicts_[plan.root.id].whole;
  if (!curator && !everything)  // the curator's roll-ups may need every node: curate it all again
    for (auto& [id, verdict] : verdicts_) verdict.carried = verdict.whole = false;
  for (const auto& [id, verdict] : verdicts_) carried_ += verdict.carried ? 1 : 0;
}

const CarryVerdict* IncrementalScan::find(const std::string& id) const {
  auto it = verdicts_.find(id);
  return it == verdicts_.end() ? nullptr : &it->second;
}

std::size_t IncrementalScan::stored_seen() const {
  std::size_t seen = 0;
  for (const auto& [id, verdict] : verdicts_) seen += verdict.last ? 1 : 0;
  return seen;
}

std::string IncrementalScan::node_stamp(const Node& node, bool is_root) const {
  if (tree_) {
    if (auto it = node.attrs.find(kStampAttribute); it != node.attrs.end()) return it->second;
    struct stat st {};  // the assignment's root comes from the broker, without a stamp
    if (is_root && lstat(source_.local_path(node).c_str(), &st) == 0) return stat_stamp(st);
    return "unknown";
  }
  Fnv digest;  // a manifest node: what the manifest says of it
  digest.add(node.level);
  digest.add(node.label);
  digest.add(std::to_string(node.size));
  digest.add(std::to_string(node.mtime));
  for (const auto& [key, value] : node.attrs) {
    digest.add(key);
    digest.add(value);
  }
  return "m" + digest.hex();
}

// Unordered_map references stay valid as it grows, so `verdict` outlives the recursion.
bool IncrementalScan::scan(const Node& node, bool is_root) {
  CarryVerdict& verdict = verdicts_[node.id];
  auto stored = stored_.find(node.id);
  verdict.last = stored == stored_.end() ? nullptr : stored->second;
  std::string own = node_stamp(node, is_root);
  bool listed = true;          // its listing had neither an error nor a warning (they are said again)
  bool below_changed = false;  // a child's data changed, or (rolling up) a child is curated again
  bool below_carried = true;   // every node below is carried
  if (!node.is_file) {
    const ChildListing& listing = source_.scan(node);
    Fnv children;
    for (const Node& child : listing.children) children.add(child.id);
    own += "/" + children.hex();
    listed = listing.error.empty() && listing.warnings.empty();
    const bool descend =
        (rules_.stop_level.empty() || node.level != rules_.stop_level) && !(verdict.last && verdict.last->pruned);
    if (descend) {
      for (const Node& child : listing.children) {
        if (plan_.shallow && is_root && !child.is_file) continue;                            // another assignment's
        if (child.is_file && matches_any_glob(rules_.exclude_files, child.label)) continue;  // never visited
        if (scan(child, false)) below_changed = true;
        if (!verdicts_[child.id].whole) below_carried = false;
      }
    }
  }
  auto level = assignment_.level_stamps.find(node.level);
  const std::string curator = level == assignment_.level_stamps.end() ? std::string() : level->second;
  verdict.stamp = own + "#" + curator;
  bool same_data = false, same_curator = false;
  if (verdict.last) {
    const std::string& last = verdict.last->stamp;
    const auto hash = last.rfind('#');
    same_data = assignment_.rerun_failed_only || last.compare(0, hash, own) == 0;
    same_curator = assignment_.rerun_failed_only || (hash != std::string::npos && last.substr(hash + 1) == curator);
  }
  verdict.carried = same_data && same_curator && listed && !below_changed;
  verdict.whole = verdict.carried && below_carried;
  return !same_data || !listed || below_changed || (rolls_up_ && !verdict.carried);
}

}  // namespace ramify
