// Launch overhead and seccomp-supervisor ratios, each measured against its baseline in the same
// invocation (interleaved repetitions, medians). Not Google Benchmark: whole processes are timed.
//
//   launch_bench [REPS]     (default 41)
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "bench_util.hpp"
#include "gopls_sandbox/core/json.hpp"

using namespace gsb;
using namespace gsb::bench;

namespace {

std::string tmpdir(const char* tag) {
  std::string t = std::string("/tmp/gsb-bench-") + tag + "-XXXXXX";
  std::vector<char> b(t.begin(), t.end());
  b.push_back(0);
  if (!::mkdtemp(b.data())) std::abort();
  return b.data();
}

// bwrap arguments reproducing the launcher's own plan (same namespaces, same mounts). A "copy"
// (a small /etc file copied into the tmpfs) becomes bwrap's own copy, `--file FD DEST`, from a
// descriptor time_run opens for it (listed in *fd_files).
std::vector<std::string> bwrap_from_plan(const json::Value& plan, std::vector<std::string>* fd_files) {
  std::vector<std::string> a = {"/usr/bin/bwrap", "--unshare-user", "--unshare-pid", "--unshare-uts", "--unshare-ipc",
                                "--unshare-net",  "--die-with-parent", "--hostname", "gopls-sandbox"};
  for (const auto& m : plan["mounts"].as_array()) {
    const std::string& t = m["type"].as_string();
    const std::string& src = m["source"].as_string();
    const std::string& dst = m["destination"].as_string();
    if (t == "ro-bind") a.insert(a.end(), {"--ro-bind", src, dst});
    else if (t == "copy") {
      a.insert(a.end(), {"--file", std::to_string(kFirstPassedFd + static_cast<int>(fd_files->size())), dst});
      fd_files->push_back(src);
    }
    else if (t == "bind") a.insert(a.end(), {"--bind", src, dst});
    else if (t == "dev-bind") a.insert(a.end(), {"--dev-bind", src, dst});
    else if (t == "symlink") a.insert(a.end(), {"--symlink", src, dst});
    else if (t == "proc") a.insert(a.end(), {"--proc", dst});
    else if (t == "tmpfs") a.insert(a.end(), {"--perms", m["mode"].as_string(), "--tmpfs", dst});
    else if (t == "remount-ro" && dst != "/") a.insert(a.end(), {"--remount-ro", dst});
  }
  a.insert(a.end(), {"--chdir", plan["cwd"].as_string(), "--"});
  return a;
}

void row(const char* what, double ms, double base_ms, const char* base) {
  std::printf("| %-44s | %9.2f | %6.2fx %-14s |\n", what, ms, base_ms > 0 ? ms / base_ms : 0.0, base);
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 41;
  const std::string launcher = GSB_LAUNCHER;
  const std::string floor = std::string(GSB_BENCH_DIR) + "/floor_ns";
  const std::string ws = tmpdir("ws");
  std::printf("machine: %s\n", machine().c_str());
  std::printf("launcher: %s, %d repetitions each, interleaved; medians\n\n", launcher.c_str(), reps);

  // The plan bwrap should reproduce.
  std::string plan_text;
  time_run({launcher, "exec", "--dry-run", "--", "/bin/true"}, &plan_text, ws);
  auto plan = json::parse(plan_text);
  if (!plan) {
    std::fprintf(stderr, "launch_bench: --dry-run: %s\n", plan.error().message.c_str());
    return 1;
  }
  std::vector<std::string> bwrap_fds;
  auto bwrap = bwrap_from_plan(*plan, &bwrap_fds);
  bwrap.push_back("/bin/true");
  bool have_bwrap = ::access("/usr/bin/bwrap", X_OK) == 0;

  std::map<std::string, std::vector<std::string>> variants = {
      {"1 bare /bin/true", {"/bin/true"}},
      {"2 floor (clone 6 namespaces + exec)", {floor, "/bin/true"}},
      {"3 gopls-sandbox exec -- /bin/true", {launcher, "exec", "--", "/bin/true"}},
      {"4 gopls-sandbox exec --profile none", {launcher, "exec", "--profile", "none", "--", "/bin/true"}},
  };
  if (have_bwrap) variants["5 bwrap, same namespaces and mounts"] = bwrap;
  // GSB_BASELINE_LAUNCHER: an older build of the launcher, for "no slower" checks of a refactor.
  const char* baseline = std::getenv("GSB_BASELINE_LAUNCHER");
  // Both through env(1) with a state directory each: an older launcher may not mount the cache
  // layers a newer one left (e.g. volatile overlays) and would fall back to private caches.
  if (baseline && *baseline) {
    variants["6 baseline launcher exec -- /bin/true"] = {"/usr/bin/env", "XDG_STATE_HOME=" + tmpdir("state-before"),
                                                         baseline, "exec", "--", "/bin/true"};
    variants["7 this launcher, the same way"] = {"/usr/bin/env", "XDG_STATE_HOME=" + tmpdir("state-after"), launcher,
                                                 "exec", "--", "/bin/true"};
  }
  // Warm-up (fills the go env and filter caches, page cache).
  for (auto& [name, av] : variants)
    if (time_run(av, nullptr, ws, av[0] == "/usr/bin/bwrap" ? bwrap_fds : std::vector<std::string>{}) < 0)
      std::fprintf(stderr, "launch_bench: %s failed\n", name.c_str());
  std::map<std::string, std::vector<double>> t;
  for (int i = 0; i < reps; ++i)
    for (auto& [name, av] : variants)
      t[name].push_back(time_run(av, nullptr, ws, av[0] == "/usr/bin/bwrap" ? bwrap_fds : std::vector<std::string>{}));
  std::map<std::string, double> med;
  for (auto& [name, v] : t) med[name] = median(v);

  std::printf("## Launch overhead\n\n| %-44s | %9s | %-22s |\n|---|---:|---|\n", "variant", "median ms", "ratio");
  double bare = med["1 bare /bin/true"], fl = med["2 floor (clone 6 namespaces + exec)"];
  double ours = med["3 gopls-sandbox exec -- /bin/true"];
  double bw = have_bwrap ? med["5 bwrap, same namespaces and mounts"] : 0;
  row("bare /bin/true", bare, bare, "of bare");
  row("floor: clone into 6 namespaces + exec", fl, bare, "of bare");
  row("gopls-sandbox exec -- /bin/true", ours, bw, "of bwrap");
  row("gopls-sandbox exec --profile none", med["4 gopls-sandbox exec --profile none"], bw, "of bwrap");
  if (have_bwrap) row("bwrap, same namespaces + mount set", bw, bare, "of bare");
  if (baseline && *baseline) {
    auto& b = t["6 baseline launcher exec -- /bin/true"];
    auto& a = t["7 this launcher, the same way"];
    auto [lo, hi] = ratio_ci(b, a);
    std::printf("| %-44s | %9.2f | %s |\n", "baseline launcher (through env)", median(b), baseline);
    std::printf("| %-44s | %9.2f | |\n", "this launcher (through env)", median(a));
    std::printf("\nthis launcher vs the baseline: %.3fx, bootstrap 95%% CI [%.3f, %.3f]\n", median(a) / median(b), lo, hi);
  }
  std::printf("\ngopls-sandbox over the floor: %+.2f ms (target <= 1.5 ms); vs bwrap: %.2fx (target <= 0.5x)\n\n",
              ours - fl, bw > 0 ? ours / bw : 0.0);

  // Denial storm: the same 100 000 refused calls with the supervisor logging vs a plain errno filter.
  const std::string storm = std::string(GSB_HELPERS) + "/deny_storm";
  auto loop_ns = [&](std::vector<std::string> av) {
    std::string out;
    if (time_run(av, &out, ws) < 0) return -1.0;
    auto p = out.find("ns=");
    return p == std::string::npos ? -1.0 : std::atof(out.c_str() + p + 3) / 1e6;
  };
  std::vector<double> plain, logged;
  std::string log = ws + "/storm.jsonl";
  int storm_reps = std::max(3, reps / 8);
  for (int i = 0; i < storm_reps; ++i) {
    plain.push_back(loop_ns({launcher, "exec", "--log", "off", "--", storm, "100000"}));
    logged.push_back(loop_ns({launcher, "exec", "--log", log, "--", storm, "100000"}));
  }
  struct stat st {};
  ::stat(log.c_str(), &st);
  std::printf("## Denial storm (100 000 refused ptrace calls, time inside the loop)\n\n");
  std::printf("| %-44s | %9s | %-22s |\n|---|---:|---|\n", "variant", "median ms", "ratio");
  row("plain errno filter (--log off)", median(plain), median(plain), "");
  row("user-notification supervisor + log", median(logged), median(plain), "of plain (target <=10x)");
  std::printf("\nper refused call: %.2f us logged vs %.3f us plain; log size after %d runs: %lld bytes\n\n",
              median(logged) * 1000 / 100000, median(plain) * 1000 / 100000, storm_reps,
              static_cast<long long>(st.st_size));

  // Learn mode: a go build in the sandbox, learning vs not.
  std::string mod = tmpdir("mod");
  {
    std::FILE* f = std::fopen((mod + "/go.mod").c_str(), "w");
    std::fputs("module example.com/b\n\ngo 1.19\n", f);
    std::fclose(f);
    f = std::fopen((mod + "/main.go").c_str(), "w");
    std::fputs("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n", f);
    std::fclose(f);
  }
  std::vector<double> bare_build, learn_build;
  std::string learned = mod + "/learned.toml";
  const int learn_reps = std::max(9, reps / 4);  // go vet varies by milliseconds: more samples than the storm
  for (int i = 0; i < learn_reps + 1; ++i) {
    double b = time_run({launcher, "exec", "--", "/usr/bin/go", "vet", "."}, nullptr, mod);
    double l = time_run({launcher, "learn", "--exec", "-o", learned, "--", "/usr/bin/go", "vet", "."}, nullptr, mod);
    if (i == 0) continue;  // warm-up
    bare_build.push_back(b);
    learn_build.push_back(l);
  }
  std::printf("## Learn mode (go vet of a small module, warm cache)\n\n");
  std::printf("| %-44s | %9s | %-22s |\n|---|---:|---|\n", "variant", "median ms", "ratio");
  row("exec (default profile)", median(bare_build), median(bare_build), "");
  row("learn --exec (base gopls)", median(learn_build), median(bare_build), "of exec (target <=1.1x)");
  std::printf("\n");
  std::system(("rm -rf '" + ws + "' '" + mod + "'").c_str());
  return 0;
}
