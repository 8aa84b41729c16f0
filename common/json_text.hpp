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
  JsonObject& field(std::string_view key, std::string_view value);
  JsonObject& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  JsonObject& field(std::string_view key, std::int64_t value);
  JsonObject& field(std::string_view key, std::uint64_t value);
  JsonObject& field(std::string_view key, bool value);
  // A value already in JSON form (a nested object, a number, null).
  JsonObject& raw(std::string_view key, std::string_view json);
  std::string str() const { return text_ + "}"; }

 private:
  void key(std::string_view name);
  std::string text_ = "{";
};

// "2026-11-23T06:23:38.123456Z" from microseconds since the epoch.
std::string iso8601_utc(std::int64_t us);
// The inverse of iso8601_utc; 0 when `text` is not in that form.
std::int64_t parse_iso8601_utc(const std::string& text);

}  // namespace ramify
