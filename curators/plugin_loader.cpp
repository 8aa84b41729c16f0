#include "curators/plugin_loader.hpp"

#include <dlfcn.h>

#include <mutex>

#include "util/errors.hpp"

namespace ramify {
namespace {

// dlerror() is per-thread in glibc but not everywhere: dlopen/dlsym/dlerror
// sequences run under this lock so each reads its own error.
std::mutex& dl_mutex() {
  static std::mutex mutex;
  return mutex;
}

// `text` with line breaks turned into spaces: errors are reported on one line.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

// dlerror()'s text, without the "<file>: " prefix it usually repeats.
std::string last_dl_error(const std::string& file) {
  const char* raw = dlerror();
  std::string text = raw ? raw : "unknown error";
  if (text.rfind(file + ": ", 0) == 0) text.erase(0, file.size() + 2);
  return one_line(std::move(text));
}

// The exported symbol `name`, or nullptr. Call with dl_mutex() held.
void* find_symbol(void* handle, const char* name) {
  dlerror();  // clear a stale error
  return dlsym(handle, name);
}

}  // namespace

void CuratorDeleter::operator()(Curator* curator) const noexcept {
  if (!curator) return;
  if (destroy_)
    destroy_(curator);  // the library is still loaded: library_ outlives this call
  else
    delete curator;
}

CuratorPtr load_plugin(const std::string& path, const CuratorOptions& options) {
  const std::string where = "plugin " + path;
  // Without a '/', dlopen would search the library path instead of opening this file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;

  std::shared_ptr<void> library;
  ramify_create_curator_fn* create = nullptr;
  ramify_destroy_curator_fn* destroy = nullptr;
  {
    std::lock_guard lock(dl_mutex());
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw ConfigError(where + ": cannot load: " + last_dl_error(file));
    library = std::shared_ptr<void>(handle, [](void* h) {
      std::lock_guard close_lock(dl_mutex());
      dlclose(h);
    });

    auto* abi = reinterpret_cast<ramify_abi_version_fn*>(find_symbol(handle, "ramify_curator_abi_version"));
    if (!abi) throw ConfigError(where + ": not a ramify curator plugin (no ramify_curator_abi_version)");
    const int version = abi();
    if (version < kOldestCuratorAbiVersion || version > kCuratorAbiVersion)
      throw ConfigError(where + " was built for curator ABI " + std::to_string(version) + "; this ramify needs ABI " +
                        std::to_string(kOldestCuratorAbiVersion) + " to " + std::to_string(kCuratorAbiVersion) +
                        " (rebuild it against include/ramify/curator.hpp)");

    create = reinterpret_cast<ramify_create_curator_fn*>(find_symbol(handle, "ramify_create_curator"));
    if (!create) throw ConfigError(where + ": not a ramify curator plugin (no ramify_create_curator)");
    destroy = reinterpret_cast<ramify_destroy_curator_fn*>(find_symbol(handle, "ramify_destroy_curator"));
    if (!destroy) throw ConfigError(where + ": not a ramify curator plugin (no ramify_destroy_curator)");
  }

  // The plugin's constructor may be slow or throw: outside the lock.
  Curator* curator = nullptr;
  try {
    curator = create(&options);
  } catch (const std::out_of_range& e) {  // options.at("key") of an option the job does not set, say
    throw ConfigError(where + ": its constructor threw std::out_of_range (" + one_line(e.what()) +
                      "): a [curator] option it needs may be missing from the job");
  } catch (const std::exception& e) {
    throw ConfigError(where + ": " + one_line(e.what()));
  } catch (...) {
    throw ConfigError(where + ": ramify_create_curator threw something that is not a std::exception");
  }
  if (!curator) throw ConfigError(where + ": ramify_create_curator returned nothing");
  return CuratorPtr(curator, CuratorDeleter(destroy, std::move(library)));
}

}  // namespace ramify
