#include "worker/curator_factory.hpp"

#include "common/errors.hpp"
#include "worker/exec_curator.hpp"
#include "worker/noop_curator.hpp"

namespace ramify {

std::unique_ptr<Curator> make_curator(const JobSpec& spec) {
  const std::string name = spec.curator();
  if (name == "noop") return std::make_unique<NoopCurator>();
  if (name == "exec") return std::make_unique<ExecCurator>(spec);
  throw ConfigError("unknown curator '" + name + "'");
}

}  // namespace ramify
