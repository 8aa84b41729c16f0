// `ramify keygen DIR`: CURVE keypairs for the broker, the sink, the workers and
// clients (tail, status), and the allowlist the broker and the sink admit.

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "common/curve_keys.hpp"
#include "common/errors.hpp"

namespace po = boost::program_options;

namespace ramify {

int keygen_command(const Arguments& args) {
  po::options_description options("ramify keygen options");
  options.add_options()("help,h", "show this help")
      ("dir", po::value<std::string>(), "the keys folder to create or add to")
      ("name", po::value<std::string>(), "make one more key with this name (e.g. worker-hostb) instead of the four roles");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  if (vm.count("help") || !vm.count("dir")) {
    std::cout << "Usage: ramify keygen DIR [--name NAME]\n"
                 "Writes CURVE keypairs (Z85): DIR/ROLE.key (secret, mode 0600) and DIR/ROLE.pub for the roles\n"
                 "broker, sink, worker and client (tail, status), and DIR/allowed/*.pub, the public keys the\n"
                 "broker and the sink admit. Give the daemons --keys DIR. A host needs its own .key plus\n"
                 "broker.pub and sink.pub; --name NAME adds a key of its own for one more host (give that host\n"
                 "NAME.key as worker.key). Keys are never overwritten.\n\n"
              << options << "\n";
    return vm.count("help") ? kExitOk : kExitUsage;
  }
  const std::string dir = vm["dir"].as<std::string>();
  std::vector<std::string> names = {"broker", "sink", "worker", "client"};
  if (vm.count("name")) {
    const std::string name = vm["name"].as<std::string>();
    if (name.empty() || name.find_first_of("/. ") != std::string::npos)
      throw ConfigError("--name: '" + name + "' is not a plain name");
    names = {name};
  }
  // "keys/" and "keys" name the same folder: paths are joined, never glued ("keys//broker.key").
  const std::filesystem::path folder(dir);
  for (const auto& name : names) {
    write_keypair(dir, name, generate_keypair());
    std::cout << "wrote " << (folder / (name + ".key")).string() << " and " << name << ".pub\n";
  }
  std::cout << "the broker and the sink admit the keys in " << (folder / "allowed/").string() << "\n";
  return kExitOk;
}

}  // namespace ramify
