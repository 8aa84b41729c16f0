#include "common/manifest_loader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/errors.hpp"

namespace ramify {
namespace {

std::string scalar_text(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(value.get_string()));
    case simdjson::dom::element_type::INT64:
      return std::to_string(std::int64_t(value.get_int64()));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(std::uint64_t(value.get_uint64()));
    case simdjson::dom::element_type::DOUBLE:
      return simdjson::to_string(value);
    case simdjson::dom::element_type::BOOL:
      return bool(value.get_bool()) ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE:
      return "";
    default:
      throw SourceError("attribute values must be strings, numbers, booleans or null");
  }
}

std::optional<std::int64_t> integer_of(simdjson::dom::element value) {
  std::int64_t i = 0;
  if (value.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (value.get_double().get(d) == simdjson::SUCCESS) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

std::string required_string(simdjson::dom::object object, const char* field) {
  std::string_view text;
  if (object[field].get_string().get(text) != simdjson::SUCCESS || text.empty())
    throw SourceError(std::string("\"") + field + "\" must be a non-empty string");
  return std::string(text);
}

Node parse_line(simdjson::dom::parser& parser, const char* data, std::size_t length,
                const std::vector<std::string>& levels) {
  simdjson::dom::element element;
  auto error = parser.parse(data, length, /*realloc_if_needed=*/false).get(element);
  if (error) throw SourceError(simdjson::error_message(error));
  simdjson::dom::object object;
  if (element.get_object().get(object)) throw SourceError("a line must be a JSON object");

  Node node;
  node.id = required_string(object, "id");
  node.level = required_string(object, "level");
  if (node.level != kFileLevel && node.level != kFolderLevel &&
      std::find(levels.begin(), levels.end(), node.level) == levels.end())
    throw SourceError("unknown level '" + node.level + "'");
  node.is_file = node.level == kFileLevel;

  simdjson::dom::element parent;
  if (object["parent"].get(parent) == simdjson::SUCCESS && !parent.is_null()) {
    std::string_view text;
    if (parent.get_string().get(text)) throw SourceError("\"parent\" must be a string or null");
    node.parent = std::string(text);
  }
  std::string_view label;
  if (object["label"].get_string().get(label) == simdjson::SUCCESS && !label.empty()) {
    node.label = std::string(label);
  } else {
    auto slash = node.id.rfind('/');
    node.label = slash == std::string::npos ? node.id : node.id.substr(slash + 1);
  }
  simdjson::dom::element attrs_element;
  if (object["attrs"].get(attrs_element) == simdjson::SUCCESS && !attrs_element.is_null()) {
    simdjson::dom::object attrs;
    if (attrs_element.get_object().get(attrs)) throw SourceError("\"attrs\" must be an object");
    for (auto field : attrs) {
      std::string key(field.key);
      if (key == "size" || key == "mtime") {
        auto number = integer_of(field.value);
        if (!number) throw SourceError("attribute " + key + " must be a number");
        (key == "size" ? node.size : node.mtime) = *number;
      } else {
        node.attrs[key] = scalar_text(field.value);
      }
    }
  }
  return node;
}

// An id that would name a file outside the root.
bool escapes_root(const std::string& id) {
  if (id.empty() || id.front() == '/') return true;
  std::size_t start = 0;
  while (start <= id.size()) {
    auto end = id.find('/', start);
    if (end == std::string::npos) end = id.size();
    if (id.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::unique_ptr<MemorySource> parse_manifest(std::string_view text, const std::vector<std::string>& levels,
                                             const std::string& name, const std::string& root) {
  const simdjson::padded_string content(text);
  simdjson::dom::parser parser;
  std::optional<Node> root_node;
  std::vector<Node> below;
  const char* data = content.data();
  const std::size_t size = content.size();
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < size;) {
    ++line_number;
    const char* newline = static_cast<const char*>(std::memchr(data + start, '\n', size - start));
    const std::size_t end = newline ? static_cast<std::size_t>(newline - data) : size;
    std::string_view line(data + start, end - start);
    const std::size_t next = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      start = next;
      continue;
    }
    try {
      Node node = parse_line(parser, line.data(), line.size(), levels);
      if (!root.empty()) {
        if (node.id != kRootId && escapes_root(node.id))
          throw SourceError("id '" + node.id + "' would be outside the root (absolute, or with a '..' part)");
        node.attrs["path"] = node.id == kRootId ? root : root + "/" + node.id;
      }
      if (node.parent.empty()) {
        if (root_node) throw SourceError("a second root '" + node.id + "' (the first is '" + root_node->id + "')");
        root_node = std::move(node);
      } else {
        below.push_back(std::move(node));
      }
    } catch (const SourceError& e) {
      throw SourceError("manifest " + name + ":" + std::to_string(line_number) + ": " + e.what());
    }
    start = next;
  }
  if (!root_node) throw SourceError("manifest " + name + " has no root (a node without a parent)");
  try {
    return std::make_unique<MemorySource>(std::move(*root_node), std::move(below));
  } catch (const SourceError& e) {
    throw SourceError("manifest " + name + ": " + e.what());
  }
}

std::unique_ptr<MemorySource> load_manifest(const std::string& path, const std::vector<std::string>& levels,
                                            const std::string& root) {
  simdjson::padded_string content;
  if (auto error = simdjson::padded_string::load(path).get(content))
    throw SourceError("cannot read manifest " + path + ": " + simdjson::error_message(error));
  return parse_manifest(std::string_view(content.data(), content.size()), levels, path, root);
}

}  // namespace ramify
