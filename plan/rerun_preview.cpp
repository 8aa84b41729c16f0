#include "plan/rerun_preview.hpp"

#include "broker/partitioner.hpp"
#include "curators/curator_factory.hpp"
#include "engine/incremental_scan.hpp"
#include "hierarchy/memory_source.hpp"
#include "hierarchy/source_factory.hpp"
#include "state/level_stamps.hpp"
#include "state/stored_baseline.hpp"

namespace ramify {

std::optional<RerunPreview> preview_rerun(const JobSpec& spec) {
  const std::string path = spec.get("job", "state");
  if (path.empty()) return std::nullopt;
  RerunPreview preview{path, spec.get("job", "rerun")};
  const StoredBaseline baseline = preview.mode == "all" ? StoredBaseline{} : StoredBaseline::load(path);
  const auto stamps = curator_stamps(spec, "plan");
  // The job's own curator says whether it takes carried nodes (a plugin or a python module is loaded, as the broker
  // does).
  CuratorPtr curator;
  try {
    curator = make_curator(spec);
  } catch (const std::exception&) {
    curator.reset();  // as if it took none: the preview errs towards curating
  }
  const auto* aware = dynamic_cast<const CarryAware*>(curator.get());

  OpenedSource opened = open_source(spec);
  PartitionOptions partitioning = partition_options(spec, opened.manifest != nullptr);
  partitioning.with_nodes = false;
  const WalkRules rules = WalkRules::from(spec);
  std::uint64_t stored_seen = 0;
  for (const AssignmentSpec& a : partition(*opened.source, partitioning, opened.manifest)) {
    Assign assignment;
    assignment.root = a.root;
    assignment.ancestors = a.ancestors;
    assignment.kind = a.kind;
    assignment.level_stamps = stamps;
    assignment.rerun_failed_only = preview.mode == "failed";
    assignment.baseline = baseline.below(search_key_of(a.ancestors, a.root), a.kind == AssignmentKind::shallow);
    std::unique_ptr<HierarchySource> source;
    if (opened.manifest) {
      source = std::make_unique<MemorySource>(a.root, assignment_nodes(a, *opened.manifest));
    } else {
      auto directory = directory_source(spec);
      directory->keep_stamps();
      source = std::move(directory);
    }
    ListingCache listings(*source);
    const WalkPlan plan{a.root, a.ancestors, spec.order(), a.kind == AssignmentKind::shallow, {}};
    const IncrementalScan scan(listings, plan, rules, assignment, opened.manifest == nullptr, aware);
    preview.carried += scan.carried();
    preview.curated += scan.scanned() - scan.carried();
    stored_seen += scan.stored_seen();
  }
  preview.gone = baseline.size() > stored_seen ? baseline.size() - stored_seen : 0;
  return preview;
}

}  // namespace ramify
