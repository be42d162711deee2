// The never-learned table (src/core/include/gopls_sandbox/core/never_learned.hpp). These are what
// bubblewrap/minijail/systemd sandboxes refuse by default because each one either leaves the
// sandbox (terminal injection, tracing, mounts, namespaces) or opens kernel attack surface a
// language server never needs (keyrings, bpf, perf, io_uring, modules…). A learn run of
// untrusted code must not be able to turn them into allows by simply calling them.
#include "gopls_sandbox/core/never_learned.hpp"

#include <array>
#include <cerrno>
#include <cstdio>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::core {

namespace {

constexpr NeverLearned kTable[] = {
    {"ioctl", NeverWhen::TerminalIoctl, EPERM,
     "TIOCSTI/TIOCLINUX push input into a terminal: a command typed into the user's shell (CVE-2017-5226)"},
    {"ptrace", NeverWhen::Always, EPERM, "tracing another process reads and rewrites its memory"},
    {"process_vm_readv", NeverWhen::Always, EPERM, "reads another process's memory"},
    {"process_vm_writev", NeverWhen::Always, EPERM, "writes another process's memory"},
    {"mount", NeverWhen::Always, EPERM, "mounts change what the sandbox's filesystem is"},
    {"umount2", NeverWhen::Always, EPERM, "unmounting uncovers what the sandbox's mounts hide"},
    {"pivot_root", NeverWhen::Always, EPERM, "changes the root of the mount namespace"},
    {"move_mount", NeverWhen::Always, EPERM, "new mount API: attaches mounts"},
    {"open_tree", NeverWhen::Always, EPERM, "new mount API: clones mount trees"},
    {"fsopen", NeverWhen::Always, EPERM, "new mount API: creates filesystem contexts"},
    {"fsconfig", NeverWhen::Always, EPERM, "new mount API: configures filesystem contexts"},
    {"fsmount", NeverWhen::Always, EPERM, "new mount API: creates mounts"},
    {"fspick", NeverWhen::Always, EPERM, "new mount API: reconfigures existing mounts"},
    {"mount_setattr", NeverWhen::Always, EPERM, "changes mount flags (read-only binds could become writable)"},
    {"unshare", NeverWhen::Always, EPERM,
     "new namespaces: a nested user namespace gives full capabilities over new mounts"},
    {"setns", NeverWhen::Always, EPERM, "enters other namespaces"},
    {"clone", NeverWhen::NamespaceClone, EPERM,
     "clone with CLONE_NEW* flags creates namespaces (threads and fork stay learnable)"},
    {"clone3", NeverWhen::Always, ENOSYS,
     "its flags live in memory seccomp cannot check; ENOSYS makes glibc and Go fall back to clone"},
    {"keyctl", NeverWhen::Always, EPERM, "the kernel keyring is shared with the host session"},
    {"add_key", NeverWhen::Always, EPERM, "the kernel keyring is shared with the host session"},
    {"request_key", NeverWhen::Always, EPERM, "the kernel keyring can call out to host helpers"},
    {"bpf", NeverWhen::Always, EPERM, "eBPF: a large kernel attack surface"},
    {"perf_event_open", NeverWhen::Always, EPERM, "performance counters observe other processes and the kernel"},
    {"userfaultfd", NeverWhen::Always, EPERM, "stalls kernel page faults: a kernel-exploit primitive"},
    {"io_uring_setup", NeverWhen::Always, EPERM, "io_uring performs syscalls the seccomp filter never sees"},
    {"io_uring_enter", NeverWhen::Always, EPERM, "io_uring performs syscalls the seccomp filter never sees"},
    {"io_uring_register", NeverWhen::Always, EPERM, "io_uring performs syscalls the seccomp filter never sees"},
    {"personality", NeverWhen::PersonalitySet, EPERM,
     "changing the execution domain (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE…) weakens memory protections; "
     "the query 0xffffffff stays learnable"},
    {"kexec_load", NeverWhen::Always, EPERM, "replaces the running kernel"},
    {"kexec_file_load", NeverWhen::Always, EPERM, "replaces the running kernel"},
    {"init_module", NeverWhen::Always, EPERM, "loads kernel code"},
    {"finit_module", NeverWhen::Always, EPERM, "loads kernel code"},
    {"delete_module", NeverWhen::Always, EPERM, "unloads kernel code"},
    {"acct", NeverWhen::Always, EPERM, "process accounting writes host files"},
    {"swapon", NeverWhen::Always, EPERM, "system administration: swap"},
    {"swapoff", NeverWhen::Always, EPERM, "system administration: swap"},
    {"reboot", NeverWhen::Always, EPERM, "reboots or halts the host"},
    {"syslog", NeverWhen::Always, EPERM, "reads the kernel log (addresses, other users' events)"},
    {"quotactl", NeverWhen::Always, EPERM, "system administration: disk quotas"},
    {"quotactl_fd", NeverWhen::Always, EPERM, "system administration: disk quotas"},
};

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

bool allows(const Decision& d) { return d.kind == Decision::Allow || d.kind == Decision::Log; }

}  // namespace

std::span<const NeverLearned> never_learned_table() { return kTable; }

const NeverLearned* never_learned_entry(std::string_view syscall) {
  for (const auto& e : kTable)
    if (e.syscall == syscall) return &e;
  return nullptr;
}

const NeverLearned* never_learned_call(std::string_view syscall, const uint64_t args[6]) {
  const NeverLearned* e = never_learned_entry(syscall);
  if (!e) return nullptr;
  switch (e->when) {
    case NeverWhen::Always: return e;
    case NeverWhen::TerminalIoctl: {
      // The kernel reads the request as a 32-bit unsigned int (CVE-2019-10063).
      auto req = static_cast<uint32_t>(args[1]);
      return req == kTiocsti || req == kTioclinux ? e : nullptr;
    }
    case NeverWhen::NamespaceClone: return (args[0] & kCloneNamespaceFlags) ? e : nullptr;
    case NeverWhen::PersonalitySet:
      return static_cast<uint32_t>(args[0]) == kPersonalityQuery ? nullptr : e;
  }
  return e;
}

std::vector<NeverLearnedAllowed> profile_allows_never_learned(const Profile& profile) {
  std::vector<NeverLearnedAllowed> out;
  for (const auto& e : kTable) {
    int nr = syscall_nr(e.syscall);
    if (nr < 0) continue;
    // Argument vectors the table refuses; the first one the profile allows is reported.
    std::vector<std::pair<std::string, std::array<uint64_t, 6>>> probes;
    switch (e.when) {
      case NeverWhen::Always: {
        // Any allow at all: a conditional allow, the base, or the default action.
        auto it = profile.syscalls.find(nr);
        auto lets = [](const Action& a) { return a.kind == ActionKind::Allow || a.kind == ActionKind::Log; };
        std::string rule;
        if (it == profile.syscalls.end()) {
          if (lets(profile.default_action)) rule = "default_action (" + origin_text(profile.default_origin) + ")";
        } else if (it->second.cond_action && !it->second.cond_rules.empty() && lets(*it->second.cond_action)) {
          rule = origin_text(it->second.cond_rules.front().origin) + " (with argument conditions)";
        } else if (it->second.base ? lets(*it->second.base) : lets(profile.default_action)) {
          rule = it->second.base ? origin_text(it->second.base_origin)
                                 : "default_action (" + origin_text(profile.default_origin) + ")";
        }
        if (!rule.empty()) out.push_back({std::string(e.syscall), "", rule, e.reason});
        continue;
      }
      case NeverWhen::TerminalIoctl:
        probes.push_back({"TIOCSTI", {0, kTiocsti, 0, 0, 0, 0}});
        probes.push_back({"TIOCSTI", {0, 0xffffffff00000000ULL | kTiocsti, 0, 0, 0, 0}});
        probes.push_back({"TIOCLINUX", {0, kTioclinux, 0, 0, 0, 0}});
        probes.push_back({"TIOCLINUX", {0, 0xffffffff00000000ULL | kTioclinux, 0, 0, 0, 0}});
        break;
      case NeverWhen::NamespaceClone: {
        const std::pair<const char*, uint64_t> flags[] = {
            {"CLONE_NEWUSER", 0x10000000}, {"CLONE_NEWNS", 0x20000},      {"CLONE_NEWPID", 0x20000000},
            {"CLONE_NEWNET", 0x40000000},  {"CLONE_NEWUTS", 0x4000000},   {"CLONE_NEWIPC", 0x8000000},
            {"CLONE_NEWCGROUP", 0x2000000}};
        for (const auto& [n, f] : flags) {
          probes.push_back({n, {f | 17 /*SIGCHLD*/, 0, 0, 0, 0, 0}});
          probes.push_back({n, {f | 0x3d0f00 /*thread flags*/, 0, 0, 0, 0, 0}});
        }
        break;
      }
      case NeverWhen::PersonalitySet:
        for (uint64_t p : {0x0ULL, 0x8ULL /*PER_LINUX32*/, 0x40000ULL /*ADDR_NO_RANDOMIZE*/,
                           0x400000ULL /*READ_IMPLIES_EXEC*/, 0x0200000ULL /*MMAP_PAGE_ZERO*/})
          probes.push_back({"persona " + hex(p), {p, 0, 0, 0, 0, 0}});
        break;
    }
    for (const auto& [what, v] : probes) {
      if (!never_learned_call(e.syscall, v.data())) continue;
      Decision d = decide(profile, nr, v.data());
      if (!allows(d)) continue;
      out.push_back({std::string(e.syscall), what, d.rule, e.reason});
      break;
    }
  }
  return out;
}

}  // namespace gsb::core
