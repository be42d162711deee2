// The client->server settings filter (docs/threat-model.md, "forged server messages"): gopls
// takes environment variables for what it runs from its settings — `build.env` (any key whose
// last dotted part is `env`) in initializationOptions, in the answers to its
// workspace/configuration requests and in didChangeConfiguration — and a repository can supply
// settings (.vscode/settings.json, an editor's project-local configuration). Two of them make gopls
// start a program of the settings' choosing itself, outside the go shim's nested Landlock domain,
// where it could reach gopls through /proc: GOPACKAGESDRIVER (go/packages runs the driver directly)
// and PATH (gopls' govulncheck child finds its `go` on it). Both are removed from every such env
// object of every client message before gopls sees it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// Names removed from a settings env object.
inline constexpr const char* kUnsafeSettingsEnv[] = {"GOPACKAGESDRIVER", "PATH"};

// Whether `body` may carry one of those names: it contains one literally, or a \u escape (which
// could spell one). A body for which this is false needs no parsing.
bool may_name_unsafe_env(std::string_view body);

struct SettingsFilterResult {
  enum Kind { Unchanged, Rewritten, Unparsable } kind = Unchanged;
  std::string body;                  // Rewritten: the new body (one JSON document)
  std::vector<std::string> removed;  // "build.env.GOPACKAGESDRIVER", ... (Rewritten)
};
// Parses `body` and removes the names from every object that is the value of a key "env" or
// "*.env", at any depth. Unparsable: not one JSON document (the caller drops it: gopls' decoder
// is more lenient than this parser, so it cannot be forwarded unexamined).
SettingsFilterResult filter_settings_env(std::string_view body);

}  // namespace gsb::core
