#include "hierarchy/manifest_loader.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>

#include "hierarchy/node_paths.hpp"
#include "util/errors.hpp"
#include "util/json_text.hpp"

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

// An id as JSON would write it: control bytes escaped, so a message shows them.
std::string quoted(std::string_view id) {
  std::string text;
  append_json_string(text, id);
  return text;
}

std::string_view required_string(simdjson::dom::object object, const char* field) {
  std::string_view text;
  if (object[field].get_string().get(text) != simdjson::SUCCESS || text.empty())
    throw SourceError(std::string("\"") + field + "\" must be a non-empty string");
  return text;
}

// Parses one line at a time into a MemorySource::Builder.
class LineParser {
 public:
  LineParser(const std::vector<std::string>& levels, const std::string& root) : levels_(levels), root_(root),
                                                                                builder_(root) {}

  void reserve(std::size_t lines, std::size_t bytes) { builder_.reserve(lines, bytes); }

  // `data` must be followed by SIMDJSON_PADDING readable bytes.
  void parse(const char* data, std::size_t length) {
    simdjson::dom::element element;
    auto error = parser_.parse(data, length, /*realloc_if_needed=*/false).get(element);
    if (error) throw SourceError(simdjson::error_message(error));
    simdjson::dom::object object;
    if (element.get_object().get(object)) throw SourceError("a line must be a JSON object");

    MemorySource::NodeView node;
    node.id = required_string(object, "id");
    node.level = required_string(object, "level");
    if (node.level != kFileLevel && node.level != kFolderLevel &&
        std::find(levels_.begin(), levels_.end(), node.level) == levels_.end())
      throw SourceError("unknown level '" + std::string(node.level) + "'");
    node.is_file = node.level == kFileLevel;
    // Ids are names: with a root they become paths, and never one outside it.
    if (node.id != kRootId) {
      const std::string problem = id_problem(node.id, /*control_bytes_allowed=*/false);
      if (problem.find("byte") != std::string::npos)
        throw SourceError("id " + quoted(node.id) + " cannot name a node: " + problem);
      if (!problem.empty() && !root_.empty())
        throw SourceError("id '" + std::string(node.id) + "' would be outside the root: " + problem);
    }

    simdjson::dom::element parent;
    if (object["parent"].get(parent) == simdjson::SUCCESS && !parent.is_null()) {
      if (parent.get_string().get(node.parent)) throw SourceError("\"parent\" must be a string or null");
    }
    std::string_view label;
    if (object["label"].get_string().get(label) == simdjson::SUCCESS) node.label = label;
    attrs_.clear();
    simdjson::dom::element attrs_element;
    if (object["attrs"].get(attrs_element) == simdjson::SUCCESS && !attrs_element.is_null()) {
      simdjson::dom::object attrs;
      if (attrs_element.get_object().get(attrs)) throw SourceError("\"attrs\" must be an object");
      texts_.clear();
      texts_.reserve(attrs.size());  // no reallocation below: attrs_ holds views of texts_
      for (auto field : attrs) {
        if (field.key == "size" || field.key == "mtime") {
          auto number = integer_of(field.value);
          if (!number) throw SourceError("attribute " + std::string(field.key) + " must be a number");
          (field.key == "size" ? node.size : node.mtime) = *number;
        } else if (std::string_view text; field.value.get_string().get(text) == simdjson::SUCCESS) {
          attrs_.emplace_back(field.key, text);
        } else {
          attrs_.emplace_back(field.key, texts_.emplace_back(scalar_text(field.value)));
        }
      }
    }
    node.attrs = attrs_;
    builder_.add(node);
  }

  std::unique_ptr<MemorySource> finish() { return std::make_unique<MemorySource>(std::move(builder_).finish()); }

 private:
  const std::vector<std::string>& levels_;
  const std::string& root_;
  simdjson::dom::parser parser_;
  MemorySource::Builder builder_;
  std::vector<std::pair<std::string_view, std::string_view>> attrs_;
  std::vector<std::string> texts_;  // attribute values that are not strings, as text
};

// Feeds the lines `read` yields to `parser`, a buffer at a time, so that a
// manifest is never held whole in memory. `read(into, capacity)` returns the
// bytes it wrote, 0 at the end.
void parse_lines(LineParser& parser, const std::string& name,
                 const std::function<std::size_t(char*, std::size_t)>& read) {
  std::vector<char> buffer(std::size_t(1) << 20);
  std::size_t filled = 0;
  std::size_t line_number = 0;
  bool at_end = false;
  const auto parse_line = [&](std::size_t start, std::size_t end) {
    ++line_number;
    const std::string_view line(buffer.data() + start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    try {
      parser.parse(line.data(), line.size());
    } catch (const SourceError& e) {
      throw SourceError("manifest " + name + ":" + std::to_string(line_number) + ": " + e.what());
    }
  };
  while (!at_end) {
    const std::size_t room = buffer.size() - simdjson::SIMDJSON_PADDING - filled;
    const std::size_t got = read(buffer.data() + filled, room);
    at_end = got == 0;
    filled += got;
    std::size_t start = 0;
    while (const void* newline = std::memchr(buffer.data() + start, '\n', filled - start)) {
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer.data());
      parse_line(start, end);
      start = end + 1;
    }
    if (at_end) {
      if (start < filled) parse_line(start, filled);
      break;
    }
    std::memmove(buffer.data(), buffer.data() + start, filled - start);
    filled -= start;
    if (filled + simdjson::SIMDJSON_PADDING == buffer.size()) buffer.resize(buffer.size() * 2);  // a long line
  }
}

std::unique_ptr<MemorySource> finish(LineParser& parser, const std::string& name) {
  try {
    return parser.finish();
  } catch (const SourceError& e) {
    throw SourceError("manifest " + name + ": " + e.what());
  }
}

}  // namespace

std::unique_ptr<MemorySource> parse_manifest(std::string_view text, const std::vector<std::string>& levels,
                                             const std::string& name, const std::string& root) {
  LineParser parser(levels, root);
  parser.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1, text.size());
  std::size_t offset = 0;
  parse_lines(parser, name, [&](char* into, std::size_t capacity) {
    const std::size_t count = std::min(capacity, text.size() - offset);
    std::memcpy(into, text.data() + offset, count);
    offset += count;
    return count;
  });
  return finish(parser, name);
}

std::unique_ptr<MemorySource> load_manifest(const std::string& path, const std::vector<std::string>& levels,
                                            const std::string& root) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SourceError("cannot read manifest " + path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const auto read_some = [&](char* into, std::size_t capacity) -> std::size_t {
    for (;;) {
      const ssize_t got = ::read(fd, into, capacity);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) throw SourceError("cannot read manifest " + path + ": " + std::strerror(errno));
    }
  };
  // A first pass counts the lines, so that the nodes are stored without regrowth.
  std::size_t lines = 1;
  std::size_t bytes = 0;
  std::vector<char> block(std::size_t(1) << 20);
  while (const std::size_t got = read_some(block.data(), block.size())) {
    lines += static_cast<std::size_t>(std::count(block.data(), block.data() + got, '\n'));
    bytes += got;
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) throw SourceError("cannot read manifest " + path + ": " + std::strerror(errno));
  LineParser parser(levels, root);
  parser.reserve(lines, bytes);
  parse_lines(parser, path, read_some);
  return finish(parser, path);
}

}  // namespace ramify
