#pragma once
// A Context for testing a curator without the engine: it keeps what the
// curator logs, records and decides.

#include <map>
#include <string>
#include <vector>

#include "ramify/curator.hpp"

namespace ramify::testing {

class FakeContext : public Context {
 public:
  struct Entry {
    Severity severity;
    std::string message;
  };

  void log(Severity severity, std::string_view message) override { logs.push_back({severity, std::string(message)}); }
  void finding(std::string_view error) override { findings.emplace_back(error); }
  void log_about(const Node& node, Severity severity, std::string_view message,
                 const std::vector<std::pair<std::string, std::string>>& row_fields) override {
    std::vector<Field> typed;
    for (const auto& [key, value] : row_fields) typed.push_back(Field{key, value, FieldType::text});
    about.push_back({node, severity, std::string(message), row_fields, typed});
  }
  void record(std::string_view key, std::string_view value) override {
    record_field(Field{std::string(key), std::string(value), FieldType::text});
  }
  void record_field(Field field) override {
    field_types[field.key] = field.type;
    fields[field.key] = field.value;
  }
  void log_fields_about(const Node& node, Severity severity, std::string_view message,
                        const std::vector<Field>& row_fields) override {
    std::vector<std::pair<std::string, std::string>> texts;
    for (const Field& field : row_fields) texts.emplace_back(field.key, field.value);
    about.push_back({node, severity, std::string(message), texts, row_fields});
  }
  using Context::record;
  void fail(std::string_view error) override {
    if (status != Status::failed) err = std::string(error);
    status = Status::failed;
  }
  void skip(std::string_view reason) override {
    if (status == Status::failed) return;
    status = Status::skipped;
    msg = std::string(reason);
  }
  const std::vector<Node>& ancestors() const override { return ancestor_nodes; }
  const std::vector<Node>& children() const override { return child_nodes; }
  Data& data() override { return node_data; }
  std::string option(std::string_view key, std::string_view fallback) const override {
    auto it = options.find(std::string(key));
    return it == options.end() ? std::string(fallback) : it->second;
  }
  std::string local_path(const Node& node) const override { return root_path.empty() ? "" : root_path + "/" + node.id; }
  std::string input_path(std::string_view name) override {
    auto it = inputs.find(std::string(name));
    if (it == inputs.end()) throw std::runtime_error("no input '" + std::string(name) + "'");
    return it->second;
  }
  bool cancelled() const override { return false; }
  int cancel_fd() const override { return -1; }

  // Resets what one node's handling left behind.
  void next_node() {
    status = Status::ok;
    err.clear();
    msg.clear();
    fields.clear();
    field_types.clear();
    findings.clear();
    logs.clear();
    about.clear();
  }

  struct About {
    Node node;
    Severity severity;
    std::string message;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<Field> typed_fields;
  };

  // Set up by the test.
  std::vector<Node> ancestor_nodes;
  std::vector<Node> child_nodes;
  Data node_data;
  std::map<std::string, std::string> options;
  std::map<std::string, std::string> inputs;
  std::string root_path;  // local_path(node) = root_path + "/" + node.id

  // Left by the curator.
  Status status = Status::ok;
  std::string err;
  std::string msg;
  std::map<std::string, std::string> fields;
  std::map<std::string, FieldType> field_types;
  std::vector<std::string> findings;
  std::vector<Entry> logs;
  std::vector<About> about;
};

}  // namespace ramify::testing
