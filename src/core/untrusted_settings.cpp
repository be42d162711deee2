#include "gopls_sandbox/core/untrusted_settings.hpp"

#include "gopls_sandbox/core/landlock_only.hpp"
#include "gopls_sandbox/core/net_allowlist.hpp"

namespace gsb::core {

std::vector<std::string> weakenings(const Options& o) {
  std::vector<std::string> w;
  // Not a weakening when the user names the folder, but a repository's settings naming
  // `--workspace ~/.ssh` would give sandboxed code that directory read-write.
  for (const auto& d : o.workspaces) w.push_back("--workspace " + d);
  NetMode net = effective_net_mode(o);
  if (net == NetMode::Host) w.push_back("--net host");
  if (net == NetMode::Proxy)
    for (const auto& h : o.allow_hosts) w.push_back("--allow-host " + h);
  if (o.cache_mode && *o.cache_mode == CacheMode::Shared) w.push_back("--cache-mode shared");
  if (o.writable_vcs.value_or(false)) w.push_back("--writable-vcs");
  for (const auto& b : o.binds) w.push_back("--bind " + b);
  for (const auto& b : o.ro_binds) w.push_back("--ro-bind " + b);
  for (const auto& e : o.env) w.push_back("--env " + e.substr(0, e.find('=')));
  if (o.profile && (*o.profile == "none" || o.profile->find('/') != std::string::npos))
    w.push_back("--profile " + *o.profile);
  if (o.inode_check && *o.inode_check == InodeCheck::Off) w.push_back("--inode-check off");
  if (o.require && *o.require == Require::None) w.push_back("--require none");
  return w;
}

std::string weakening_message(const std::vector<std::string>& w) {
  if (w.empty()) return {};
  std::string list;
  for (const auto& s : w) list += (list.empty() ? "" : ", ") + s;
  return "reduced isolation requested by the command line or environment the editor passed: " + list +
         ". A repository's own settings can pass these (VS Code: go.languageServerFlags, go.toolsEnvVars in "
         ".vscode/settings.json): if you did not choose them, check that file; choices of your own belong in "
         "~/.config/gopls-sandbox/config.toml, which does not trigger this message";
}

Result<void> check_output_target(OutputKind kind, const std::string& path, const std::optional<std::string>& head) {
  if (!head || head->empty()) return {};
  const std::string_view sig = kind == OutputKind::DenialLog ? "{\"time\":\"" : "# HELP gopls_sandbox_";
  if (head->compare(0, sig.size(), sig) == 0) return {};
  const char* opt = kind == OutputKind::DenialLog ? "--log" : "--metrics";
  const char* what = kind == OutputKind::DenialLog ? "append the denial log to" : "replace";
  return Error::usage(std::string(opt) + " " + path + ": refusing to " + what +
                      " an existing file that is not one of gopls-sandbox's own (it does not start with " +
                      std::string(sig) + "); name a new file, or remove this one if it really is an old output");
}

}  // namespace gsb::core
