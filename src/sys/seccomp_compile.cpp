// libseccomp as the FilterCompiler of core::compile_policy: rules in, exported BPF out.
#include "gopls_sandbox/sys/seccomp_compile.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::sys {

namespace {

scmp_compare to_scmp_op(core::CmpOp op) {
  switch (op) {
    case core::CmpOp::Eq: return SCMP_CMP_EQ;
    case core::CmpOp::Ne: return SCMP_CMP_NE;
    case core::CmpOp::Lt: return SCMP_CMP_LT;
    case core::CmpOp::Le: return SCMP_CMP_LE;
    case core::CmpOp::Gt: return SCMP_CMP_GT;
    case core::CmpOp::Ge: return SCMP_CMP_GE;
    case core::CmpOp::MaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

scmp_arg_cmp to_scmp_cmp(const core::ArgCond& c) {
  scmp_arg_cmp r{};
  r.arg = c.index;
  r.op = to_scmp_op(c.op);
  if (c.op == core::CmpOp::MaskedEq) {
    r.datum_a = c.mask;
    r.datum_b = c.value;
  } else {
    r.datum_a = c.value;
  }
  return r;
}

struct CtxDeleter {
  void operator()(void* c) const { seccomp_release(c); }
};

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

std::vector<sock_filter> fail(core::FilterCompileError& err, std::string what, int rc, int rule = -1) {
  err.rule = rule;
  err.message = std::move(what) + ": " + errno_text(rc);
  return {};
}

}  // namespace

std::vector<sock_filter> SeccompCompiler::compile(const core::FilterRules& fr,
                                                  core::FilterCompileError& err) const {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(fr.default_action));
  if (!ctx) {
    err.message = "seccomp_init failed";
    return {};
  }
  void* c = ctx.get();
  int rc;
  if ((rc = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, fr.bad_arch_action)) < 0)
    return fail(err, "bad-arch action", -rc);
  if ((rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0)) < 0) return fail(err, "nnp", -rc);
  if ((rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
    return fail(err, "binary tree optimisation", -rc);

  for (size_t i = 0; i < fr.rules.size(); ++i) {
    const core::FilterRule& r = fr.rules[i];
    std::vector<scmp_arg_cmp> cmps;
    for (const auto& cd : r.conds) cmps.push_back(to_scmp_cmp(cd));
    rc = seccomp_rule_add_exact_array(c, r.action, r.nr, static_cast<unsigned>(cmps.size()),
                                      cmps.empty() ? nullptr : cmps.data());
    if (rc < 0)
      return fail(err, "rule for " + std::string(core::syscall_name(r.nr)), -rc, static_cast<int>(i));
  }

  int fd = memfd_create("gsb-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return fail(err, "memfd_create", errno);
  FdCloser closer{fd};
  if ((rc = seccomp_export_bpf(c, fd)) < 0) return fail(err, "export", -rc);
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0) return fail(err, "lseek", errno);
  if (size == 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    err.message = "bad export size";
    return {};
  }
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(prog.data());
  while (done < static_cast<size_t>(size)) {
    ssize_t n = pread(fd, bytes + done, static_cast<size_t>(size) - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(err, "pread", n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  return prog;
}

const SeccompCompiler& seccomp_compiler() {
  static const SeccompCompiler c;
  return c;
}

}  // namespace gsb::sys

namespace gsb::core {

Result<CompiledPolicy> compile_policy(const Profile& profile, Delivery delivery) {
  return compile_policy(profile, delivery, sys::seccomp_compiler());
}

}  // namespace gsb::core
