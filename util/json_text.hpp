#pragma once
// Writing JSON text. Strings are bytes: valid UTF-8 passes through, control
// characters are escaped, and each byte that is not valid UTF-8 becomes a
// lone surrogate \udcXX (Python's "surrogateescape"), so that any file name
// survives a round trip: json.loads(line)[k].encode("utf-8", "surrogateescape").

#include <cstdint>
#include <string>
#include <string_view>

namespace ramify {

void append_json_string(std::string& out, std::string_view bytes);

// Builds one JSON object, field by field, in the order written.
class JsonObject {
 public:
  JsonObject() : text_(own_) { text_ = "{"; }
  // Writes the object at the end of `into` instead (str() is then not for
  // use); close() writes its closing brace.
  explicit JsonObject(std::string& into) : text_(into), start_(into.size()) { text_ += '{'; }
  // Goes on with an object already begun at `start` in `into` (its opening
  // brace and perhaps fields written there).
  JsonObject(std::string& into, std::size_t start) : text_(into), start_(start) {}
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  JsonObject& field(std::string_view key, std::string_view value);
  JsonObject& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  JsonObject& field(std::string_view key, std::int64_t value);
  JsonObject& field(std::string_view key, std::uint64_t value);
  JsonObject& field(std::string_view key, bool value);
  // A value already in JSON form (a nested object, a number, null).
  JsonObject& raw(std::string_view key, std::string_view json);
  std::string str() const { return text_ + "}"; }
  void close() { text_ += '}'; }

 private:
  void key(std::string_view name);
  std::string own_;
  std::string& text_;
  std::size_t start_ = 0;  // where the object starts in text_
};

// "2026-11-23T06:23:38.123456Z" from microseconds since the epoch.
std::string iso8601_utc(std::int64_t us);
// The same text in `buffer`, without allocating.
std::string_view format_iso8601_utc(std::int64_t us, char (&buffer)[40]);
// The inverse of iso8601_utc; 0 when `text` is not in that form.
std::int64_t parse_iso8601_utc(const std::string& text);

}  // namespace ramify
