// `ramify keygen DIR`: CURVE keypairs for the broker, the sink, the workers and
// clients (tail, status), and the allowlists (one per role) the broker and
// the sink admit.

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "net/curve_keys.hpp"
#include "util/errors.hpp"

namespace po = boost::program_options;

namespace ramify {

int keygen_command(const Arguments& args) {
  po::options_description options("ramify keygen options");
  options.add_options()("help,h", "show this help")
      ("dir", po::value<std::string>(), "the keys folder to create or add to")
      ("name", po::value<std::string>(), "make one more key with this name (e.g. hostb) instead of the four roles")
      ("role", po::value<std::string>(), "with --name: what the key may do: worker, sink or client (default: read from a name that starts with one)")
      ("upgrade", "move the keys of an old folder (allowed/*.pub) into the role folders");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  if (vm.count("help") || !vm.count("dir")) {
    std::cout << "Usage: ramify keygen DIR [--name NAME [--role ROLE]] [--upgrade]\n"
                 "Writes CURVE keypairs (Z85): DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub for the broker,\n"
                 "the sink, a worker and a client (tail, status), and the allowlists the broker and the sink admit,\n"
                 "one folder per role: allowed/workers/, allowed/sinks/, allowed/clients/. A key is admitted only\n"
                 "where its role may go. Give the daemons --keys DIR. A host needs its own key plus broker.pub and\n"
                 "sink.pub; --name NAME --role ROLE adds a key for one more host (give it --key DIR/NAME.key).\n"
                 "Keys are never overwritten.\n\n"
              << options << "\n";
    return vm.count("help") ? kExitOk : kExitUsage;
  }
  const std::filesystem::path dir(vm["dir"].as<std::string>());
  if (vm.count("upgrade")) {
    for (const auto& line : upgrade_allowed(dir.string())) std::cout << "moved " << line << "\n";
    std::cout << "the allowed keys of " << dir.string() << " are in role folders now\n";
    return kExitOk;
  }
  std::vector<std::pair<std::string, std::optional<KeyRole>>> keys = {
      {"broker", std::nullopt}, {"sink", KeyRole::sink}, {"worker", KeyRole::worker}, {"client", KeyRole::client}};
  if (vm.count("name")) {
    const std::string name = vm["name"].as<std::string>();
    if (name.empty() || name.find_first_of("/. ") != std::string::npos)
      throw ConfigError("--name: '" + name + "' is not a plain name");
    std::optional<KeyRole> role;
    if (vm.count("role")) {
      role = key_role_named(vm["role"].as<std::string>());
      if (!role) throw ConfigError("--role: '" + vm["role"].as<std::string>() + "' is not worker, sink or client");
    } else {
      for (KeyRole candidate : {KeyRole::worker, KeyRole::sink, KeyRole::client})
        if (name.rfind(to_string(candidate), 0) == 0) role = candidate;
      if (!role) throw ConfigError("--name " + name + ": say what the key may do with --role worker, sink or client");
    }
    keys = {{name, role}};
  } else if (vm.count("role")) {
    throw ConfigError("--role goes with --name");
  }
  for (const auto& [name, role] : keys) {
    write_keypair(dir.string(), name, generate_keypair(), role);
    std::cout << "wrote " << (dir / (name + ".key")).string() << " and " << name << ".pub"
              << (role ? std::string(", admitted as a ") + to_string(*role) : std::string()) << "\n";
  }
  std::cout << "the broker and the sink admit the keys in " << (dir / "allowed").string()
            << "/{workers,sinks,clients}/, each where its role may go\n";
  return kExitOk;
}

}  // namespace ramify
