#pragma once
// Loads a curator plugin: a shared library built against include/ramify/curator.hpp
// that exports its class with RAMIFY_CURATOR_PLUGIN.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "ramify/curator.hpp"

namespace ramify {

// Destroys a curator the way it was made. Default (or converted from
// std::default_delete, so `CuratorPtr p = std::make_unique<NoopCurator>()`
// works): plain `delete`. From load_plugin: the plugin's
// ramify_destroy_curator, and the library stays loaded as long as this
// deleter (hence its CuratorPtr) exists; the last one dlcloses it.
class CuratorDeleter {
 public:
  CuratorDeleter() noexcept = default;
  template <class T, class = std::enable_if_t<std::is_convertible_v<T*, Curator*>>>
  CuratorDeleter(std::default_delete<T> /*built_in*/) noexcept {}  // NOLINT: implicit on purpose
  CuratorDeleter(ramify_destroy_curator_fn* destroy, std::shared_ptr<void> library) noexcept
      : destroy_(destroy), library_(std::move(library)) {}

  void operator()(Curator* curator) const noexcept;

 private:
  ramify_destroy_curator_fn* destroy_ = nullptr;  // null: built-in, use delete
  std::shared_ptr<void> library_;                 // the dlopen handle (null for built-ins)
};

using CuratorPtr = std::unique_ptr<Curator, CuratorDeleter>;

// Loads the plugin at `path` (dlopen RTLD_NOW | RTLD_LOCAL; a relative path is
// taken from the current directory, never searched for) and creates its
// curator from `options` (the [curator] section). The ABI version is checked
// before anything is created. Thread-safe; loading one path several times is
// fine (the library is loaded once and counted).
//
// Throws ConfigError with one line:
//   plugin P: cannot load: <why, from dlerror>
//   plugin P: not a ramify curator plugin (no ramify_curator_abi_version)
//   plugin P was built for curator ABI 7; this ramify needs ABI 1 to 2 (rebuild it against include/ramify/curator.hpp)
//   plugin P: not a ramify curator plugin (no ramify_create_curator)      (or ramify_destroy_curator)
//   plugin P: ramify_create_curator returned nothing
//   plugin P: its constructor threw std::out_of_range (map::at): a [curator] option it needs may be missing from the job
//   plugin P: <what() of any other exception thrown while creating the curator>
CuratorPtr load_plugin(const std::string& path, const CuratorOptions& options);

}  // namespace ramify
