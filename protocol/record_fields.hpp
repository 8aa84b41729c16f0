#pragma once
// A record's typed fields (`results` in the report): numbers and booleans are
// written as JSON numbers and booleans, everything else as strings. A value
// whose text does not fit its type (from a plugin, or off the wire) is text.

#include <string>
#include <string_view>
#include <vector>

#include "ramify/curator.hpp"
#include "util/json_reader.hpp"

namespace ramify {

// Whether `text` is a number in JSON's grammar (-?int frac? exp?).
bool is_json_number(std::string_view text);
// The type `field` can be written as: its own, or text when its value does not fit it.
FieldType written_type(const Field& field);
// The fields as one JSON object ("{}" when there are none).
std::string fields_json(const std::vector<Field>& fields);
// The members of a JSON object as fields, typed by their JSON type.
std::vector<Field> fields_from_json(const JsonValue& object);
// " key=value key=value" for a console line ("" when there are none).
std::string fields_text(const std::vector<Field>& fields);

}  // namespace ramify
