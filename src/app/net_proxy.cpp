#include "gopls_sandbox/app/net_proxy.hpp"

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
  if (get(env, "GOPLS_SANDBOX_TEST_PROXY_FAIL") == "1") n.listen_addr = 0xc0000201;  // 192.0.2.1: not ours
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
}

json::Value net_json(const NetSetup& net) {
  json::Value v;
  v.set("mode", core::net_mode_name(net.mode));
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
      return "network: none (only lo inside; modules must already be in GOMODCACHE; --net proxy allows downloads)";
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

NetSession::NetSession(const NetSetup& net, DenialLog* log, bool verbose, int sandbox_pid)
    : net_(net), log_(log), verbose_(verbose), sandbox_pid_(sandbox_pid) {}

NetSession::~NetSession() { stop(); }

int NetSession::start(int listen_fd) {
  // The namespace the endpoint lives in (the sandbox's), to find a refused client's process.
  // SIOCGSKNS needs CAP_NET_ADMIN over it: the launcher owns the sandbox's user namespace.
  int nsfd = ::ioctl(listen_fd, SIOCGSKNS);
  if (nsfd >= 0) {
    struct stat st;
    if (::fstat(nsfd, &st) == 0) netns_ = "net:[" + std::to_string(st.st_ino) + "]";
    ::close(nsfd);
  }
  sys::HttpProxy::Options po;
  po.check = [this](const sys::ProxyRequestInfo& r) -> std::string {
    if (net_.allow.allows(r.host, r.port)) return {};
    if (net_.allow.hosts.empty()) return "nothing is allowed (GOPROXY=off and GOSUMDB=off, no --allow-host)";
    return "not on the allowlist (GOPROXY, GOSUMDB and --allow-host hosts; see docs/network.md)";
  };
  po.on_refusal = [this](const sys::ProxyRequestInfo& r, const std::string& why) {
    std::string dest = r.host + ":" + std::to_string(r.port);
    uint64_t nth;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (refused_.size() < 1000 || refused_.count(dest)) ++refused_[dest];
      nth = ++total_;
    }
    // A refusal storm from inside must not become the launcher's work: the first 200 are looked
    // up (a /proc scan) and logged one by one, the rest only counted (the summary has them all).
    if (nth > 200) return;
    auto [pid, comm] = find_client(netns_, r.peer_port);
    if (verbose_)
      // The method and the comm are the sandbox's text: no escape sequence reaches the terminal.
      std::fprintf(stderr, "gopls-sandbox: network: refused %s %s%s: %s\n", core::printable(r.method).c_str(),
                   dest.c_str(), comm.empty() ? "" : (" (" + core::printable(comm) + ")").c_str(), why.c_str());
    if (!log_) return;
    json::Value v;
    v.set("time", core::rfc3339_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
    v.set("event", "network");
    v.set("action", "refused");
    v.set("method", r.method);
    v.set("host", r.host);
    v.set("port", static_cast<int64_t>(r.port));
    if (pid) {
      v.set("pid", static_cast<int64_t>(pid));
      v.set("comm", comm);
    }
    v.set("reason", why);
    log_->write(v);
  };
  proxy_ = std::make_unique<sys::HttpProxy>(std::move(po));
  return proxy_->start(listen_fd);
}

void NetSession::stop() {
  // A connection thread stuck in getaddrinfo cannot be interrupted: leave it (and the proxy it
  // uses) to the process's exit rather than wait for the resolver.
  if (proxy_ && !proxy_->stop()) (void)proxy_.release();
}

uint64_t NetSession::refused() const {
  std::lock_guard<std::mutex> lk(mu_);
  return total_;
}

std::string NetSession::summary(const std::string& log_path) const {
  std::lock_guard<std::mutex> lk(mu_);
  if (total_ == 0) return {};
  std::string s = std::to_string(total_) + (total_ == 1 ? " network connection" : " network connections") +
                  " refused by the proxy: ";
  size_t i = 0;
  for (const auto& [dest, n] : refused_) {
    if (i == 8) {
      s += ", ...";
      break;
    }
    s += (i++ ? ", " : "") + dest + " \u00d7" + std::to_string(n);
  }
  if (total_ > 200) s += " (the log has the first 200)";
  if (!log_path.empty()) s += " \u2014 see " + log_path;
  return s;
}

}  // namespace gsb::app
