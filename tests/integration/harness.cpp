#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <climits>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

extern char** environ;

#ifndef GSB_CURRENT_GOPLS
#define GSB_CURRENT_GOPLS ""  // programs other than the integration tests that link the harness
#endif

namespace gsb::test {

std::string as_name(As a) { return a == As::Root ? "root" : "user"; }

std::string shell_quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "'\\''";
    else o += c;
  }
  return o + "'";
}

namespace {

int sh(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void copy_file(const std::string& from, const std::string& to) {
  std::ifstream i(from, std::ios::binary);
  std::ofstream o(to, std::ios::binary);
  o << i.rdbuf();
  o.close();
  ::chmod(to.c_str(), 0755);
}

World make_world() {
  World w;
  char tmpl[] = "/tmp/gsb-it-bin-XXXXXX";
  if (!::mkdtemp(tmpl)) std::abort();
  w.bin_dir = tmpl;
  ::chmod(w.bin_dir.c_str(), 0755);
  // Laid out like an installation (bin/, share/gopls-sandbox/profiles): the launcher finds the
  // shipped profiles beside it, with no GOPLS_SANDBOX_PROFILE_PATH (which it announces as a
  // setting a repository could have set, core/untrusted_settings.hpp).
  ::mkdir((w.bin_dir + "/bin").c_str(), 0755);
  w.launcher = w.bin_dir + "/bin/gopls-sandbox";
  copy_file(GSB_LAUNCHER, w.launcher);
  // The go shim where an installed launcher finds it (LIBEXECDIR/gopls-sandbox/bin/go).
  sh("mkdir -p " + shell_quote(w.bin_dir + "/libexec/gopls-sandbox/bin"));
  copy_file(GSB_GO_SHIM, w.bin_dir + "/libexec/gopls-sandbox/bin/go");
  // This copy honours the GOPLS_SANDBOX_TEST_* hooks (app/settings.hpp test_hooks_enabled).
  std::ofstream(w.bin_dir + "/bin/gopls-sandbox.test-hooks") << "integration tests\n";
  if (DIR* d = ::opendir(GSB_HELPER_DIR)) {
    while (auto* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n[0] == '.') continue;
      copy_file(std::string(GSB_HELPER_DIR) + "/" + n, w.bin_dir + "/" + n);
    }
    ::closedir(d);
  }
  // Profiles readable by the test user wherever the source tree lives.
  sh("mkdir -p " + shell_quote(w.bin_dir + "/share/gopls-sandbox") + " && cp -r " +
     shell_quote(std::string(GSB_TEST_SOURCE_DIR) + "/profiles") + " " + shell_quote(w.bin_dir + "/share/gopls-sandbox") +
     " && chmod -R a+rX " + shell_quote(w.bin_dir));
  if (::geteuid() != 0) {
    w.why_unavailable = "not running as root: cannot switch to the test user";
    return w;
  }
  if (!::getpwnam(kTestUser)) {
    if (sh(std::string("useradd --create-home --shell /bin/sh ") + kTestUser + " >/dev/null 2>&1") != 0) {
      w.why_unavailable = "useradd failed";
      return w;
    }
  }
  struct passwd* pw = ::getpwnam(kTestUser);
  if (!pw) {
    w.why_unavailable = "test user missing after useradd";
    return w;
  }
  w.user_uid = pw->pw_uid;
  w.user_gid = pw->pw_gid;
  w.user_home = pw->pw_dir;
  ::mkdir(w.user_home.c_str(), 0755);
  if (::chown(w.user_home.c_str(), w.user_uid, w.user_gid) != 0) w.why_unavailable = "chown home failed";
  return w;
}

struct WorldCleanup {
  ~WorldCleanup() {
    if (!dir.empty()) sh("rm -rf " + shell_quote(dir));
  }
  std::string dir;
};
WorldCleanup cleanup;

}  // namespace

const World& world() {
  static World w = make_world();
  if (cleanup.dir.empty()) cleanup.dir = w.bin_dir;
  return w;
}

TempDir::TempDir(As as, const std::string& tag) {
  std::string t = "/tmp/gsb-it-" + tag + "-XXXXXX";
  std::vector<char> buf(t.begin(), t.end());
  buf.push_back(0);
  if (!::mkdtemp(buf.data())) std::abort();
  path = buf.data();
  ::chmod(path.c_str(), 0755);
  if (as == As::User && ::chown(path.c_str(), world().user_uid, world().user_gid) != 0) std::abort();
}

TempDir::~TempDir() {
  if (!path.empty()) sh("rm -rf " + shell_quote(path));
}

void write_file(const std::string& path, const std::string& data, As as, unsigned mode) {
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  o << data;
  o.close();
  ::chmod(path.c_str(), mode);
  if (as == As::User && ::chown(path.c_str(), world().user_uid, world().user_gid) != 0) std::abort();
}

std::string read_file(const std::string& path) {
  std::ifstream i(path, std::ios::binary);
  std::stringstream s;
  s << i.rdbuf();
  return s.str();
}

void write_go_module(const std::string& dir, As as) {
  write_file(dir + "/go.mod", "module example.com/hello\n\ngo 1.19\n", as);
  write_file(dir + "/main.go",
             "package main\n"
             "\n"
             "import \"fmt\"\n"
             "\n"
             "type Greeter struct{ Name string }\n"
             "\n"
             "func (g Greeter) Greet() string { return \"hello, \" + g.Name }\n"
             "\n"
             "func main() {\n"
             "\tg := Greeter{Name: \"world\"}\n"
             "\tfmt.Println(g.Greet())\n"
             "}\n",
             as);
  write_file(dir + "/main_test.go",
             "package main\n"
             "\n"
             "import \"testing\"\n"
             "\n"
             "func TestGreet(t *testing.T) {\n"
             "\tif got := (Greeter{Name: \"x\"}).Greet(); got != \"hello, x\" {\n"
             "\t\tt.Fatalf(\"got %q\", got)\n"
             "\t}\n"
             "}\n",
             as);
}

Proc::Proc(Proc&& o) noexcept { *this = std::move(o); }
Proc& Proc::operator=(Proc&& o) noexcept {
  std::swap(pid, o.pid);
  std::swap(in, o.in);
  std::swap(out, o.out);
  std::swap(err, o.err);
  std::swap(out_buf, o.out_buf);
  std::swap(err_buf, o.err_buf);
  std::swap(exited, o.exited);
  std::swap(status, o.status);
  std::swap(caches, o.caches);
  return *this;
}
Proc::~Proc() {
  if (pid > 0 && !exited) {
    ::kill(pid, SIGKILL);
    int st;
    ::waitpid(pid, &st, 0);
  }
  for (int fd : {in, out, err})
    if (fd >= 0) ::close(fd);
}

void Proc::close_stdin() {
  if (in >= 0) ::close(in);
  in = -1;
}

bool Proc::write_all(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(in, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

bool Proc::read_until(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred(out_buf)) return true;
    if (out < 0 && err < 0) return pred(out_buf);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int r = ::poll(fds, 2, static_cast<int>(left.count()));
    if (r < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? out_buf : err_buf).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        (i == 0 ? out : err) = -1;
      }
    }
  }
}

int Proc::wait(std::chrono::milliseconds timeout) {
  if (exited) return status;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  // Drain output until both pipes close (or the deadline), then wait for the exit itself.
  read_until([](const std::string&) { return false; }, timeout);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (pfd >= 0) {
    pollfd p = {pfd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
    ::close(pfd);
  }
  int st = 0;
  pid_t r = ::waitpid(pid, &st, WNOHANG);
  if (r != pid) return -1;
  exited = true;
  status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return status;
}

GoCaches::GoCaches(As as) : dir(as, "caches") {
  home = dir.path + "/home";
  xdg_cache = home + "/.cache";
  xdg_config = home + "/.config";
  gocache = xdg_cache + "/go-build";
  gopls_cache = xdg_cache + "/gopls";
  gomodcache = dir.path + "/gomodcache";
  for (const std::string& d : {home, xdg_cache, xdg_config, gomodcache}) {
    ::mkdir(d.c_str(), 0755);
    if (as == As::User && ::chown(d.c_str(), world().user_uid, world().user_gid) != 0) std::abort();
  }
}

void GoCaches::apply(std::map<std::string, std::string>& env) const {
  env["HOME"] = home;
  env["XDG_CACHE_HOME"] = xdg_cache;
  env["XDG_CONFIG_HOME"] = xdg_config;
  env["GOCACHE"] = gocache;
  env["GOMODCACHE"] = gomodcache;
  env.erase("GOPLSCACHE");
  env.erase("GOENV");
  env.erase("GOPATH");  // default $HOME/go: private too
}

std::shared_ptr<GoCaches> fresh_go_caches(As as) { return std::make_shared<GoCaches>(as); }

// ---- gopls generations --------------------------------------------------------------------

std::string gen_name(Gen g) { return g == Gen::Debian ? "debian" : "current"; }

bool gen_selected(Gen g) {
  const char* sel = std::getenv("GSB_GOPLS_GENS");
  if (!sel || !*sel) return true;
  std::string s = std::string(",") + sel + ",";
  return s.find("," + gen_name(g) + ",") != std::string::npos;
}

std::string as_gen_name(const AsGen& p) { return as_name(std::get<0>(p)) + "_" + gen_name(std::get<1>(p)); }

std::string GoplsGen::path_env() const {
  std::string dir = go.substr(0, go.rfind('/'));
  return dir + ":/usr/bin:/bin";
}

void GoplsGen::apply(std::map<std::string, std::string>& env) const {
  env["PATH"] = path_env();
  env["GOPLS_SANDBOX_GOPLS"] = gopls;
}

std::string GoplsGen::describe() const {
  if (!why_unavailable.empty()) return gen_name(gen) + " gopls: unavailable (" + why_unavailable + ")";
  return gen_name(gen) + " gopls " + gopls + " [" + gopls_version + ", built with " + built_with + "] + " + go + " " +
         go_version;
}

namespace {

// stdout of a command run directly (no shell), trimmed; empty on failure.
std::string capture(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env = {}) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
  }
  env["GOTOOLCHAIN"] = "local";
  env["GOPROXY"] = "off";
  for (auto& [k, v] : extra_env) env[k] = v;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "";
  std::vector<std::string> envs;
  for (auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> av, ev;
  for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (auto& e : envs) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    int nul = ::open("/dev/null", O_RDWR);
    ::dup2(nul, 0);
    ::dup2(nul, 2);
    ::execve(av[0], av.data(), ev.data());
    ::_exit(127);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// "go1.26.8" -> "go1.26"
std::string go_minor(const std::string& v) {
  auto a = v.find('.');
  if (a == std::string::npos) return v;
  auto b = v.find_first_of(".-", a + 1);
  return b == std::string::npos ? v : v.substr(0, b);
}

struct GoCandidate {
  std::string path, version, goroot;
};

std::vector<GoCandidate> go_candidates() {
  std::vector<std::string> dirs;
  if (const char* p = std::getenv("PATH")) {
    std::string s = p;
    size_t i = 0;
    while (i <= s.size()) {
      size_t j = s.find(':', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) dirs.push_back(s.substr(i, j - i));
      i = j + 1;
    }
  }
  for (const char* d : {"/usr/local/go/bin", "/usr/bin"}) dirs.push_back(d);
  std::vector<GoCandidate> out;
  std::vector<std::string> seen_real;
  for (const auto& d : dirs) {
    std::string go = d + "/go";
    if (d.empty() || d[0] != '/' || ::access(go.c_str(), X_OK) != 0) continue;
    char real[PATH_MAX];
    if (!::realpath(go.c_str(), real)) continue;
    if (std::find(seen_real.begin(), seen_real.end(), real) != seen_real.end()) continue;
    seen_real.push_back(real);
    GoCandidate c{go, capture({go, "env", "GOVERSION"}), capture({go, "env", "GOROOT"})};
    if (!c.version.empty()) out.push_back(c);
  }
  return out;
}

GoplsGen discover(Gen g, const std::vector<GoCandidate>& gos) {
  GoplsGen r;
  r.gen = g;
  std::string bin;
  if (g == Gen::Debian) {
    bin = "/usr/bin/gopls";
    if (::access(bin.c_str(), X_OK) != 0) {
      r.why_unavailable = "Debian's gopls (/usr/bin/gopls) is not installed (apt-get install gopls)";
      return r;
    }
  } else {
    const char* env = std::getenv("GSB_CURRENT_GOPLS");
    bin = env && *env ? env : GSB_CURRENT_GOPLS;
    if (::access(bin.c_str(), X_OK) != 0) {
      r.why_unavailable = "the current gopls " + bin +
                          " is missing: scripts/build.sh installs it when the machine's go is new enough "
                          "(it said why not), or set GSB_CURRENT_GOPLS";
      return r;
    }
  }
  if (gos.empty()) {
    r.why_unavailable = "no go found on PATH, /usr/local/go/bin or /usr/bin";
    return r;
  }
  // `go version FILE` prints "FILE: go1.26.8": the go this gopls was built with.
  std::string v = capture({gos.front().path, "version", bin});
  auto colon = v.rfind(": ");
  r.built_with = colon == std::string::npos ? "" : v.substr(colon + 2);
  for (const auto& c : gos)
    if (!r.built_with.empty() && go_minor(c.version) == go_minor(r.built_with)) {
      r.go = c.path;
      r.go_version = c.version;
      r.goroot = c.goroot;
      break;
    }
  if (r.go.empty()) {
    std::string have;
    for (const auto& c : gos) have += " " + c.path + "=" + c.version;
    r.why_unavailable = gen_name(g) + " gopls " + bin + " was built with " +
                        (r.built_with.empty() ? std::string("an unknown go") : r.built_with) +
                        "; no go of that version here (found:" + have + ")";
    return r;
  }
  std::string ver = capture({bin, "version"}, {{"PATH", r.path_env()}});
  r.gopls_version = ver.substr(0, ver.find('\n'));
  // Not under /usr: hard-link (or copy) it into the world's bin_dir so the test user can run it
  // wherever the build tree lives; the launcher binds it at that path.
  if (bin.rfind("/usr/", 0) == 0) {
    r.gopls = bin;
  } else {
    std::string dir = world().bin_dir + "/gopls-" + gen_name(g);
    ::mkdir(dir.c_str(), 0755);
    r.gopls = dir + "/gopls";
    if (::link(bin.c_str(), r.gopls.c_str()) != 0) copy_file(bin, r.gopls);
  }
  return r;
}

}  // namespace

const GoplsGen& gopls_gen(Gen g) {
  static const std::vector<GoplsGen> gens = [] {
    auto gos = go_candidates();
    return std::vector<GoplsGen>{discover(Gen::Debian, gos), discover(Gen::Current, gos)};
  }();
  return gens[g == Gen::Debian ? 0 : 1];
}

Proc spawn(As as, const std::vector<std::string>& argv, const SpawnOptions& opts) {
  const World& w = world();
  std::map<std::string, std::string> env;
  if (as == As::Root) {
    for (char** e = environ; *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
    }
    if (!env.count("HOME")) env["HOME"] = "/root";
  } else {
    env["HOME"] = w.user_home;
    env["USER"] = env["LOGNAME"] = kTestUser;
  }
  if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  // Tests that do not pick a generation get a consistent pair: Debian's gopls with its go (a newer
  // go first on the runner's PATH would make that old gopls fail); GoplsGen::apply overrides.
  if (const GoplsGen& d = gopls_gen(Gen::Debian); d.why_unavailable.empty()) env["PATH"] = d.path_env();
  env["GOPROXY"] = "off";
  env["GOFLAGS"] = "-mod=mod";
  env["GOTOOLCHAIN"] = "local";
  std::shared_ptr<GoCaches> caches = opts.caches;
  if (!caches && !opts.host_caches) caches = fresh_go_caches(as);
  if (caches) caches->apply(env);
  for (auto& [k, v] : opts.env) env[k] = v;
  std::vector<std::string> full;
  if (as == As::User) {
    full = {"/usr/bin/setpriv", "--reuid=" + std::to_string(w.user_uid), "--regid=" + std::to_string(w.user_gid),
            "--init-groups", "--"};
  }
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<std::string> envs;
  for (auto& [k, v] : env) envs.push_back(k + "=" + v);

  int pin[2], pout[2], perr[2];
  if (::pipe2(pin, O_CLOEXEC) || ::pipe2(pout, O_CLOEXEC) || ::pipe2(perr, O_CLOEXEC)) std::abort();
  std::vector<char*> av, ev;
  for (auto& a : full) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (auto& e : envs) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (opts.pipe_stdin) {
      ::dup2(pin[0], 0);
    } else {
      int nul = ::open("/dev/null", O_RDONLY);
      ::dup2(nul, 0);
    }
    ::dup2(pout[1], 1);
    ::dup2(perr[1], 2);
    if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) ::_exit(121);
    ::execve(av[0], av.data(), ev.data());
    ::_exit(122);
  }
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  Proc p;
  p.caches = caches;
  p.pid = pid;
  p.in = pin[1];
  p.out = pout[0];
  p.err = perr[0];
  if (!opts.pipe_stdin) p.close_stdin();
  return p;
}

Output run(As as, const std::vector<std::string>& argv, const SpawnOptions& opts, std::chrono::milliseconds timeout) {
  SpawnOptions o = opts;
  o.pipe_stdin = false;
  Proc p = spawn(as, argv, o);
  Output r;
  r.status = p.wait(timeout);
  r.out = p.out_buf;
  r.err = p.err_buf;
  r.caches = p.caches;
  return r;
}

std::vector<pid_t> process_tree(pid_t root) {
  // /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN; the ppid field of every stat works.
  std::multimap<pid_t, pid_t> kids;
  if (DIR* d = ::opendir("/proc")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      std::string st = read_file(std::string("/proc/") + e->d_name + "/stat");
      auto rp = st.rfind(')');
      if (rp == std::string::npos || rp + 2 > st.size()) continue;
      std::istringstream rest(st.substr(rp + 2));
      char state;
      pid_t ppid;
      if (rest >> state >> ppid) kids.emplace(ppid, static_cast<pid_t>(std::atoi(e->d_name)));
    }
    ::closedir(d);
  }
  std::vector<pid_t> out = {root};
  for (size_t i = 0; i < out.size(); ++i) {
    auto [b, e] = kids.equal_range(out[i]);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
  }
  return out;
}

std::vector<pid_t> wait_gone(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout) {
  std::vector<int> fds;
  std::vector<pid_t> watched;
  for (pid_t p : pids) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, p, 0));
    if (fd >= 0) {
      fds.push_back(fd);
      watched.push_back(p);
    }
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<bool> gone(fds.size(), false);
  for (;;) {
    std::vector<pollfd> pf;
    std::vector<size_t> idx;
    for (size_t i = 0; i < fds.size(); ++i)
      if (!gone[i]) {
        pf.push_back({fds[i], POLLIN, 0});
        idx.push_back(i);
      }
    if (pf.empty()) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    int r = ::poll(pf.data(), pf.size(), static_cast<int>(left.count()));
    if (r <= 0) continue;
    for (size_t j = 0; j < pf.size(); ++j)
      if (pf[j].revents) gone[idx[j]] = true;
  }
  std::vector<pid_t> alive;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (!gone[i]) alive.push_back(watched[i]);
    ::close(fds[i]);
  }
  return alive;
}

}  // namespace gsb::test
