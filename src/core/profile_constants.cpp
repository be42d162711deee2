// Symbolic constants for argument conditions: "CLONE_NEWUSER|CLONE_NEWNS", "TIOCSTI", "0x5412".
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <charconv>
#include <unordered_map>

#include "gopls_sandbox/core/profile.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

namespace gsb::core {

namespace {
#define C(x) {#x, static_cast<uint64_t>(x)}
const std::unordered_map<std::string_view, uint64_t>& constants() {
  static const std::unordered_map<std::string_view, uint64_t> m = {
      // socket families
      C(AF_UNSPEC), C(AF_UNIX), C(AF_LOCAL), C(AF_INET), C(AF_AX25), C(AF_IPX), C(AF_APPLETALK),
      C(AF_NETROM), C(AF_BRIDGE), C(AF_ATMPVC), C(AF_X25), C(AF_INET6), C(AF_ROSE), C(AF_DECnet),
      C(AF_NETBEUI), C(AF_SECURITY), C(AF_KEY), C(AF_NETLINK), C(AF_PACKET), C(AF_ASH),
      C(AF_ECONET), C(AF_ATMSVC), C(AF_RDS), C(AF_SNA), C(AF_IRDA), C(AF_PPPOX), C(AF_WANPIPE),
      C(AF_LLC), C(AF_IB), C(AF_MPLS), C(AF_CAN), C(AF_TIPC), C(AF_BLUETOOTH), C(AF_IUCV),
      C(AF_RXRPC), C(AF_ISDN), C(AF_PHONET), C(AF_IEEE802154), C(AF_CAIF), C(AF_ALG), C(AF_NFC),
      C(AF_VSOCK), C(AF_KCM), C(AF_QIPCRTR), C(AF_SMC), C(AF_XDP),
      // socket types
      C(SOCK_STREAM), C(SOCK_DGRAM), C(SOCK_RAW), C(SOCK_RDM), C(SOCK_SEQPACKET), C(SOCK_PACKET),
      C(SOCK_NONBLOCK), C(SOCK_CLOEXEC),
      // clone flags
      C(CSIGNAL), C(CLONE_VM), C(CLONE_FS), C(CLONE_FILES), C(CLONE_SIGHAND), C(CLONE_PIDFD),
      C(CLONE_PTRACE), C(CLONE_VFORK), C(CLONE_PARENT), C(CLONE_THREAD), C(CLONE_NEWNS),
      C(CLONE_SYSVSEM), C(CLONE_SETTLS), C(CLONE_PARENT_SETTID), C(CLONE_CHILD_CLEARTID),
      C(CLONE_DETACHED), C(CLONE_UNTRACED), C(CLONE_CHILD_SETTID), C(CLONE_NEWCGROUP),
      C(CLONE_NEWUTS), C(CLONE_NEWIPC), C(CLONE_NEWUSER), C(CLONE_NEWPID), C(CLONE_NEWNET),
      C(CLONE_IO), C(CLONE_NEWTIME), C(CLONE_CLEAR_SIGHAND), C(CLONE_INTO_CGROUP),
      // mmap / mprotect
      C(PROT_NONE), C(PROT_READ), C(PROT_WRITE), C(PROT_EXEC), C(PROT_GROWSDOWN),
      C(PROT_GROWSUP), C(MAP_SHARED), C(MAP_PRIVATE), C(MAP_FIXED), C(MAP_ANONYMOUS),
      C(MAP_GROWSDOWN), C(MAP_NORESERVE), C(MAP_POPULATE), C(MAP_STACK), C(MAP_HUGETLB),
      C(MAP_FIXED_NOREPLACE),
      // ioctl requests
      C(TIOCSTI), C(TIOCLINUX), C(TIOCSETD), C(TIOCSCTTY), C(TIOCGWINSZ), C(TIOCSWINSZ),
      C(TCGETS), C(TCSETS), C(FIONBIO), C(FIOCLEX), C(FIONCLEX), C(FIONREAD),
      // personality
      C(PER_LINUX), C(PER_LINUX32), C(READ_IMPLIES_EXEC), C(ADDR_NO_RANDOMIZE),
      C(ADDR_COMPAT_LAYOUT), C(MMAP_PAGE_ZERO), C(ADDR_LIMIT_32BIT), C(ADDR_LIMIT_3GB),
      C(SHORT_INODE), C(WHOLE_SECONDS), C(STICKY_TIMEOUTS), C(UNAME26), C(FDPIC_FUNCPTRS),
      {"PERSONALITY_QUERY", 0xffffffffULL},
      // open flags
      C(O_RDONLY), C(O_WRONLY), C(O_RDWR), C(O_ACCMODE), C(O_CREAT), C(O_EXCL), C(O_NOCTTY),
      C(O_TRUNC), C(O_APPEND), C(O_NONBLOCK), C(O_DSYNC), C(O_SYNC), C(O_DIRECTORY),
      C(O_NOFOLLOW), C(O_CLOEXEC), C(O_PATH), C(O_TMPFILE), C(O_DIRECT), C(O_LARGEFILE),
      C(O_NOATIME),
      // prctl options
      C(PR_SET_PDEATHSIG), C(PR_GET_PDEATHSIG), C(PR_SET_DUMPABLE), C(PR_GET_DUMPABLE),
      C(PR_SET_NAME), C(PR_GET_NAME), C(PR_SET_SECCOMP), C(PR_GET_SECCOMP),
      C(PR_SET_NO_NEW_PRIVS), C(PR_GET_NO_NEW_PRIVS), C(PR_SET_PTRACER), C(PR_CAPBSET_READ),
      C(PR_CAPBSET_DROP), C(PR_SET_MM), C(PR_SET_CHILD_SUBREAPER), C(PR_SET_VMA),
      C(PR_SET_KEEPCAPS), C(PR_CAP_AMBIENT),
      // signals
      C(SIGHUP), C(SIGINT), C(SIGQUIT), C(SIGKILL), C(SIGUSR1), C(SIGSEGV), C(SIGUSR2),
      C(SIGPIPE), C(SIGALRM), C(SIGTERM), C(SIGCHLD), C(SIGCONT), C(SIGSTOP), C(SIGURG),
      C(SIGSYS),
  };
  return m;
}
#undef C

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_one(std::string_view t) {
  t = trim(t);
  if (t.empty()) return std::nullopt;
  if (t[0] >= '0' && t[0] <= '9') {
    int base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      base = 16;
      t.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
    if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
    return v;
  }
  auto it = constants().find(t);
  if (it == constants().end()) return std::nullopt;
  return it->second;
}
}  // namespace

std::optional<uint64_t> parse_constant_expr(std::string_view text) {
  uint64_t v = 0;
  if (trim(text).empty()) return std::nullopt;
  while (true) {
    auto bar = text.find('|');
    auto part = parse_one(text.substr(0, bar));
    if (!part) return std::nullopt;
    v |= *part;
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return v;
}

}  // namespace gsb::core
