// The client->server settings filter (docs/threat-model.md, "forged server messages"): gopls
// takes environment variables for what it runs from its settings — any key whose last dotted part
// is `env` (`build.env`, `env`, `.env`) in initializationOptions and in the answers to its
// workspace/configuration requests — and a repository can supply settings (.vscode/settings.json,
// an editor's project-local configuration). Some of them make gopls start a program of the
// settings' choosing itself, outside the go shim's nested Landlock domain, where it could reach
// gopls through /proc: GOPACKAGESDRIVER (go/packages runs the driver directly), PATH (gopls'
// govulncheck child finds its `go` on it), LD_PRELOAD and the loader's other variables (gopls
// re-executing itself for govulncheck loads them). So an env object keeps only well-formed names
// the sandbox would pass from the caller's environment anyway, minus GOPACKAGESDRIVER and PATH, in
// every client message, before gopls sees it (adversarial reviews of 2026-12-04).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// Names removed from a settings env object even though the sandbox passes them from the caller.
inline constexpr const char* kUnsafeSettingsEnv[] = {"GOPACKAGESDRIVER", "PATH"};

// Whether `body` may carry an env object: it contains "env" literally, or a \u escape (which could
// spell it). A body for which this is false needs no parsing.
bool may_name_unsafe_env(std::string_view body);

struct SettingsFilterResult {
  enum Kind { Unchanged, Rewritten, Unparsable } kind = Unchanged;
  std::string body;                  // Rewritten: the new body (one JSON document)
  std::vector<std::string> removed;  // "build.env.GOPACKAGESDRIVER", ... (Rewritten)
};
// Parses `body` and removes what may not stay from every object that is the value of a key whose
// last dotted part is "env", at any depth. Unparsable: not one JSON document (the caller drops it: gopls' decoder
// is more lenient than this parser, so it cannot be forwarded unexamined).
SettingsFilterResult filter_settings_env(std::string_view body);
// The one line said about a result that is not Unchanged (stderr and the editor).
std::string settings_filter_notice(const SettingsFilterResult& r);

// The client's stream, whole frames at a time, through filter_settings_env (for a relay that
// does not frame the client's input itself: --metrics). Bytes after a header that is not LSP
// framing pass as they come (gopls will not read them as LSP either); a body over 64 MiB ends the
// output (it cannot be examined).
class LspClientSettingsFilter {
 public:
  static constexpr size_t kMaxBody = 64u << 20;
  // Appends what may go to the server now to `out`, and a line per change to `notices`.
  void feed(std::string_view data, std::string& out, std::vector<std::string>& notices);
  bool ended() const { return ended_; }

 private:
  std::string buf_;
  bool raw_ = false, ended_ = false;
};

}  // namespace gsb::core
