#include "worker/node_context.hpp"

namespace ramify {

NodeContext::NodeContext(WalkFrame* frame, RecordBuffer& records, const std::map<std::string, std::string>& options,
                         const HierarchySource* source, const CancelToken& cancel, AssignmentRef assignment)
    : frame_(frame), records_(records), options_(options), source_(source), cancel_(cancel), assignment_(assignment) {}

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
  records_.add(std::move(r));
}

void NodeContext::record(std::string_view key, std::string_view value) {
  for (auto& field : fields_) {
    if (field.first == key) {
      field.second = std::string(value);
      return;
    }
  }
  fields_.emplace_back(std::string(key), std::string(value));
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

Data& NodeContext::data() { return frame_ ? frame_->data : no_data_; }

std::string NodeContext::option(std::string_view key, std::string_view fallback) const {
  auto it = options_.find(std::string(key));
  return it == options_.end() ? std::string(fallback) : it->second;
}

std::string NodeContext::local_path(const Node& node) const { return source_ ? source_->local_path(node) : ""; }

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
