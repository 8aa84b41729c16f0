#include "engine/node_context.hpp"

#include "engine/record_buffer.hpp"
#include "protocol/record_fields.hpp"

namespace ramify {

NodeContext::NodeContext(WalkFrame* frame, const ChildListing* listing, const Services& services,
                         AssignmentRef assignment)
    : frame_(frame), listing_(listing), services_(services), assignment_(assignment) {}

LogRecord NodeContext::base_record(RecordKind kind) const {
  LogRecord r;
  r.kind = kind;
  r.ts_us = now_us();
  if (frame_) {
    r.container_type = frame_->node.level;
    r.container_id = frame_->node.id;
    r.label = frame_->node.label;
    r.search_key = frame_->search_key;
  }
  r.assignment = assignment_.id;
  r.attempt = assignment_.attempt;
  return r;
}

void NodeContext::log(Severity severity, std::string_view message) {
  LogRecord r = base_record(RecordKind::log);
  r.severity = severity;
  r.msg = std::string(message);
  if (severity == Severity::error) {
    r.err = r.msg;
    r.resolved = false;
  }
  services_.records.add(std::move(r));
}

void NodeContext::finding(std::string_view error) {
  LogRecord r = base_record(RecordKind::log);
  r.severity = Severity::error;
  r.err = std::string(error);
  r.msg = "finding";
  r.resolved = false;
  ++findings_;
  services_.records.add(std::move(r));
}

void NodeContext::log_about(const Node& node, Severity severity, std::string_view message,
                            const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<Field> text_fields;
  for (const auto& [key, value] : fields) text_fields.push_back(Field{key, value, FieldType::text});
  log_fields_about(node, severity, message, text_fields);
}

void NodeContext::log_fields_about(const Node& node, Severity severity, std::string_view message,
                                   const std::vector<Field>& fields) {
  LogRecord r = base_record(RecordKind::log);
  r.container_type = node.level;
  r.container_id = node.id;
  r.label = node.label;
  r.search_key.clear();
  r.severity = severity;
  r.msg = std::string(message);
  if (severity == Severity::error) {
    r.err = r.msg;
    r.resolved = false;
  }
  for (const Field& field : fields) r.fields.push_back(Field{field.key, field.value, written_type(field)});
  services_.records.add(std::move(r));
}

void NodeContext::record(std::string_view key, std::string_view value) {
  record_field(Field{std::string(key), std::string(value), FieldType::text});
}

void NodeContext::record_field(Field field) {
  field.type = written_type(field);  // a value that does not fit its type is text
  for (auto& existing : fields_) {
    if (existing.key == field.key) {
      existing = std::move(field);
      return;
    }
  }
  fields_.push_back(std::move(field));
}

void NodeContext::fail(std::string_view error) {
  if (status_ == Status::failed) return;
  status_ = Status::failed;
  err_ = std::string(error);
}

void NodeContext::skip(std::string_view reason) {
  if (status_ == Status::failed) return;
  status_ = Status::skipped;
  msg_ = std::string(reason);
}

void NodeContext::mark_interrupted() {
  status_ = Status::skipped;
  msg_ = "interrupted: the run was stopped";
  if (!err_.empty()) msg_ += " (" + err_ + ")";
  err_.clear();
}

const std::vector<Node>& NodeContext::ancestors() const {
  if (!ancestors_) ancestors_ = frame_ ? frame_->ancestors() : std::vector<Node>{};
  return *ancestors_;
}

const std::vector<Node>& NodeContext::children() const { return listing_ ? listing_->children : no_children_; }

Data& NodeContext::data() { return frame_ ? frame_->data : no_data_; }

std::string NodeContext::option(std::string_view key, std::string_view fallback) const {
  auto it = services_.options.find(std::string(key));
  return it == services_.options.end() ? std::string(fallback) : it->second;
}

std::string NodeContext::local_path(const Node& node) const {
  return services_.source ? services_.source->local_path(node) : "";
}

std::string NodeContext::input_path(std::string_view name) {
  if (!services_.inputs) throw std::runtime_error("the job has no input '" + std::string(name) + "' (see [inputs])");
  return services_.inputs->input_path(std::string(name));
}

LogRecord NodeContext::outcome() const {
  LogRecord r = base_record(RecordKind::outcome);
  r.status = status_;
  r.severity = status_ == Status::failed ? Severity::error : Severity::info;
  r.err = err_;
  r.msg = msg_;
  r.resolved = status_ != Status::failed;
  r.fields = fields_;
  return r;
}

}  // namespace ramify
