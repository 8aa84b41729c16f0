#pragma once
// Reads JSON text as written by json_text.hpp: lone surrogates \udc80..\udcff
// become the raw byte they stand for (surrogateescape), so report rows with
// non-UTF-8 names read back byte for byte. Throws DecodeError on bad input;
// nesting is limited to 32 levels.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ramify {

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's bytes, or a number's lexeme
  std::string key;   // set on an object's members: the member's name
  std::vector<JsonValue> items;    // an array's elements
  std::vector<JsonValue> members;  // an object's members, in order, each with its key

  // The member `key` of an object, or null.
  const JsonValue* find(std::string_view name) const;
  // The member as text ("" when missing or not a string/number).
  std::string get(std::string_view name) const;
  std::uint64_t get_uint(std::string_view name) const;
};

JsonValue parse_json(std::string_view text);

}  // namespace ramify
