// Where the launcher's settings come from (core/config.hpp has the schema, the precedence rule,
// the merge and the codec): the caller's environment, the config file, GOPLS_SANDBOX_*, argv and,
// once the profile is known, its [sandbox] table. All resolved before the sandbox exists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

// The caller's environment as a map (from environ), and as a list.
std::map<std::string, std::string> environment_map();
std::vector<std::string> environment_list();
// The environment for running the host's `go` (go env): GOTOOLCHAIN=local, so that nothing in a
// workspace can make the host download and run another toolchain.
std::vector<std::string> host_go_environment();

// Where profile names are looked up: GOPLS_SANDBOX_PROFILE_PATH, then the standard places.
std::vector<std::string> profile_search_path(const std::map<std::string, std::string>& env);
// $XDG_CACHE_HOME/gopls-sandbox (or ~/.cache/...): the launcher's caches; "" without HOME.
std::string launcher_cache_dir(const std::map<std::string, std::string>& env);

// Options from the config file and GOPLS_SANDBOX_*, then `cli` on top.
Result<core::Options> resolve_options(const core::Options& cli, const std::map<std::string, std::string>& env);
// The settings from argv, GOPLS_SANDBOX_* and a config file GOPLS_SANDBOX_CONFIG names (sources
// a repository's editor settings can reach) that weaken the sandbox: core::weakenings of them.
std::vector<std::string> untrusted_weakenings(const core::Options& cli, const std::map<std::string, std::string>& env);
// The launcher's output files (--log, --metrics) may only be new files or its own earlier output
// (core::check_output_target): checked before the sandbox starts, exit 2 otherwise.
Result<void> check_output_files(const core::Options& o);

// The GOPLS_SANDBOX_TEST_* hooks (test-only behaviour: a failing overlay, a failing proxy
// endpoint, fixed name resolutions for the proxy) are honoured only when a file named
// gopls-sandbox.test-hooks sits beside the launcher's executable, as the integration tests' copy
// has: the environment can come from a repository's editor settings, and TEST_RESOLVE would let
// an allowlisted name lead to any address. An installed launcher has no such file.
bool test_hooks_enabled();
std::string test_hook(const std::map<std::string, std::string>& env, const char* name);

// The final settings of a launch: the profile's [sandbox] table under the resolved options.
core::Options with_profile_settings(const core::Options& profile_settings, const core::Options& resolved);

}  // namespace gsb::app
