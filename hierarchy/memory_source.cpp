#include "hierarchy/memory_source.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

#include "hierarchy/node_paths.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

std::string_view derived_label(std::string_view id) {
  auto slash = id.rfind('/');
  return slash == std::string_view::npos ? id : id.substr(slash + 1);
}

// An id's hash in the high half of an index slot (the low half holds the record).
std::uint64_t id_hash(std::string_view id) { return std::hash<std::string_view>{}(id) & ~std::uint64_t(UINT32_MAX); }

std::uint32_t checked_u32(std::size_t value, const char* what) {
  if (value >= UINT32_MAX) throw SourceError(std::string("too many ") + what + " for one hierarchy");
  return static_cast<std::uint32_t>(value);
}

void append(HugeVector<char>& to, std::string_view text) { to.insert(to.end(), text.begin(), text.end()); }

void append_length(HugeVector<char>& to, std::uint32_t length) {
  char bytes[sizeof length];
  std::memcpy(bytes, &length, sizeof length);
  to.insert(to.end(), bytes, bytes + sizeof length);
}

std::uint32_t read_length(const char* at) {
  std::uint32_t length = 0;
  std::memcpy(&length, at, sizeof length);
  return length;
}

}  // namespace

// ---- Builder

MemorySource::Builder::Builder(std::string path_root) : tree_(new MemorySource()) {
  tree_->path_root_ = std::move(path_root);
}

void MemorySource::Builder::reserve(std::size_t nodes, std::size_t text_bytes) {
  tree_->records_.reserve(nodes);
  parent_spans_.reserve(nodes);
  tree_->arena_.reserve(text_bytes);
  parents_.reserve(text_bytes);
  std::size_t capacity = 16;
  while (capacity < nodes * 2) capacity *= 2;
  if (capacity > tree_->index_.size()) {
    tree_->index_.assign(capacity, kFree);
    for (std::uint32_t i = 0; i < tree_->records_.size(); ++i)
      tree_->place_in_index(id_hash(tree_->id_of(tree_->records_[i])), i);
  }
}

void MemorySource::Builder::add(const NodeView& node) {
  MemorySource& tree = *tree_;
  if (node.id.empty()) throw SourceError("a node id may not be empty");
  const std::uint32_t index = checked_u32(tree.records_.size(), "nodes");
  if (node.parent.empty() && tree.root_ != kNone)
    throw SourceError("a second root '" + std::string(node.id) + "' (the first is '" +
                      std::string(tree.id_of(tree.records_[tree.root_])) + "')");

  Record record;
  record.text = tree.arena_.size();
  record.id_length = checked_u32(node.id.size(), "bytes in an id");
  append(tree.arena_, node.id);
  if (const std::string_view derived = derived_label(node.id); node.label.empty() || node.label == derived) {
    record.label_in_id = true;
    record.label_length = static_cast<std::uint32_t>(derived.size());
  } else {
    record.label_length = checked_u32(node.label.size(), "bytes in a label");
    append(tree.arena_, node.label);
  }
  const std::size_t attrs_start = tree.arena_.size();
  for (const auto& [key, value] : node.attrs) {
    append_length(tree.arena_, checked_u32(key.size(), "bytes in an attribute"));
    append(tree.arena_, key);
    append_length(tree.arena_, checked_u32(value.size(), "bytes in an attribute"));
    append(tree.arena_, value);
  }
  record.attrs_length = checked_u32(tree.arena_.size() - attrs_start, "bytes of attributes");
  record.level = tree.level_index(node.level);
  record.is_file = node.is_file;
  record.size = node.size;
  record.mtime = node.mtime;
  tree.records_.push_back(record);
  if (!tree.insert_into_index(index)) {
    tree.records_.pop_back();
    throw SourceError("node id '" + std::string(node.id) + "' appears twice");
  }
  if (node.parent.empty()) tree.root_ = index;

  parent_spans_.emplace_back(parents_.size(), static_cast<std::uint32_t>(node.parent.size()));
  append(parents_, node.parent);
}

MemorySource MemorySource::Builder::finish() && {
  if (tree_->root_ == kNone) throw SourceError("no root (a node without a parent)");
  tree_->link(*this);
  parents_ = {};
  parent_spans_ = {};
  return std::move(*tree_);
}

// ---- MemorySource

MemorySource::MemorySource(const Node& root, const std::vector<Node>& below_root) {
  Builder builder;
  std::size_t text = 0;
  const auto count_text = [&text](const Node& node) {
    text += node.id.size() + node.label.size();
    for (const auto& [key, value] : node.attrs) text += key.size() + value.size() + 8;
  };
  count_text(root);
  for (const Node& node : below_root) count_text(node);
  builder.reserve(below_root.size() + 1, text);
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  const auto add = [&](const Node& node, std::string_view parent) {
    attrs.assign(node.attrs.begin(), node.attrs.end());
    builder.add(NodeView{node.id, parent, node.level, node.label, node.is_file, node.size, node.mtime, attrs});
  };
  add(root, {});
  for (const Node& node : below_root) {
    if (node.parent.empty()) throw SourceError("node '" + node.id + "' below the root has no parent");
    add(node, node.parent);
  }
  *this = std::move(builder).finish();
}

std::string_view MemorySource::id_of(const Record& record) const {
  return {arena_.data() + record.text, record.id_length};
}

std::string_view MemorySource::label_of(const Record& record) const {
  if (record.label_in_id) return {arena_.data() + record.text + record.id_length - record.label_length, record.label_length};
  return {arena_.data() + record.text + record.id_length, record.label_length};
}

std::uint32_t MemorySource::find(std::string_view id) const {
  if (index_.empty()) return kNone;
  const std::uint64_t hash = id_hash(id);
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = (hash >> 32) & mask;; slot = (slot + 1) & mask) {
    const std::uint64_t entry = index_[slot];
    if (entry == kFree) return kNone;
    const auto record = static_cast<std::uint32_t>(entry);
    if ((entry & ~std::uint64_t(UINT32_MAX)) == hash && id_of(records_[record]) == id) return record;
  }
}

bool MemorySource::insert_into_index(std::uint32_t record) {
  if (records_.size() * 2 > index_.size()) {
    HugeVector<std::uint64_t> old = std::move(index_);
    index_.assign(std::max<std::size_t>(old.size() * 2, 16), kFree);
    for (std::uint64_t entry : old)
      if (entry != kFree) place_in_index(entry & ~std::uint64_t(UINT32_MAX), static_cast<std::uint32_t>(entry));
  }
  const std::string_view id = id_of(records_[record]);
  const std::uint64_t hash = id_hash(id);
  const std::size_t mask = index_.size() - 1;
  std::size_t slot = (hash >> 32) & mask;
  for (; index_[slot] != kFree; slot = (slot + 1) & mask) {
    const std::uint64_t entry = index_[slot];
    if ((entry & ~std::uint64_t(UINT32_MAX)) == hash && id_of(records_[static_cast<std::uint32_t>(entry)]) == id)
      return false;
  }
  index_[slot] = hash | record;
  return true;
}

void MemorySource::place_in_index(std::uint64_t hash, std::uint32_t record) {
  const std::size_t mask = index_.size() - 1;
  std::size_t slot = (hash >> 32) & mask;
  while (index_[slot] != kFree) slot = (slot + 1) & mask;
  index_[slot] = hash | record;
}

std::uint16_t MemorySource::level_index(std::string_view level) {
  for (std::size_t i = 0; i < levels_.size(); ++i)
    if (levels_[i] == level) return static_cast<std::uint16_t>(i);
  if (levels_.size() >= UINT16_MAX) throw SourceError("too many level names");
  levels_.emplace_back(level);
  return static_cast<std::uint16_t>(levels_.size() - 1);
}

// Resolves parents, groups children (sorted by label, then id), checks that
// every node hangs below the root and counts subtree sizes.
void MemorySource::link(const Builder& builder) {
  const std::uint32_t count = static_cast<std::uint32_t>(records_.size());
  std::vector<std::uint32_t> child_counts(count, 0);
  std::string_view last_parent;  // siblings tend to come together: one lookup for a run of them
  std::uint32_t p = kNone;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (i == root_) continue;
    const auto [offset, length] = builder.parent_spans_[i];
    const std::string_view parent(builder.parents_.data() + offset, length);
    if (p == kNone || parent != last_parent) {
      p = find(parent);
      last_parent = parent;
    }
    if (p == kNone)
      throw SourceError("node '" + std::string(id_of(records_[i])) + "' has unknown parent '" + std::string(parent) +
                        "'");
    if (p == i) throw SourceError("node '" + std::string(id_of(records_[i])) + "' is its own parent");
    records_[i].parent = p;
    ++child_counts[p];
  }
  std::uint32_t next = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    records_[i].first_child = next;
    next += child_counts[i];
  }
  children_.assign(next, 0);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (i == root_) continue;
    Record& parent = records_[records_[i].parent];
    children_[parent.first_child + parent.child_count++] = i;
  }
  for (const Record& record : records_) {
    auto begin = children_.begin() + record.first_child;
    std::sort(begin, begin + record.child_count, [this](std::uint32_t a, std::uint32_t b) {
      const std::string_view label_a = label_of(records_[a]), label_b = label_of(records_[b]);
      if (label_a != label_b) return label_a < label_b;
      return id_of(records_[a]) < id_of(records_[b]);
    });
  }

  // A walk from the root, then subtree sizes summed in the reverse of that pre-order.
  std::vector<std::uint32_t> order;
  order.reserve(count);
  order.push_back(root_);
  for (std::size_t at = 0; at < order.size(); ++at) {
    const Record& record = records_[order[at]];
    order.insert(order.end(), children_.begin() + record.first_child,
                 children_.begin() + record.first_child + record.child_count);
  }
  if (order.size() != count)
    throw SourceError(std::to_string(count - order.size()) + " node(s) are not below the root (a parent cycle)");
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Record& record = records_[*it];
    if (record.parent != kNone) records_[record.parent].subtree_size += record.subtree_size;
  }
}

Node MemorySource::node_at(std::uint32_t index) const {
  const Record& record = records_[index];
  Node node;
  node.id = id_of(record);
  if (record.parent != kNone) node.parent = id_of(records_[record.parent]);
  node.level = levels_[record.level];
  node.label = label_of(record);
  node.is_file = record.is_file;
  node.size = record.size;
  node.mtime = record.mtime;
  const std::size_t label_bytes = record.label_in_id ? 0 : record.label_length;
  const char* at = arena_.data() + record.text + record.id_length + label_bytes;
  const char* const end = at + record.attrs_length;
  while (at < end) {
    const std::uint32_t key_length = read_length(at);
    const std::string_view key(at + sizeof key_length, key_length);
    at += sizeof key_length + key_length;
    const std::uint32_t value_length = read_length(at);
    node.attrs.emplace(key, std::string_view(at + sizeof value_length, value_length));
    at += sizeof value_length + value_length;
  }
  if (!path_root_.empty()) node.attrs["path"] = node.id == kRootId ? path_root_ : path_below(path_root_, node.id);
  return node;
}

ChildListing MemorySource::children_of(const Node& container) const {
  ChildListing listing;
  const std::uint32_t index = find(container.id);
  if (index == kNone) {
    listing.error = "unknown node '" + container.id + "'";
    return listing;
  }
  const Record& record = records_[index];
  listing.children.reserve(record.child_count);
  for (std::uint32_t i = 0; i < record.child_count; ++i)
    listing.children.push_back(node_at(children_[record.first_child + i]));
  return listing;
}

std::string MemorySource::local_path(const Node& node) const {
  auto it = node.attrs.find("path");
  return it == node.attrs.end() ? std::string() : it->second;
}

std::uint64_t MemorySource::subtree_size(const std::string& id) const {
  const std::uint32_t index = find(id);
  return index == kNone ? 0 : records_[index].subtree_size;
}

std::vector<Node> MemorySource::subtree(const std::string& id) const {
  std::vector<Node> out;
  const std::uint32_t index = find(id);
  if (index == kNone) return out;
  out.reserve(records_[index].subtree_size - 1);
  const auto push_children = [this](std::vector<std::uint32_t>& stack, std::uint32_t of) {
    const Record& record = records_[of];
    for (std::uint32_t i = record.child_count; i-- > 0;) stack.push_back(children_[record.first_child + i]);
  };
  std::vector<std::uint32_t> stack;
  push_children(stack, index);
  while (!stack.empty()) {
    const std::uint32_t next = stack.back();
    stack.pop_back();
    out.push_back(node_at(next));
    push_children(stack, next);
  }
  return out;
}

bool MemorySource::describe(const std::string& id, bool shallow,
                            const std::function<void(std::string_view)>& add) const {
  const std::uint32_t index = find(id);
  if (index == kNone) return false;
  add(path_root_);
  const auto number = [&add](std::int64_t value) {
    add(std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  };
  const auto node = [&](const Record& record) {
    add(id_of(record));
    add(levels_[record.level]);
    add(label_of(record));
    number(record.is_file ? 1 : 0);
    number(record.size);
    number(record.mtime);
    const std::size_t label_bytes = record.label_in_id ? 0 : record.label_length;
    add(std::string_view(arena_.data() + record.text + record.id_length + label_bytes, record.attrs_length));
    number(record.child_count);
  };
  const Record& root = records_[index];
  node(root);
  if (shallow) {
    for (std::uint32_t i = 0; i < root.child_count; ++i) {
      const Record& child = records_[children_[root.first_child + i]];
      if (child.is_file) {
        node(child);
      } else {
        add(id_of(child));
      }
    }
    return true;
  }
  std::vector<std::uint32_t> stack;  // pre-order over sorted children
  for (std::uint32_t i = root.child_count; i-- > 0;) stack.push_back(children_[root.first_child + i]);
  while (!stack.empty()) {
    const Record& record = records_[stack.back()];
    stack.pop_back();
    node(record);
    for (std::uint32_t i = record.child_count; i-- > 0;) stack.push_back(children_[record.first_child + i]);
  }
  return true;
}

}  // namespace ramify
