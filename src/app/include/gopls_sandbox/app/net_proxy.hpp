// Issue 14 in the launcher: which network mode a launch uses, the proxy mode's allowlist (from
// the host's Go environment and --allow-host), the environment inside, and the proxy that
// serves the sandbox's endpoint for the duration of the launch.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/doctor.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/net_allowlist.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {
class HttpProxy;
}

namespace gsb::app {

class DenialLog;

struct NetSetup {
  core::NetMode mode = core::NetMode::None;
  core::Allowlist allow;   // proxy mode
  uint16_t port = 0;       // proxy and none modes: the endpoint inside (127.0.0.1:port)
  uint32_t listen_addr = 0x7f000001;  // host order; a test hook makes it unavailable
  // none mode: a one-line warning when a workspace's go.mod requires modules that are not in
  // GOMODCACHE (gopls cannot download them: the launcher says so instead of leaving only gopls'
  // "dial tcp ... connection refused"). Empty otherwise.
  std::string missing_modules;
  // Test hook (GOPLS_SANDBOX_TEST_RESOLVE="name=ip,..."): the proxy's answers for these names.
  std::map<std::string, std::string> test_hosts;
};

// The mode from the options; in proxy mode the allowlist from `go env` (GOPROXY, GOSUMDB,
// GONOSUMDB, GOPRIVATE, GONOPROXY; `go` may be empty: the environment then) and allow_hosts.
// Unparseable values are usage errors (exit 2).
Result<NetSetup> decide_net(const core::Options& o, const std::map<std::string, std::string>& env,
                            const std::string& go, const std::vector<std::string>& workspaces = {},
                            const std::string& gomodcache = {});
// Modules go.mod in `workspace` requires that GOMODCACHE lacks ("path@version"), at most `limit`.
std::vector<std::string> missing_modules(const std::string& workspace, const std::string& gomodcache,
                                         size_t limit = 64);
// Proxy mode: *_PROXY inside point at the endpoint, NO_PROXY removed.
void apply_net_to_plan(core::Plan& plan, const NetSetup& net);
json::Value net_json(const NetSetup& net);
// At start: -v the mode (and allowlist); always the none mode's missing-modules warning.
void say_net(const NetSetup& net, bool verbose);
// One line for doctor: "network: proxy (allowed: proxy.golang.org:443, sum.golang.org:443)".
std::string net_doctor_line(const NetSetup& net);

// doctor: the network mode of a launch in `workspace` and, in none mode, whether go.mod's
// requirements are all in GOMODCACHE (a warning naming the first missing ones otherwise).
core::Check network_check(const std::string& workspace, const std::optional<std::string>& gopls);

// The proxy of one launch: refusals go to the denial log (event "network"), the summary and
// (tell_client, once per session) the editor. Proxy mode: the allowlist decides. None mode: the
// same endpoint refuses everything and never connects anywhere: a program inside learns why
// ("network is off (--net none)") instead of a bare "connection refused".
class NetSession {
 public:
  using TellClient = std::function<void(const std::string& key, const std::string& text)>;
  NetSession(const NetSetup& net, DenialLog* log, bool verbose, int sandbox_pid_hint = 0);
  ~NetSession();
  // Set before start(): the first refusal of the session is also shown in the editor.
  void set_tell_client(TellClient t);
  // The listening socket pid 1 created inside (ownership taken). 0 or errno.
  int start(int listen_fd);
  void set_sandbox_pid(int pid) { sandbox_pid_ = pid; }
  // Stops the proxy; afterwards no proxy thread touches the log or tell_client (a thread that
  // outlives stop(), stuck in the resolver, only finds the session closed).
  void stop();
  uint64_t refused() const;
  // "2 network connections refused: evil.example.com:443 ×1, ... — see FILE" ("" when none).
  std::string summary(const std::string& log_path) const;
  // The editor's message for the first refusal (exposed for tests).
  static std::string client_message(const NetSetup& net, const std::string& host, uint16_t port,
                                    const std::string& why, const std::string& log_path);

  // The editor message key of none mode (the start-up "go.mod requires ... not in GOMODCACHE"
  // uses it too: the network being off is said once).
  static const char* const kNoneKey;

  // What the proxy's threads use, owned jointly by them and the session.
  struct Shared;

 private:
  bool verbose_;
  int sandbox_pid_ = 0;
  std::shared_ptr<Shared> sh_;
  std::unique_ptr<sys::HttpProxy> proxy_;
};

// The endpoint's port inside, for any mode that has one (proxy and none), 0 otherwise.
uint16_t net_endpoint_port(const NetSetup& net);

}  // namespace gsb::app
