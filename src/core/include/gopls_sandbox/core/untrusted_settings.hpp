// Settings an editor passes on can come from the repository being opened: VS Code applies a
// workspace's .vscode/settings.json `go.languageServerFlags` (our argv) and, once the user
// trusts the folder, `go.toolsEnvVars` (our GOPLS_SANDBOX_*); Neovim's exrc and direnv do the
// same for shells and editors. So argv, the environment and a config file named by
// GOPLS_SANDBOX_CONFIG are not the user's word the way ~/.config/gopls-sandbox/config.toml is.
// What follows from that: every setting from those sources that weakens the sandbox is said to
// the user (stderr and the editor), and the launcher's own output files never overwrite or
// extend a file that is not one of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// The settings in `o` that give sandboxed code more than the defaults (and every --workspace:
// the folders normally come from the editor's initialize), each as the option that
// sets it and its value ("--net host", "--bind /home/u/.ssh", "--env AWS_SECRET_ACCESS_KEY"),
// in a fixed order. Empty for the defaults and for settings that only narrow (net none, cache
// private, require namespaces, inode-check strict).
std::vector<std::string> weakenings(const Options& o);

// The one line (stderr) and the editor's message about them; "" when `w` is empty.
std::string weakening_message(const std::vector<std::string>& w);

// Whether the launcher may write its output at `path`: its denial log (appended to, `--log`) or
// its metrics file (replaced, `--metrics`). `head` is the first bytes of the existing regular
// file there (nullopt: no file). An existing file qualifies only if it starts the way the
// launcher's own files do: a denial log with `{"time":"`, a metrics file with
// `# HELP gopls_sandbox_`. Usage error (exit 2) otherwise, with the reason and the fix.
enum class OutputKind { DenialLog, Metrics };
Result<void> check_output_target(OutputKind kind, const std::string& path, const std::optional<std::string>& head);
// How many bytes of an existing file check_output_target looks at.
constexpr size_t kOutputHeadBytes = 32;

}  // namespace gsb::core
