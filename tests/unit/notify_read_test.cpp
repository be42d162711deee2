// Reading a syscall's string argument from the caller's memory (sys/notify.hpp,
// read_task_string): process_vm_readv with /proc/TID/mem as its fallback, both readers on the
// same cases — a string crossing a page boundary, one ending at the last byte before an unmapped
// page, an unterminated one over the limit, bad addresses (EFAULT, never a crash or a partial
// string), and another process's memory.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "gopls_sandbox/sys/notify.hpp"

using namespace gsb;

namespace {

constexpr size_t kPage = 4096;
const sys::MemReader kReaders[] = {sys::MemReader::Auto, sys::MemReader::ProcMem};

const char* name(sys::MemReader r) { return r == sys::MemReader::Auto ? "process_vm_readv" : "/proc/TID/mem"; }

uint32_t self() { return static_cast<uint32_t>(::gettid()); }
uint64_t addr_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// `pages` read-write anonymous pages; with `hole_after`, the page after them is unmapped.
class Pages {
 public:
  Pages(size_t pages, bool hole_after) : len_(pages * kPage) {
    void* p = ::mmap(nullptr, len_ + kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
    base_ = static_cast<char*>(p);
    if (hole_after && ::munmap(base_ + len_, kPage) != 0)
      throw std::runtime_error(std::string("munmap: ") + std::strerror(errno));
    mapped_ = hole_after ? len_ : len_ + kPage;
  }
  ~Pages() { ::munmap(base_, mapped_); }
  char* at(size_t off) { return base_ + off; }
  size_t size() const { return len_; }

 private:
  size_t len_, mapped_;
  char* base_ = nullptr;
};

TEST(NotifyRead, StringCrossingAPageBoundary) {
  Pages m(2, true);
  std::string s = "/home/user/go/pkg/mod/cache/" + std::string(200, 'x') + "/file.go";
  char* p = m.at(kPage - 37);  // 37 bytes on the first page, the rest on the second
  std::memcpy(p, s.c_str(), s.size() + 1);
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out = "stale";
    EXPECT_EQ(sys::read_task_string(self(), addr_of(p), sys::kTaskStringMax, &out, r), 0);
    EXPECT_EQ(out, s);
  }
}

TEST(NotifyRead, StringEndingAtTheEndOfAMappingBeforeAnUnmappedPage) {
  Pages m(1, true);
  std::string s = "/tmp/ends-at-the-last-byte";
  char* p = m.at(kPage - s.size() - 1);  // its NUL is the mapping's last byte
  std::memcpy(p, s.c_str(), s.size() + 1);
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out;
    EXPECT_EQ(sys::read_task_string(self(), addr_of(p), sys::kTaskStringMax, &out, r), 0);
    EXPECT_EQ(out, s);
  }
  // The same bytes without the NUL run into the hole: EFAULT, and no partial string.
  m.at(kPage - 1)[0] = 'x';
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out;
    EXPECT_EQ(sys::read_task_string(self(), addr_of(p), sys::kTaskStringMax, &out, r), EFAULT);
    EXPECT_EQ(out, "");
  }
}

TEST(NotifyRead, UnterminatedStringOverTheLimit) {
  Pages m(3, true);
  std::memset(m.at(0), 'a', m.size());  // 12 KiB without a NUL, all mapped
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out;
    EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(100)), sys::kTaskStringMax, &out, r), ENAMETOOLONG);
    EXPECT_EQ(out, "");
    // The longest accepted string (kTaskStringMax bytes, then its NUL) is read whole; one more is too long.
    m.at(100 + sys::kTaskStringMax)[0] = '\0';
    EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(100)), sys::kTaskStringMax, &out, r), 0);
    EXPECT_EQ(out, std::string(sys::kTaskStringMax, 'a'));
    EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(99)), sys::kTaskStringMax, &out, r), ENAMETOOLONG);
    m.at(100 + sys::kTaskStringMax)[0] = 'a';
    // A smaller limit is honoured.
    m.at(10)[0] = '\0';
    EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(0)), 9, &out, r), ENAMETOOLONG);
    EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(0)), 10, &out, r), 0);
    EXPECT_EQ(out, std::string(10, 'a'));
    m.at(10)[0] = 'a';
  }
}

TEST(NotifyRead, BadAddressIsEfault) {
  Pages m(1, true);
  const uint64_t bad[] = {
      0,                                 // NULL: never read
      1,                                 // the unmapped first page
      addr_of(m.at(m.size())),           // the hole after the mapping
      0xffff800000000000ull,             // kernel space
      0xfffffffffffff000ull,             // the last page: the chunk loop must not wrap around
  };
  for (auto r : kReaders) {
    for (uint64_t a : bad) {
      SCOPED_TRACE(std::string(name(r)) + " at " + std::to_string(a));
      std::string out = "stale";
      EXPECT_EQ(sys::read_task_string(self(), a, sys::kTaskStringMax, &out, r), EFAULT);
      EXPECT_EQ(out, "");
    }
  }
  // The supervisor's wrapper turns it into "no path" before it asks the kernel anything.
  EXPECT_FALSE(sys::read_string_arg(-1, 0, self(), addr_of(m.at(m.size()))).has_value());
}

TEST(NotifyRead, UnreadableMemoryIsEfaultThroughProcessVmReadv) {
  // PROT_NONE: the kernel's own copy_from_user would fail, and so does process_vm_readv.
  // (/proc/TID/mem reads it anyway: FOLL_FORCE.)
  Pages m(1, true);
  std::strcpy(m.at(0), "/secret");
  ASSERT_EQ(::mprotect(m.at(0), kPage, PROT_NONE), 0) << std::strerror(errno);
  std::string out;
  EXPECT_EQ(sys::read_task_string(self(), addr_of(m.at(0)), sys::kTaskStringMax, &out, sys::MemReader::Auto), EFAULT);
  ASSERT_EQ(::mprotect(m.at(0), kPage, PROT_READ | PROT_WRITE), 0) << std::strerror(errno);
}

TEST(NotifyRead, AnotherProcessAndAGoneOne) {
  // After fork the child has the same string at the same address; the parent then changes its
  // own copy, so what comes back can only be the child's.
  static char buf[64] = "/from/the/child";
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char c;
    ::close(go[1]);
    (void)!::read(go[0], &c, 1);  // until the parent closes its end
    ::_exit(0);
  }
  ::close(go[0]);
  std::strcpy(buf, "/from/the/parent");
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out;
    EXPECT_EQ(sys::read_task_string(static_cast<uint32_t>(pid), addr_of(buf), sys::kTaskStringMax, &out, r), 0);
    EXPECT_EQ(out, "/from/the/child");
  }
  ::close(go[1]);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  for (auto r : kReaders) {
    SCOPED_TRACE(name(r));
    std::string out;
    EXPECT_EQ(sys::read_task_string(static_cast<uint32_t>(pid), addr_of(buf), sys::kTaskStringMax, &out, r), ESRCH);
  }
}

// In a child: process_vm_readv answers `err` (a seccomp filter), and Auto still reads the string,
// through /proc/TID/mem. Exit status 0 when it did.
int child_with_process_vm_readv_refused(int err) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | static_cast<unsigned>(err)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      ::_exit(10);
    static char s[] = "/read/through/proc/mem";
    char probe;
    struct iovec l = {&probe, 1}, r = {s, 1};
    if (::process_vm_readv(::getpid(), &l, 1, &r, 1, 0) != -1 || errno != err) ::_exit(11);  // the filter works
    for (int i = 0; i < 2; ++i) {  // twice: after ENOSYS the reader goes straight to the file
      std::string out;
      uint32_t tid = static_cast<uint32_t>(::gettid());
      if (sys::read_task_string(tid, addr_of(s), sys::kTaskStringMax, &out) != 0) ::_exit(12);
      if (out != s) ::_exit(13);
    }
    ::_exit(0);
  }
  int st = 0;
  if (::waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(NotifyRead, FallsBackToProcMemWhenProcessVmReadvIsRefusedOrMissing) {
  EXPECT_EQ(child_with_process_vm_readv_refused(EPERM), 0);
  EXPECT_EQ(child_with_process_vm_readv_refused(ENOSYS), 0);
}

}  // namespace
