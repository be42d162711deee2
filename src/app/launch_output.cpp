#include "gopls_sandbox/app/launch_output.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/app/landlock_only.hpp"  // issue 16 hook
#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/sandbox.hpp"

namespace gsb::app {

int report(const Error& e) {
  std::fprintf(stderr, "gopls-sandbox: %s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "gopls-sandbox: hint: %s\n", e.hint.c_str());
  return exit_code_for(e.kind);
}

void print_dry_run(const Prepared& prep) {
  json::Value v = core::plan_to_json(prep.plan);
  json::Value checks;
  checks.array();
  for (size_t i = 0; i < prep.identity_paths.size(); ++i) {
    json::Value c;
    c.set("name", prep.identity_names[i]);
    c.set("path", prep.identity_paths[i]);
    checks.push(std::move(c));
  }
  v.set("inode_checks", std::move(checks));
  v.set("caches", cache_setup_json(prep.caches));
  v.set("net", net_json(prep.net));  // issue 14
  json::Value pj;
  if (prep.policy) {
    pj.set("name", prep.policy->name);
    pj.set("source", prep.policy->source_path);
    pj.set("delivery", prep.policy->delivery == core::Delivery::Errno ? "errno" : "notify");
    pj.set("instructions", prep.policy->program.size());
  }
  v.set("profile", std::move(pj));
  v.set("landlock", core::landlock_to_json(core::landlock_plan(prep.plan), sys::landlock_abi()));
  v.set("isolation", isolation_json(prep));  // issue 16 (app/landlock_only.cpp)
  std::string s = v.dump(2);
  s += "\n";
  sys::print_out(s);
}

void say_plan(const Prepared& prep, bool verbose) {
  if (verbose) {
    std::fprintf(stderr, "gopls-sandbox: running %s (cwd %s, %zu mount operations)\n", prep.plan.argv[0].c_str(),
                 prep.plan.cwd.c_str(), prep.plan.mounts.size());
    std::fprintf(stderr, "gopls-sandbox: %s\n", core::landlock_summary(sys::landlock_abi()).c_str());
  }
  for (const auto& n : prep.plan.notes) {
    if (n.rfind("warning: ", 0) == 0) std::fprintf(stderr, "gopls-sandbox: %s\n", n.c_str());
    else if (verbose) std::fprintf(stderr, "gopls-sandbox: note: %s\n", n.c_str());
  }
}

void SandboxReports::on_report(const core::Pid1Report& r) {
  if (r.kind == core::Pid1Report::Kind::CacheFallback) cache_fallback(r.fallback);
  else inode_check(r.inode);
}

void SandboxReports::cache_fallback(const core::CacheFallbackReport& f) {
  // Issue 12: the kernel refused an overlay. Said once per launch.
  if (!cache_fallback_said_)
    std::fprintf(stderr,
                 "gopls-sandbox: copy-on-write caches are not available here (%s): the sandbox uses the private "
                 "caches of domain %s instead (empty at first, under %s/private; the host's caches are neither "
                 "used nor exposed). To make this the plan and silence this message: --cache-mode private\n",
                 f.detail.c_str(), prep_.caches.domain.c_str(), prep_.caches.domain_dir.c_str());
  if (!cache_fallback_said_ && tell_client)
    tell_client("cache-fallback", "reduced mode: copy-on-write caches are not available here (" + f.detail +
                                      "): private caches of domain " + prep_.caches.domain + " are used instead");
  cache_fallback_said_ = true;
}

void SandboxReports::inode_check(const core::InodeCheckReport& c) {
  size_t i = c.index;
  if (i >= prep_.identity_paths.size()) return;
  const char* res = core::inode_result_name(c.result);
  if (c.result == core::InodeResult::Ok) {
    if (verbose_)
      std::fprintf(stderr, "gopls-sandbox: inode check %s %s: ok\n", prep_.identity_names[i].c_str(),
                   prep_.identity_paths[i].c_str());
    return;
  }
  // Which mount decides what the path shows inside: the last one covering it.
  std::string by = "no mount";
  for (const auto& m : prep_.plan.mounts)
    if ((m.kind == core::MountKind::Bind || m.kind == core::MountKind::RoBind || m.kind == core::MountKind::Tmpfs ||
         m.kind == core::MountKind::Overlay) &&
        core::path_is_under(prep_.identity_paths[i], m.dst))
      by = std::string(core::mount_kind_name(m.kind)) + " " + m.src + " -> " + m.dst + " (" + m.why + ")";
  auto pair = [](uint64_t dev, uint64_t ino) {
    json::Value v;
    v.push(json::Value(static_cast<unsigned long long>(dev)));
    v.push(json::Value(static_cast<unsigned long long>(ino)));
    return v;
  };
  json::Value lr;
  lr.set("time", core::rfc3339_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()));
  lr.set("event", "inode_check");
  lr.set("name", prep_.identity_names[i]);
  lr.set("path", prep_.identity_paths[i]);
  lr.set("result", res);
  lr.set("host", pair(c.host_dev, c.host_ino));
  lr.set("inside", pair(c.inside_dev, c.inside_ino));
  lr.set("mount", by);
  log_.write(lr);
  std::fprintf(stderr,
               "gopls-sandbox: inode check %s %s: %s: host (dev %lld, ino %lld), inside (dev %lld, ino %lld); "
               "decided by %s\n",
               prep_.identity_names[i].c_str(), prep_.identity_paths[i].c_str(), res,
               static_cast<long long>(c.host_dev), static_cast<long long>(c.host_ino),
               static_cast<long long>(c.inside_dev), static_cast<long long>(c.inside_ino), by.c_str());
}

void say_denials(const Supervisor& supervisor, const DenialLog& log) {
  if (supervisor.total() == 0) return;
  std::fprintf(stderr, "gopls-sandbox: %s\n",
               core::exit_summary(supervisor.by_syscall(), supervisor.total(), log.path()).c_str());
  if (!log.error().empty()) std::fprintf(stderr, "gopls-sandbox: denial log: %s\n", log.error().c_str());
}

Error launch_failure(const sys::ChildMsg& m) {
  Error e = Error::setup(sys::describe_failure(m));
  if (m.phase == sys::Phase::Exec) {
    e.kind = (m.err == ENOENT || m.err == ENOTDIR) ? ErrorKind::NotFound : ErrorKind::NotExec;
    if (m.err == ENOENT) e.hint = "the program or its interpreter is not visible inside the sandbox";
  }
  if (m.phase == sys::Phase::IdMaps || m.phase == sys::Phase::MountNamespace)
    e.hint = "the kernel refused a namespace operation; see `gopls-sandbox doctor`";
  return e;
}

}  // namespace gsb::app
