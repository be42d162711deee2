// Issue 13: what Go needs outside a workspace folder — the go.work above it and its `use`
// modules, local `replace` targets, the module root of a folder inside a module, GOPATH/src in
// GOPATH mode, a -modfile in GOFLAGS — found by reading go.work/go.mod ourselves (nothing from
// the workspace runs on the host). Pure: the host is reached only through DiscoveryFs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// The directives of a go.mod or go.work file that name directories.
struct GoModFile {
  std::vector<std::string> use;           // go.work: `use` paths as written
  std::vector<std::string> replace_dirs;  // `replace ... => PATH` with a local PATH, as written
  std::vector<std::pair<std::string, std::string>> require;  // (module path, version)
  std::vector<std::string> replaced;      // module paths on the left of any `replace`
};
GoModFile parse_gomod(std::string_view text);
// Go's rule: a replacement is a directory when it starts with ./ or ../ or is absolute.
bool is_local_replacement(std::string_view path);

struct DiscoveryEnv {
  std::string gowork;       // $GOWORK ("off", a file, or "" = search upwards)
  std::string go111module;  // $GO111MODULE
  std::string gopath;       // GOPATH as `go env` reports it (':'-separated)
  std::string goflags;      // $GOFLAGS
  std::string home, home_real, runtime_dir;
};

struct DiscoveryFs {
  std::function<std::optional<std::string>(const std::string&)> read;  // small regular file
  std::function<bool(const std::string&)> is_dir;
  std::function<bool(const std::string&)> is_file;
};

struct ExtraBind {
  std::string path;  // where Go looks (lexical, from the folder as given)
  bool ro = true;
  bool is_file = false;
  std::string why;   // "go.work", "go.work use", "replace", "module root", "GOPATH", "-modfile"
};

struct Discovery {
  std::vector<ExtraBind> binds;
  std::vector<std::string> notes;  // refused or missing paths, for -v and the client message
};

// `folders`: the workspace folders (absolute, as given, and their real paths too if they differ).
Discovery discover_go_paths(const std::vector<std::string>& folders, const DiscoveryEnv& env, const DiscoveryFs& fs);

// Go's module cache escaping: every upper-case letter becomes '!' + its lower case.
std::string escape_module_path(std::string_view path);
// The requirements of `mod` that are neither replaced nor present in `gomodcache` (checked with
// has_file on GOMODCACHE/cache/download/<escaped>/@v/<version>.mod): they need the network.
std::vector<std::pair<std::string, std::string>> missing_requirements(
    const GoModFile& mod, const std::string& gomodcache, const std::function<bool(const std::string&)>& has_file);

// Why an extra path must not be bound ("" if it may): / , home or above, /tmp, /run, /proc...
std::string extra_path_refusal(const std::string& path, const DiscoveryEnv& env);

}  // namespace gsb::core
