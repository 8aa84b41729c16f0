#include "curators/curator_factory.hpp"

#include "curators/checksum_curator.hpp"
#include "curators/exec_curator.hpp"
#include "curators/inventory_curator.hpp"
#include "curators/noop_curator.hpp"
#include "curators/python_curator.hpp"
#include "curators/validate_curator.hpp"
#include "util/errors.hpp"

namespace ramify {

CuratorPtr make_curator(const JobSpec& spec, CuratorHost host) {
  const std::string name = spec.curator();
  if (name == "noop") return std::make_unique<NoopCurator>();
  if (name == "exec") return std::make_unique<ExecCurator>(spec);
  if (name == "checksum") return std::make_unique<ChecksumCurator>(spec);
  if (name == "inventory") return std::make_unique<InventoryCurator>();
  if (name == "validate") return std::make_unique<ValidateCurator>(spec);
  if (name == "plugin") return load_plugin(spec.get("job", "plugin"), spec.section("curator"));
  if (name == "python")
    return std::make_unique<PythonCurator>(spec, host == CuratorHost::job_host ? PythonCurator::ModuleFrom::file
                                                                               : PythonCurator::ModuleFrom::shared_input);
  throw ConfigError("unknown curator '" + name + "'");
}

}  // namespace ramify
