#pragma once
// The Context a curator sees for one node (or, without a node, in finalize).
// It builds the node's log rows as they come and its outcome row at the end.

#include <memory>
#include <optional>

#include "engine/cancel_token.hpp"
#include "engine/context_services.hpp"
#include "hierarchy/hierarchy_source.hpp"
#include "hierarchy/walker.hpp"
#include "protocol/messages.hpp"

namespace ramify {

class NodeContext : public Context {
 public:
  struct Services {
    RecordSink& records;
    const CuratorOptions& options;
    const HierarchySource* source;  // null: no local files
    const CancelToken* cancel;      // null: never cancelled
    InputProvider* inputs;          // null: the job has no inputs here
  };
  // `frame` is null for finalize and finalize_run; `listing` may be null.
  NodeContext(WalkFrame* frame, const ChildListing* listing, const Services& services, AssignmentRef assignment);

  void log(Severity severity, std::string_view message) override;
  void finding(std::string_view error) override;
  void log_about(const Node& node, Severity severity, std::string_view message,
                 const std::vector<std::pair<std::string, std::string>>& fields) override;
  void record(std::string_view key, std::string_view value) override;
  void record_field(Field field) override;
  void log_fields_about(const Node& node, Severity severity, std::string_view message,
                        const std::vector<Field>& fields) override;
  using Context::record;  // record(key, number)
  void fail(std::string_view error) override;
  void skip(std::string_view reason) override;
  const std::vector<Node>& ancestors() const override;
  const std::vector<Node>& children() const override;
  Data& data() override;
  std::string option(std::string_view key, std::string_view fallback) const override;
  std::string local_path(const Node& node) const override;
  std::string input_path(std::string_view name) override;
  bool cancelled() const override { return services_.cancel && services_.cancel->cancelled(); }
  int cancel_fd() const override { return services_.cancel ? services_.cancel->fd() : -1; }

  // The node was cut short by the abort: "skipped", whatever happened before.
  void mark_interrupted();
  Status status() const { return status_; }
  const std::string& failure_text() const { return err_; }
  // The outcome row of the node (call once, after the hooks ran).
  LogRecord outcome() const;
  const std::vector<Field>& fields() const { return fields_; }
  std::size_t findings() const { return findings_; }

 private:
  LogRecord base_record(RecordKind kind) const;

  WalkFrame* frame_;
  const ChildListing* listing_;
  Services services_;
  AssignmentRef assignment_;
  std::size_t findings_ = 0;
  Status status_ = Status::ok;
  std::string err_;
  std::string msg_;
  std::vector<Field> fields_;
  mutable std::optional<std::vector<Node>> ancestors_;
  Data no_data_;
  std::vector<Node> no_children_;
};

}  // namespace ramify
