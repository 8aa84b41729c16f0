#include "protocol/record_fields.hpp"

#include <cctype>

#include "util/json_text.hpp"

namespace ramify {

bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

FieldType written_type(const Field& field) {
  switch (field.type) {
    case FieldType::integer:
      return is_json_number(field.value) && field.value.find_first_of(".eE") == std::string::npos ? FieldType::integer
                                                                                                  : FieldType::text;
    case FieldType::real: return is_json_number(field.value) ? FieldType::real : FieldType::text;
    case FieldType::boolean:
      return field.value == "true" || field.value == "false" ? FieldType::boolean : FieldType::text;
    case FieldType::text: break;
  }
  return FieldType::text;
}

std::string fields_json(const std::vector<Field>& fields) {
  JsonObject json;
  for (const Field& field : fields) {
    if (written_type(field) == FieldType::text) {
      json.field(field.key, field.value);
    } else {
      json.raw(field.key, field.value);
    }
  }
  return json.str();
}

std::vector<Field> fields_from_json(const JsonValue& object) {
  std::vector<Field> fields;
  for (const JsonValue& member : object.members) {
    Field field{member.key, member.text, FieldType::text};
    if (member.type == JsonValue::Type::number) {
      field.type = member.text.find_first_of(".eE") == std::string::npos ? FieldType::integer : FieldType::real;
    } else if (member.type == JsonValue::Type::boolean) {
      field.type = FieldType::boolean;
      field.value = member.boolean ? "true" : "false";
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

std::string fields_text(const std::vector<Field>& fields) {
  std::string out;
  for (const Field& field : fields) out += " " + field.key + "=" + field.value;
  return out;
}

}  // namespace ramify
