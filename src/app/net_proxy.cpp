#include "gopls_sandbox/app/net_proxy.hpp"
#include "gopls_sandbox/app/settings.hpp"

#include <dirent.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/supervisor.hpp"
#include "gopls_sandbox/core/denials.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"
#include "gopls_sandbox/core/text.hpp"
#include "gopls_sandbox/sys/http_proxy.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/process.hpp"

namespace gsb::app {

namespace {

std::string get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

std::vector<std::string> missing_modules(const std::string& workspace, const std::string& gomodcache, size_t limit) {
  std::vector<std::string> out;
  if (workspace.empty() || gomodcache.empty()) return out;
  struct stat st;
  std::string gm = workspace + "/go.mod";
  if (::stat(gm.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) return out;
  auto text = sys::read_file(gm);
  if (!text) return out;
  auto missing = core::missing_requirements(core::parse_gomod(*text), gomodcache, [](const std::string& f) {
    struct stat fst;
    return ::stat(f.c_str(), &fst) == 0;
  });
  for (const auto& [path, ver] : missing) {
    if (out.size() >= limit) break;
    out.push_back(path + "@" + ver);
  }
  return out;
}

Result<NetSetup> decide_net(const core::Options& o, const std::map<std::string, std::string>& env,
                            const std::string& go, const std::vector<std::string>& workspaces,
                            const std::string& gomodcache) {
  NetSetup n;
  n.mode = core::effective_net_mode(o);
  // Test hook: pid 1 listens on an address it does not have (the endpoint cannot be created).
  if (test_hook(env, "GOPLS_SANDBOX_TEST_PROXY_FAIL") == "1") n.listen_addr = 0xc0000201;  // 192.0.2.1
  {
    std::string list = test_hook(env, "GOPLS_SANDBOX_TEST_RESOLVE");  // app/settings.hpp
    size_t pos = 0;
    while (pos < list.size()) {
      size_t e = list.find(',', pos);
      if (e == std::string::npos) e = list.size();
      std::string kv = list.substr(pos, e - pos);
      pos = e + 1;
      if (size_t eq = kv.find('='); eq != std::string::npos) n.test_hosts[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  // None mode has the endpoint too, refusing everything with the reason (see NetSession).
  if (n.mode == core::NetMode::None) n.port = core::kSandboxProxyPort;
  if (n.mode != core::NetMode::Proxy) {
    // Validated in every mode: a typo must not wait for the day proxy mode is switched on.
    for (const auto& h : o.allow_hosts)
      if (auto p = core::parse_host_pattern(h); !p) return std::move(p).error();
    if (n.mode == core::NetMode::None && get(env, "GOPROXY") != "off") {
      std::vector<std::string> miss;
      for (const auto& w : workspaces)
        for (auto& m : missing_modules(w, gomodcache, 4)) miss.push_back(std::move(m));
      if (!miss.empty()) {
        n.missing_modules = "--net none: go.mod requires " + miss[0] +
                            (miss.size() > 1 ? " (and " + std::to_string(miss.size() - 1) + " more)" : std::string()) +
                            ", which is not in GOMODCACHE, and the sandbox has no network: gopls will report it "
                            "missing. Use --net proxy to let go download modules (docs/network.md), or run "
                            "`go mod download` on the host";
      }
    }
    return n;
  }
  n.port = core::kSandboxProxyPort;
  // The Go environment the sandbox's go will use: the caller's variables, else go's own (the
  // GOENV file, defaults). `go env` runs only in proxy mode.
  std::map<std::string, std::string> vars;
  static const char* const kVars[] = {"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GONOPROXY"};
  if (!go.empty()) {
    std::vector<std::string> argv = {go, "env", "-json"};
    for (const char* v : kVars) argv.push_back(v);
    auto r = sys::run_capture(argv, host_go_environment());
    if (r && r->status == 0) {
      if (auto j = json::parse(r->out)) {
        for (const char* v : kVars)
          if ((*j)[v].is_string()) vars[v] = (*j)[v].as_string();
      }
    }
  }
  for (const char* v : kVars)
    if (!vars.count(v) && env.count(v)) vars[v] = get(env, v);
  auto a = core::build_allowlist(core::go_net_env(vars), o.allow_hosts);
  if (!a) return std::move(a).error();
  n.allow = std::move(*a);
  return n;
}

void apply_net_to_plan(core::Plan& plan, const NetSetup& net) {
  if (net.mode == core::NetMode::Proxy) core::apply_proxy_env(plan.env, net.port);
  if (net.mode == core::NetMode::None && net.port) {
    // The refusing endpoint: a download then fails with "gopls-sandbox refused HOST:443: network
    // is off (--net none) ..." rather than a DNS or "connection refused" error. The sandbox's
    // own loopback stays direct (there is no route elsewhere anyway).
    core::apply_proxy_env(plan.env, net.port);
    plan.env.push_back("NO_PROXY=localhost,127.0.0.1,::1");
    plan.env.push_back("no_proxy=localhost,127.0.0.1,::1");
  }
}

json::Value net_json(const NetSetup& net) {
  json::Value v;
  v.set("mode", core::net_mode_name(net.mode));
  if (net.mode == core::NetMode::None && net.port)
    v.set("endpoint", "127.0.0.1:" + std::to_string(net.port) + " (refuses everything, with the reason)");
  if (net.mode == core::NetMode::Proxy) {
    v.set("endpoint", "127.0.0.1:" + std::to_string(net.port));
    json::Value hosts;
    hosts.array();
    for (const auto& h : net.allow.hosts) {
      json::Value e;
      e.set("pattern", h.text());
      e.set("ports", h.port ? std::to_string(h.port) : std::string("80,443"));
      e.set("from", h.source);
      hosts.push(std::move(e));
    }
    v.set("allow", std::move(hosts));
    v.set("direct", net.allow.direct);
    json::Value priv;
    priv.array();
    for (const auto& h : net.allow.private_hosts_not_allowed) priv.push(h);
    v.set("private_hosts_not_allowed", std::move(priv));
  }
  return v;
}

void say_net(const NetSetup& net, bool verbose) {
  if (verbose) std::fprintf(stderr, "gopls-sandbox: %s\n", net_doctor_line(net).c_str());
  if (!net.missing_modules.empty()) std::fprintf(stderr, "gopls-sandbox: %s\n", net.missing_modules.c_str());
}

std::string net_doctor_line(const NetSetup& net) {
  switch (net.mode) {
    case core::NetMode::None:
      return "network: none (only lo inside, where an endpoint refuses every connection with the reason; modules "
             "must already be in GOMODCACHE; --net proxy allows downloads)";
    case core::NetMode::Host:
      return "network: host (everything the host reaches, its loopback services and abstract sockets included)";
    case core::NetMode::Proxy: break;
  }
  std::string s = "network: proxy (allowed:";
  if (net.allow.hosts.empty()) s += " nothing";
  for (size_t i = 0; i < net.allow.hosts.size(); ++i) s += (i ? ", " : " ") + net.allow.hosts[i].text();
  s += ")";
  for (const auto& h : net.allow.private_hosts_not_allowed)
    s += "; GOPRIVATE/GONOPROXY host " + h + " is not allowed (--allow-host " + h + ")";
  return s;
}

core::Check network_check(const std::string& workspace, const std::optional<std::string>& gopls) {
  LaunchRequest req;
  req.kind = ProgramKind::Gopls;
  req.cli.workspaces = {workspace};
  req.cli.dry_run = true;
  if (gopls) req.cli.gopls = *gopls;
  auto p = prepare(req);
  if (!p) return {"network", core::CheckStatus::Error, p.error().message, p.error().hint};
  const NetSetup& n = p->net;
  core::Check c{"network", core::CheckStatus::Ok, net_doctor_line(n), ""};
  if (n.mode == core::NetMode::Proxy && !n.allow.private_hosts_not_allowed.empty()) {
    c.status = core::CheckStatus::Warning;
    c.fix = "add --allow-host for the GOPRIVATE/GONOPROXY hosts go must reach (docs/network.md)";
  }
  if (n.mode == core::NetMode::None) {
    std::string gomodcache;
    for (size_t i = 0; i < p->identity_names.size() && i < p->identity_paths.size(); ++i)
      if (p->identity_names[i] == "GOMODCACHE") gomodcache = p->identity_paths[i];
    std::vector<std::string> miss = missing_modules(workspace, gomodcache, 4);
    auto text = sys::read_file(workspace + "/go.mod");
    size_t total = text ? core::parse_gomod(*text).require.size() : 0;
    if (!miss.empty()) {
      c.status = core::CheckStatus::Warning;
      c.detail += "; go.mod requires modules not in GOMODCACHE: " + miss[0];
      for (size_t i = 1; i < miss.size(); ++i) c.detail += ", " + miss[i];
      c.fix = "run `go mod download` on the host, or use --net proxy (docs/network.md)";
    } else if (total > 0) {
      c.detail += "; all " + std::to_string(total) + " modules go.mod requires are in GOMODCACHE";
    }
  }
  return c;
}

namespace {

// The sandbox process with a TCP socket bound to 127.0.0.1:peer_port: the processes in the
// sandbox's network namespace (`ns`: "net:[INODE]") are found by their /proc/PID/ns/net link
// (pid 1 is not dumpable, the others are the launcher's user's), the socket's inode in the first
// one's view of the TCP table, the process by its fd links. Best effort: {pid, comm} or {0, ""}.
std::pair<int, std::string> find_client(const std::string& ns, int peer_port) {
  if (ns.empty() || peer_port <= 0) return {0, {}};
  char want[32];
  std::snprintf(want, sizeof want, "0100007F:%04X", static_cast<unsigned>(peer_port) & 0xffffu);
  std::string inode;
  DIR* d = ::opendir("/proc");
  if (!d) return {0, {}};
  std::pair<int, std::string> found{0, {}};
  while (struct dirent* de = ::readdir(d)) {
    if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
    std::string base = std::string("/proc/") + de->d_name;
    char b[64];
    ssize_t n = ::readlink((base + "/ns/net").c_str(), b, sizeof b - 1);
    if (n <= 0 || std::string(b, static_cast<size_t>(n)) != ns) continue;
    if (inode.empty()) {
      auto table = sys::read_file(base + "/net/tcp");
      if (!table) continue;
      size_t pos = 0;
      while ((pos = table->find('\n', pos)) != std::string::npos) {
        ++pos;
        size_t e = table->find('\n', pos);
        std::string line = table->substr(pos, e == std::string::npos ? std::string::npos : e - pos);
        char local[64], remote[64];
        unsigned long ino = 0;
        if (std::sscanf(line.c_str(), " %*d: %63s %63s %*x %*s %*s %*s %*d %*d %lu", local, remote, &ino) == 3 &&
            std::strcmp(local, want) == 0) {
          inode = "socket:[" + std::to_string(ino) + "]";
          break;
        }
      }
      if (inode.empty()) break;
    }
    DIR* fds = ::opendir((base + "/fd").c_str());
    if (!fds) continue;
    while (struct dirent* fe = ::readdir(fds)) {
      char t[64];
      ssize_t m = ::readlinkat(::dirfd(fds), fe->d_name, t, sizeof t - 1);
      if (m > 0 && std::string(t, static_cast<size_t>(m)) == inode) {
        found.first = std::atoi(de->d_name);
        if (auto c = sys::read_file(base + "/comm")) {
          found.second = *c;
          while (!found.second.empty() && found.second.back() == '\n') found.second.pop_back();
        }
        break;
      }
    }
    ::closedir(fds);
    if (found.first) break;
  }
  ::closedir(d);
  return found;
}

}  // namespace

struct NetSession::Shared {
  NetSetup net;
  std::string netns;  // "net:[INODE]" of the endpoint's namespace; set before the proxy starts
  std::mutex mu;      // guards what follows
  bool open = true;   // false once stop() ran: the log and tell_client may be gone
  DenialLog* log = nullptr;
  TellClient tell_client;
  std::map<std::string, uint64_t> refused;
  uint64_t total = 0;
};

const char* const NetSession::kNoneKey = "network:none";

uint16_t net_endpoint_port(const NetSetup& net) {
  return net.mode == core::NetMode::Host ? 0 : net.port;
}

NetSession::NetSession(const NetSetup& net, DenialLog* log, bool verbose, int sandbox_pid)
    : verbose_(verbose), sandbox_pid_(sandbox_pid), sh_(std::make_shared<Shared>()) {
  sh_->net = net;
  sh_->log = log;
}

NetSession::~NetSession() { stop(); }

void NetSession::set_tell_client(TellClient t) {
  std::lock_guard<std::mutex> lk(sh_->mu);
  sh_->tell_client = std::move(t);
}

std::string NetSession::client_message(const NetSetup& net, const std::string& host, uint16_t port,
                                       const std::string& why, const std::string& log_path) {
  std::string dest = host + ":" + std::to_string(port);
  std::string tail = log_path.empty() ? std::string() : " Refusals are logged in " + log_path + ".";
  if (net.mode == core::NetMode::None)
    return "the sandbox refused a network connection to " + dest +
           ": the network is off (--net none). If gopls reports a failed download, \"connection refused\" or a "
           "missing module, this is why. To let go download modules: --net proxy (config: net = \"proxy\"; "
           "docs/network.md), or run `go mod download` on the host." + tail;
  std::string allow = host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                      : (port == 80 || port == 443)      ? host
                                                         : dest;
  return "the sandbox's network proxy refused a connection to " + dest + " (" + why +
         "). If gopls reports \"connection refused\" or a failed download, this is why. To allow it: --allow-host " +
         allow + " (config: allow_host = [\"" + allow + "\"]; docs/network.md)." + tail;
}

int NetSession::start(int listen_fd) {
  // The namespace the endpoint lives in (the sandbox's), to find a refused client's process.
  // SIOCGSKNS needs CAP_NET_ADMIN over it: the launcher owns the sandbox's user namespace.
  int nsfd = ::ioctl(listen_fd, SIOCGSKNS);
  if (nsfd >= 0) {
    struct stat st;
    if (::fstat(nsfd, &st) == 0) sh_->netns = "net:[" + std::to_string(st.st_ino) + "]";
    ::close(nsfd);
  }
  // The callbacks hold `sh` (not `this`): a connection thread that outlives stop() finds the
  // session closed instead of freed memory.
  std::shared_ptr<Shared> sh = sh_;
  bool verbose = verbose_;
  sys::HttpProxy::Options po;
  po.check = [sh](const sys::ProxyRequestInfo& r) -> std::string {
    if (sh->net.mode == core::NetMode::None)
      return "network is off (--net none); --net proxy allows module downloads (docs/network.md)";
    if (sh->net.allow.allows(r.host, r.port)) return {};
    if (sh->net.allow.hosts.empty()) return "nothing is allowed (GOPROXY=off and GOSUMDB=off, no --allow-host)";
    return "not on the allowlist (GOPROXY, GOSUMDB and --allow-host hosts; see docs/network.md)";
  };
  po.local_ok = [sh](const sys::ProxyRequestInfo& r) { return sh->net.allow.allows_local(r.host, r.port); };
  po.on_refusal = [sh, verbose](const sys::ProxyRequestInfo& r, const std::string& why) {
    std::string dest = r.host + ":" + std::to_string(r.port);
    uint64_t nth;
    {
      std::lock_guard<std::mutex> lk(sh->mu);
      if (!sh->open) return;
      if (sh->refused.size() < 1000 || sh->refused.count(dest)) ++sh->refused[dest];
      nth = ++sh->total;
      // The editor hears of the first refusal only (the relay sends one message per key).
      if (nth == 1 && sh->tell_client)
        sh->tell_client(sh->net.mode == core::NetMode::None ? kNoneKey : "network:refused",
                        client_message(sh->net, r.host, r.port, why, sh->log ? sh->log->path() : std::string()));
    }
    // A refusal storm from inside must not become the launcher's work: the first 200 are looked
    // up (a /proc scan, outside the lock) and logged one by one, the rest only counted (the
    // summary has them all).
    if (nth > 200) return;
    auto [pid, comm] = find_client(sh->netns, r.peer_port);
    std::lock_guard<std::mutex> lk(sh->mu);
    if (!sh->open) return;
    if (verbose)
      // The method and the comm are the sandbox's text: no escape sequence reaches the terminal.
      std::fprintf(stderr, "gopls-sandbox: network: refused %s %s%s: %s\n", core::printable(r.method).c_str(),
                   dest.c_str(), comm.empty() ? "" : (" (" + core::printable(comm) + ")").c_str(), why.c_str());
    if (!sh->log) return;
    json::Value v;
    v.set("time", core::rfc3339_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
    v.set("event", "network");
    v.set("action", "refused");
    v.set("mode", core::net_mode_name(sh->net.mode));
    v.set("method", r.method);
    v.set("host", r.host);
    v.set("port", static_cast<int64_t>(r.port));
    if (pid) {
      v.set("pid", static_cast<int64_t>(pid));
      v.set("comm", comm);
    }
    v.set("reason", why);
    sh->log->write(v);
  };
  po.test_hosts = sh->net.test_hosts;
  proxy_ = std::make_unique<sys::HttpProxy>(std::move(po));
  return proxy_->start(listen_fd);
}

void NetSession::stop() {
  // A connection thread stuck in the resolver cannot be interrupted: leave it (and the proxy it
  // uses) to the process's exit rather than wait for the resolver. Either way, from here on no
  // proxy thread uses the log or the relay (both are the launcher's, freed after this).
  if (proxy_ && !proxy_->stop()) (void)proxy_.release();
  std::lock_guard<std::mutex> lk(sh_->mu);
  sh_->open = false;
  sh_->log = nullptr;
  sh_->tell_client = nullptr;
}

uint64_t NetSession::refused() const {
  std::lock_guard<std::mutex> lk(sh_->mu);
  return sh_->total;
}

std::string NetSession::summary(const std::string& log_path) const {
  std::lock_guard<std::mutex> lk(sh_->mu);
  if (sh_->total == 0) return {};
  std::string s = std::to_string(sh_->total) + (sh_->total == 1 ? " network connection" : " network connections") +
                  (sh_->net.mode == core::NetMode::None ? " refused (--net none: the network is off; --net proxy "
                                                          "allows module downloads): "
                                                        : " refused by the proxy: ");
  size_t i = 0;
  for (const auto& [dest, n] : sh_->refused) {
    if (i == 8) {
      s += ", ...";
      break;
    }
    s += (i++ ? ", " : "") + dest + " \u00d7" + std::to_string(n);
  }
  if (sh_->total > 200) s += " (the log has the first 200)";
  if (!log_path.empty()) s += " \u2014 see " + log_path;
  return s;
}

}  // namespace gsb::app
