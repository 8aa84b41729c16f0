#pragma once
// The Context a curator sees for one node (or, without a node, in finalize).
// It builds the node's log rows as they come and its outcome row at the end.

#include <memory>
#include <optional>

#include "common/hierarchy_source.hpp"
#include "common/messages.hpp"
#include "common/walker.hpp"
#include "worker/cancel_token.hpp"
#include "worker/record_buffer.hpp"

namespace ramify {

class NodeContext : public Context {
 public:
  // `frame` is null for the finalize context.
  NodeContext(WalkFrame* frame, RecordBuffer& records, const std::map<std::string, std::string>& options,
              const HierarchySource* source, const CancelToken& cancel, AssignmentRef assignment);

  void log(Severity severity, std::string_view message) override;
  void record(std::string_view key, std::string_view value) override;
  void fail(std::string_view error) override;
  void skip(std::string_view reason) override;
  const std::vector<Node>& ancestors() const override;
  Data& data() override;
  std::string option(std::string_view key, std::string_view fallback) const override;
  std::string local_path(const Node& node) const override;
  bool cancelled() const override { return cancel_.cancelled(); }
  int cancel_fd() const override { return cancel_.fd(); }

  // The node was cut short by the abort: "skipped", whatever happened before.
  void mark_interrupted();
  Status status() const { return status_; }
  const std::string& failure_text() const { return err_; }
  // The outcome row of the node (call once, after the hooks ran).
  LogRecord outcome() const;

 private:
  LogRecord base_record(RecordKind kind) const;

  WalkFrame* frame_;
  RecordBuffer& records_;
  const std::map<std::string, std::string>& options_;
  const HierarchySource* source_;
  const CancelToken& cancel_;
  AssignmentRef assignment_;
  Status status_ = Status::ok;
  std::string err_;
  std::string msg_;
  std::vector<std::pair<std::string, std::string>> fields_;
  mutable std::optional<std::vector<Node>> ancestors_;
  Data no_data_;
};

}  // namespace ramify
