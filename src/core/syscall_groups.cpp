// The shipped table of named syscall groups. Members are x86_64 syscall names or "@group".
// Invariants (tested): sorted by name, every member resolves, no cycles, each has a description.
// Note: clone, ioctl-with-arguments, personality and socket are deliberately NOT in any allow
// group: a profile allows them with argument conditions (see profiles/gopls.toml).
#include "gopls_sandbox/core/syscall_groups.hpp"

#include <algorithm>
#include <set>

#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::core {

const std::vector<SyscallGroup>& builtin_groups() {
  static const std::vector<SyscallGroup> groups = {
      {"@basic-io", "read/write/seek/close on open descriptors, dup, ioctl, zero-copy transfers",
       {"close", "close_range", "copy_file_range", "dup", "dup2", "dup3", "ioctl", "lseek",
        "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv",
        "sendfile", "splice", "tee", "write", "writev"}},
      {"@clock-set", "setting the system clock",
       {"adjtimex", "clock_adjtime", "clock_settime", "settimeofday"}},
      {"@credentials-read", "reading user/group ids and capabilities",
       {"capget", "getegid", "geteuid", "getgid", "getgroups", "getresgid", "getresuid",
        "getuid"}},
      {"@credentials-write", "changing user/group ids and capabilities",
       {"capset", "setfsgid", "setfsuid", "setgid", "setgroups", "setregid", "setresgid",
        "setresuid", "setreuid", "setuid"}},
      {"@debug", "tracing and inspecting other processes",
       {"kcmp", "lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_madvise",
        "process_vm_readv", "process_vm_writev", "ptrace"}},
      {"@exec", "running programs", {"execve", "execveat"}},
      {"@file-meta", "changing file metadata (modes, owners, times, extended attributes)",
       {"chmod", "chown", "fchmod", "fchmodat", "fchown", "fchownat", "fremovexattr",
        "fsetxattr", "futimesat", "lchown", "lremovexattr", "lsetxattr", "removexattr",
        "setxattr", "umask", "utime", "utimensat", "utimes"}},
      {"@file-read", "opening, stat-ing and listing files and directories",
       {"access", "chdir", "faccessat", "faccessat2", "fadvise64", "fchdir", "fgetxattr",
        "flistxattr", "fstat", "fstatfs", "getcwd", "getdents", "getdents64", "getxattr",
        "lgetxattr", "listxattr", "llistxattr", "lstat", "newfstatat", "open", "openat",
        "openat2", "readahead", "readlink", "readlinkat", "stat", "statfs", "statx"}},
      {"@file-write", "creating, renaming, removing, truncating and syncing files",
       {"@file-meta", "creat", "fallocate", "fdatasync", "flock", "fsync", "ftruncate", "link",
        "linkat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "rmdir", "symlink",
        "symlinkat", "sync", "sync_file_range", "syncfs", "truncate", "unlink", "unlinkat"}},
      {"@go-runtime", "what every Go program's runtime needs (scheduler, memory, signals, netpoll)",
       {"@io-event", "@memory", "@signal", "@time", "arch_prctl", "exit", "exit_group", "fcntl",
        "futex", "getpid", "getrandom", "getrlimit", "gettid", "pipe2", "prlimit64", "read",
        "restart_syscall", "rseq", "sched_getaffinity", "sched_yield", "set_robust_list",
        "set_tid_address", "setrlimit", "uname", "write"}},
      {"@io-event", "waiting for descriptors: epoll, poll, select, eventfd, timerfd, inotify",
       {"epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "eventfd", "eventfd2", "inotify_add_watch", "inotify_init",
        "inotify_init1", "inotify_rm_watch", "poll", "ppoll", "pselect6", "select",
        "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_settime"}},
      {"@io-uring", "io_uring (a second syscall interface seccomp cannot see into)",
       {"io_uring_enter", "io_uring_register", "io_uring_setup"}},
      {"@ipc", "pipes, shared memory, System V IPC, POSIX message queues",
       {"memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
        "mq_timedsend", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "pipe", "pipe2",
        "semctl", "semget", "semop", "semtimedop", "shmat", "shmctl", "shmdt", "shmget"}},
      {"@keyring", "the kernel key retention service", {"add_key", "keyctl", "request_key"}},
      {"@memory", "mapping and managing memory",
       {"brk", "madvise", "membarrier", "mincore", "mlock", "mlock2", "mlockall", "mmap",
        "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap"}},
      {"@module", "loading and unloading kernel modules",
       {"create_module", "delete_module", "finit_module", "init_module"}},
      {"@mount", "mounting and changing the root",
       {"chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr",
        "move_mount", "open_tree", "pivot_root", "umount2"}},
      {"@namespace", "creating and entering namespaces", {"setns", "unshare"}},
      {"@network", "sockets of any kind: create, connect, listen (socket itself needs a rule)",
       {"@network-local", "accept", "accept4", "bind", "connect", "listen"}},
      {"@network-local", "using sockets already open or made by socketpair",
       {"getpeername", "getsockname", "getsockopt", "recvfrom", "recvmmsg", "recvmsg",
        "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socketpair"}},
      {"@obsolete", "syscalls nothing current uses",
       {"_sysctl", "afs_syscall", "get_kernel_syms", "getpmsg", "putpmsg", "query_module",
        "security", "sysfs", "tuxcall", "uselib", "ustat", "vserver"}},
      {"@privileged", "system administration: needs capabilities a sandbox never grants",
       {"@clock-set", "@module", "@mount", "@reboot", "@swap", "acct", "bpf", "ioperm", "iopl",
        "name_to_handle_at", "nfsservctl", "open_by_handle_at", "quotactl", "sethostname",
        "setdomainname", "userfaultfd", "vhangup"}},
      {"@process", "forking (not clone: see the profile rules), waiting, process attributes",
       {"exit", "exit_group", "fork", "getpgid", "getpgrp", "getppid", "getpriority",
        "getrusage", "getsid", "kill", "pidfd_open", "pidfd_send_signal", "prctl", "sched_getparam",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
        "sched_setaffinity", "setpgid", "setpriority", "setsid", "tgkill", "times", "tkill",
        "vfork", "wait4", "waitid"}},
      {"@reboot", "rebooting and replacing the kernel", {"kexec_file_load", "kexec_load", "reboot"}},
      {"@signal", "signal handling",
       {"pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo", "sigaltstack",
        "tgkill", "tkill"}},
      {"@swap", "enabling and disabling swap", {"swapoff", "swapon"}},
      {"@sysinfo", "reading system information", {"getcpu", "sysinfo", "uname"}},
      {"@time", "reading clocks, sleeping, timers",
       {"alarm", "clock_getres", "clock_gettime", "clock_nanosleep", "getitimer",
        "gettimeofday", "nanosleep", "setitimer", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_settime"}},
  };
  return groups;
}

const SyscallGroup* find_group(std::string_view name) {
  std::string n = name.starts_with('@') ? std::string(name) : "@" + std::string(name);
  for (const auto& g : builtin_groups())
    if (g.name == n) return &g;
  return nullptr;
}

namespace {
Result<void> expand_into(const SyscallGroup& g, std::vector<std::string_view>& stack,
                         std::set<std::string>& out) {
  if (std::find(stack.begin(), stack.end(), g.name) != stack.end())
    return Error::usage("syscall group cycle through " + std::string(g.name));
  stack.push_back(g.name);
  for (auto m : g.members) {
    if (m.starts_with('@')) {
      const SyscallGroup* sub = find_group(m);
      if (!sub)
        return Error::usage("group " + std::string(g.name) + ": unknown group " + std::string(m));
      if (auto r = expand_into(*sub, stack, out); !r) return r;
    } else {
      if (syscall_nr(m) < 0)
        return Error::usage("group " + std::string(g.name) + ": unknown syscall " +
                            std::string(m));
      out.emplace(m);
    }
  }
  stack.pop_back();
  return {};
}
}  // namespace

Result<std::vector<std::string>> expand_group(std::string_view name) {
  const SyscallGroup* g = find_group(name);
  if (!g) return Error::usage("unknown syscall group \"" + std::string(name) + "\"");
  std::set<std::string> out;
  std::vector<std::string_view> stack;
  if (auto r = expand_into(*g, stack, out); !r) return std::move(r).error();
  return std::vector<std::string>(out.begin(), out.end());
}

}  // namespace gsb::core
