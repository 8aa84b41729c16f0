#include "state/state_schema.hpp"

#include <msgpack.hpp>

namespace ramify::state_schema {

void assign_column_text(std::string& out, sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  if (!text) return out.clear();
  out.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  std::string text;
  assign_column_text(text, stmt, column);
  return text;
}

std::string column_blob(sqlite3_stmt* stmt, int column) {
  const void* blob = sqlite3_column_blob(stmt, column);
  return blob
             ? std::string(static_cast<const char*>(blob), static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)))
             : std::string();
}

void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void bind_blob(sqlite3_stmt* stmt, int index, const std::string& bytes) {
  sqlite3_bind_blob(stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

std::string pack_fields(const FieldPairs& fields) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, fields);
  return std::string(buffer.data(), buffer.size());
}

FieldPairs unpack_fields(const std::string& bytes) {
  if (bytes.empty()) return {};
  try {
    msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
    return handle.get().as<FieldPairs>();
  } catch (const std::exception&) {
    return {};
  }
}

bool within(const std::string& key, const std::string& root) {
  if (key.size() < root.size() || key.compare(0, root.size(), root) != 0) return false;
  return key.size() == root.size() || key[root.size()] == '/';
}

std::optional<std::string> past_child_subtree(const std::string& key, const std::string& root) {
  if (key.size() <= root.size() + 1) return std::nullopt;
  const auto deeper = key.find('/', root.size() + 1);
  if (deeper == std::string::npos) return std::nullopt;
  return key.substr(0, deeper) + "0";
}

}  // namespace ramify::state_schema
