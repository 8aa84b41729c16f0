#include "broker/run_finalize.hpp"

#include "curators/curator_factory.hpp"
#include "engine/node_context.hpp"

namespace ramify {

void finalize_run(BrokerRun& run) {
  struct Collect : RecordSink {
    std::vector<LogRecord>& out;
    explicit Collect(std::vector<LogRecord>& o) : out(o) {}
    void add(LogRecord record) override { out.push_back(std::move(record)); }
  } collect(run.final_records);
  std::vector<AssignmentResult> results;
  for (const AssignmentStatus& a : run.scheduler->assignments()) {
    if (a.state != AssignmentState::done) continue;
    results.push_back(
        AssignmentResult{a.spec.root, a.spec.ancestors, a.spec.kind == AssignmentKind::shallow, a.root_fields});
  }
  const CuratorOptions curator_options = run.options.spec.section("curator");
  const NodeContext::Services services{collect, curator_options, run.source.source.get(), nullptr, nullptr};
  NodeContext ctx(nullptr, nullptr, services, AssignmentRef{});
  try {
    auto curator = make_curator(run.options.spec);
    curator->finalize_run(results, ctx);
  } catch (const std::exception& e) {
    ctx.fail(std::string("finalize_run: ") + e.what());
  }
  if (ctx.status() == Status::failed) {
    run.log->error("the run's finalize failed: {}", ctx.failure_text());
    run.scheduler->fail_run("finalize: " + ctx.failure_text());
    ctx.error("the run's finalize failed: " + ctx.failure_text());
  }
}

}  // namespace ramify
