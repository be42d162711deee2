// Profile -> seccomp filter rules -> BPF (through a FilterCompiler: libseccomp in the system
// layer, never loaded here), the pure evaluator decide() that mirrors it, and the OCI
// runtime-spec export.
//
// Filter layout (native x86_64 only):
//   - bad arch (i386, anything not x86_64) and the x32 ABI (nr & 0x40000000): ERRNO(EPERM)
//   - filter default action = ERRNO(unknown_errno): syscalls newer than our table
//   - every table syscall gets an explicit rule: always-allowed list, profile entry, or the
//     profile's default action (rules equal to the filter default are omitted)
//   - a syscall with conditional rules: the conditional rules, then its base (or the default)
//     as a rule with an always-true condition "arg >= 0" so libseccomp keeps it after the
//     conditions instead of collapsing everything into one unconditional rule.
#include "gopls_sandbox/core/policy.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <algorithm>
#include <array>
#include <map>

#include "gopls_sandbox/core/bpf_sim.hpp"
#include "gopls_sandbox/core/filter_compiler.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::core {

namespace {

constexpr int kX32Bit = 0x40000000;

constexpr uint32_t ret_errno(int err) {
  return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(err) & SECCOMP_RET_DATA);
}

uint32_t to_ret(const Action& a, Delivery d) {
  switch (a.kind) {
    case ActionKind::Allow: return SECCOMP_RET_ALLOW;
    // Learn: everything that is not a plain allow goes to the supervisor, which records it
    // and lets the call continue (log included: unprivileged users cannot read the audit log).
    case ActionKind::Log: return d == Delivery::Learn ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_LOG;
    case ActionKind::Kill: return d == Delivery::Learn ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_KILL_PROCESS;
    case ActionKind::Errno:
      // ENOSYS means "not implemented here, take your fallback" (clone3 -> clone): never
      // notified, in any mode, so the supervisor only sees real refusals.
      return (d == Delivery::Errno || a.err == ENOSYS) ? ret_errno(a.err) : SECCOMP_RET_USER_NOTIF;
  }
  return SECCOMP_RET_KILL_PROCESS;
}

// With a supervisor (Delivery::Notify), the allowed time-setting calls are notified too: the
// supervisor answers those aimed at a copy-on-write cache itself (see is_intercepted_when_allowed).
uint32_t with_interception(uint32_t act, int nr, Delivery d) {
  return (d == Delivery::Notify && act == SECCOMP_RET_ALLOW && is_intercepted_when_allowed(nr)) ? SECCOMP_RET_USER_NOTIF
                                                                                               : act;
}

}  // namespace

bool is_intercepted_when_allowed(int nr) {
  return nr == 280 /* utimensat */ || nr == 235 /* utimes */;
}

namespace {

// One attempt at building the filter. `otherwise_arg[nr]` chooses the argument of the
// always-true "otherwise" condition of a syscall with conditional rules (-1: default choice).
Result<std::vector<sock_filter>> build_program(const Profile& profile, Delivery delivery,
                                               const std::map<int, int>& otherwise_arg,
                                               const FilterCompiler& compiler) {
  FilterRules fr;
  fr.default_action = ret_errno(profile.unknown_errno);
  fr.bad_arch_action = ret_errno(kForeignAbiErrno);
  const uint32_t unknown_act = fr.default_action;
  const uint32_t default_act = to_ret(profile.default_action, delivery);

  auto add = [&](uint32_t act, int nr, std::vector<ArgCond> conds) {
    act = with_interception(act, nr, delivery);
    if (act == unknown_act) return;  // same as the filter default
    fr.rules.push_back(FilterRule{act, nr, std::move(conds)});
  };
  std::map<size_t, int> otherwise_rule;  // rule index -> nr, for the "retry" below

  for (const auto& sc : x86_64_syscalls()) {
    const int nr = sc.nr;
    if (is_always_allowed(nr)) {
      add(SECCOMP_RET_ALLOW, nr, {});
      continue;
    }
    auto it = profile.syscalls.find(nr);
    if (it == profile.syscalls.end()) {
      add(default_act, nr, {});
      continue;
    }
    const SyscallPolicy& sp = it->second;
    const uint32_t base_act = sp.base ? to_ret(*sp.base, delivery) : default_act;
    if (!sp.cond_action || sp.cond_rules.empty() ||
        to_ret(*sp.cond_action, delivery) == base_act) {
      add(base_act, nr, {});
      continue;
    }
    const uint32_t cond_act = to_ret(*sp.cond_action, delivery);
    if (cond_act == unknown_act)
      return Error::usage(origin_text(sp.cond_rules.front().origin) + ": conditional rule for \"" +
                          sp.name + "\" uses the unknown-syscall action " +
                          action_text(Action{ActionKind::Errno, profile.unknown_errno}) +
                          "; choose another errno");
    for (const auto& cr : sp.cond_rules) add(cond_act, nr, cr.conds);
    // The base/default after the conditions: "arg >= 0" is always true.
    auto ch = otherwise_arg.find(nr);
    const unsigned idx = (ch != otherwise_arg.end() && ch->second >= 0)
                             ? static_cast<unsigned>(ch->second)
                             : sp.cond_rules.front().conds.front().index;
    if (base_act != unknown_act) otherwise_rule[fr.rules.size()] = nr;
    add(base_act, nr, {ArgCond{idx, CmpOp::Ge, 0, 0}});
  }

  FilterCompileError err;
  std::vector<sock_filter> prog = compiler.compile(fr, err);
  if (!err.message.empty()) {
    // libseccomp refuses some overlaps (EEXIST) of an "otherwise" rule: let the caller try
    // another argument.
    if (auto o = otherwise_rule.find(static_cast<size_t>(err.rule)); err.rule >= 0 && o != otherwise_rule.end()) {
      auto ch = otherwise_arg.find(o->second);
      if (ch == otherwise_arg.end() || ch->second < 5) return Error::usage("retry:" + std::to_string(o->second));
    }
    return Error::usage("compiling seccomp filter: " + err.message);
  }
  if (prog.empty()) return Error::usage("compiling seccomp filter: empty program");
  if (prog.size() > BPF_MAXINSNS)
    return Error::usage("compiling seccomp filter: program has " + std::to_string(prog.size()) +
                        " instructions (max " + std::to_string(BPF_MAXINSNS) + ")");
  return prog;
}

uint32_t expected_ret(const Decision& d, Delivery delivery, bool special) {
  Action a;
  switch (d.kind) {
    case Decision::Allow: a = {ActionKind::Allow, 0}; break;
    case Decision::Errno: a = {ActionKind::Errno, d.err}; break;
    case Decision::Kill: a = {ActionKind::Kill, 0}; break;
    case Decision::Log: a = {ActionKind::Log, 0}; break;
  }
  if (special) return ret_errno(d.err);  // unknown / foreign ABI
  return to_ret(a, delivery);
}

// Argument vectors that exercise every condition of a syscall: values on, just off and
// around each compared value, with and without the upper 32 bits.
std::vector<std::array<uint64_t, 6>> probe_vectors(const SyscallPolicy& sp) {
  std::vector<uint64_t> cands[6];
  auto add = [&](unsigned i, uint64_t v) {
    if (std::find(cands[i].begin(), cands[i].end(), v) == cands[i].end()) cands[i].push_back(v);
  };
  std::vector<std::array<uint64_t, 6>> bases(1, std::array<uint64_t, 6>{});
  for (const auto& cr : sp.cond_rules) {
    std::array<uint64_t, 6> sat{};
    for (const auto& c : cr.conds) {
      const uint64_t v = c.value;
      for (uint64_t x : std::initializer_list<uint64_t>{v, v - 1, v + 1, v | 0xffffffff00000000ULL, v & 0xffffffffULL, 0ULL,
                         ~0ULL, 0xffffffffULL, 0x100000000ULL, c.mask, v ^ c.mask,
                         v ^ (c.mask & (~c.mask + 1))})
        add(c.index, x);
      switch (c.op) {
        case CmpOp::Ne: sat[c.index] = v + 1; break;
        case CmpOp::Lt: sat[c.index] = v - 1; break;
        case CmpOp::Gt: sat[c.index] = v + 1; break;
        default: sat[c.index] = v; break;
      }
    }
    bases.push_back(sat);
  }
  std::vector<std::array<uint64_t, 6>> out = bases;
  for (const auto& b : bases)
    for (unsigned i = 0; i < 6; ++i)
      for (uint64_t x : cands[i]) {
        auto v = b;
        v[i] = x;
        out.push_back(v);
      }
  return out;
}

// Syscalls whose compiled behaviour differs from decide(), empty when all agree.
std::vector<int> verify(const Profile& profile, Delivery delivery,
                        const std::vector<sock_filter>& prog) {
  std::vector<int> bad;
  const uint64_t zero[6] = {}, ones[6] = {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL};
  for (const auto& sc : x86_64_syscalls()) {
    auto it = profile.syscalls.find(sc.nr);
    std::vector<std::array<uint64_t, 6>> vecs;
    if (it != profile.syscalls.end() && !it->second.cond_rules.empty()) {
      vecs = probe_vectors(it->second);
    } else {
      vecs.push_back({});
      vecs.push_back({~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL});
    }
    for (const auto& v : vecs) {
      SimResult r = run_bpf(prog, AUDIT_ARCH_X86_64, sc.nr, v.data());
      Decision d = decide(profile, sc.nr, v.data());
      if (!r.ok || r.ret != with_interception(expected_ret(d, delivery, false), sc.nr, delivery)) {
        bad.push_back(sc.nr);
        break;
      }
    }
  }
  // foreign ABIs and syscalls newer than the table
  auto expect = [&](uint32_t arch, int nr, uint32_t want) {
    SimResult r = run_bpf(prog, arch, nr, zero);
    if (!r.ok || r.ret != want) bad.push_back(-1);
  };
  const uint32_t foreign = ret_errno(kForeignAbiErrno);
  const uint32_t unknown = ret_errno(profile.unknown_errno);
  expect(AUDIT_ARCH_X86_64, syscall_table_max_nr() + 1, unknown);
  expect(AUDIT_ARCH_X86_64, 39 | kX32Bit, foreign);
  expect(AUDIT_ARCH_X86_64, 0 | kX32Bit, foreign);
  expect(AUDIT_ARCH_I386, 20, foreign);
  expect(AUDIT_ARCH_I386, 1, foreign);
  (void)ones;
  return bad;
}

}  // namespace

Result<CompiledPolicy> compile_policy(const Profile& profile, Delivery delivery,
                                      const FilterCompiler& compiler) {
  // libseccomp orders the comparisons of one syscall by its own rules; the "otherwise" rule
  // must come after the conditional ones. Build, simulate, and for any syscall whose program
  // disagrees with decide() move the always-true condition to another argument and rebuild.
  std::map<int, int> choice;  // nr -> argument index of the "otherwise" condition
  std::vector<int> bad;
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto prog = build_program(profile, delivery, choice, compiler);
    if (!prog) {
      const std::string& m = prog.error().message;
      if (m.rfind("retry:", 0) == 0) {
        int nr = std::stoi(m.substr(6));
        choice[nr] = choice.count(nr) ? choice[nr] + 1 : 0;
        continue;
      }
      return std::move(prog).error();
    }
    bad = verify(profile, delivery, *prog);
    if (bad.empty()) {
      CompiledPolicy out;
      out.program = std::move(*prog);
      out.delivery = delivery;
      out.default_errno =
          profile.default_action.kind == ActionKind::Errno ? profile.default_action.err : 0;
      out.unknown_errno = profile.unknown_errno;
      return out;
    }
    bool progress = false;
    for (int nr : bad) {
      if (nr < 0) return Error::usage("compiling seccomp filter: architecture checks do not hold");
      int& c = choice.try_emplace(nr, -1).first->second;
      if (c < 5) c = c + 1, progress = true;
    }
    if (!progress) break;
  }
  std::string names;
  for (int nr : bad) names += (names.empty() ? "" : ", ") + std::string(syscall_name(nr));
  return Error::usage("compiling seccomp filter: libseccomp cannot express the argument rules for " +
                      names + " exactly (the program would disagree with the profile); " +
                      "simplify those conditional rules");
}

namespace {
Decision from_action(const Action& a, std::string rule) {
  Decision d;
  switch (a.kind) {
    case ActionKind::Allow: d.kind = Decision::Allow; break;
    case ActionKind::Errno: d.kind = Decision::Errno; d.err = a.err; break;
    case ActionKind::Kill: d.kind = Decision::Kill; break;
    case ActionKind::Log: d.kind = Decision::Log; break;
  }
  d.rule = std::move(rule);
  return d;
}
}  // namespace

Decision decide(const Profile& profile, int nr, const uint64_t args[6]) {
  if (nr < 0 || (nr & kX32Bit))
    return Decision{Decision::Errno, kForeignAbiErrno, "x32 ABI (refused)"};
  if (syscall_name(nr).empty())
    return Decision{Decision::Errno, profile.unknown_errno,
                    "unknown syscall (newer than table " + std::string(syscall_table_version()) + ")"};
  if (is_always_allowed(nr)) return Decision{Decision::Allow, 0, "always allowed (launcher)"};
  auto it = profile.syscalls.find(nr);
  if (it == profile.syscalls.end())
    return from_action(profile.default_action, "default_action (" + origin_text(profile.default_origin) + ")");
  const SyscallPolicy& sp = it->second;
  if (sp.cond_action) {
    for (const auto& cr : sp.cond_rules) {
      bool all = true;
      for (const auto& c : cr.conds) all = all && cond_matches(c, args);
      if (all) return from_action(*sp.cond_action, origin_text(cr.origin));
    }
  }
  if (sp.base) return from_action(*sp.base, origin_text(sp.base_origin));
  return from_action(profile.default_action,
                     "default_action (" + origin_text(profile.default_origin) + ")");
}

// ---------------------------------------------------------------------------------------

namespace {
const char* oci_action(const Action& a) {
  switch (a.kind) {
    case ActionKind::Allow: return "SCMP_ACT_ALLOW";
    case ActionKind::Errno: return "SCMP_ACT_ERRNO";
    case ActionKind::Kill: return "SCMP_ACT_KILL_PROCESS";
    case ActionKind::Log: return "SCMP_ACT_LOG";
  }
  return "SCMP_ACT_KILL_PROCESS";
}

const char* oci_op(CmpOp op) {
  switch (op) {
    case CmpOp::Eq: return "SCMP_CMP_EQ";
    case CmpOp::Ne: return "SCMP_CMP_NE";
    case CmpOp::Lt: return "SCMP_CMP_LT";
    case CmpOp::Le: return "SCMP_CMP_LE";
    case CmpOp::Gt: return "SCMP_CMP_GT";
    case CmpOp::Ge: return "SCMP_CMP_GE";
    case CmpOp::MaskedEq: return "SCMP_CMP_MASKED_EQ";
  }
  return "SCMP_CMP_EQ";
}

json::Value oci_arg(const ArgCond& c) {
  json::Object o;
  o.emplace_back("index", static_cast<unsigned long long>(c.index));
  // For SCMP_CMP_MASKED_EQ the runtime-spec (like libseccomp) takes value = mask,
  // valueTwo = the expected masked value.
  if (c.op == CmpOp::MaskedEq) {
    o.emplace_back("value", static_cast<unsigned long long>(c.mask));
    o.emplace_back("valueTwo", static_cast<unsigned long long>(c.value));
  } else {
    o.emplace_back("value", static_cast<unsigned long long>(c.value));
    o.emplace_back("valueTwo", 0);
  }
  o.emplace_back("op", oci_op(c.op));
  return json::Value(std::move(o));
}

json::Value oci_rule(std::vector<std::string> names, const Action& a, json::Array args,
                     std::string comment) {
  json::Object o;
  json::Array n;
  for (auto& s : names) n.emplace_back(std::move(s));
  o.emplace_back("names", json::Value(std::move(n)));
  o.emplace_back("action", oci_action(a));
  if (a.kind == ActionKind::Errno) o.emplace_back("errnoRet", a.err);
  if (!args.empty()) o.emplace_back("args", json::Value(std::move(args)));
  if (!comment.empty()) o.emplace_back("comment", std::move(comment));
  return json::Value(std::move(o));
}
}  // namespace

json::Value export_oci_json(const Profile& profile) {
  json::Object root;
  root.emplace_back("defaultAction", "SCMP_ACT_ERRNO");
  root.emplace_back("defaultErrnoRet", profile.unknown_errno);
  root.emplace_back("architectures", json::Array{json::Value("SCMP_ARCH_X86_64")});
  json::Array rules;

  // Unconditional entries grouped by action, in table order.
  std::vector<std::pair<Action, std::vector<std::string>>> plain;
  auto plain_add = [&](const Action& a, std::string name) {
    for (auto& [act, names] : plain)
      if (act == a) {
        names.push_back(std::move(name));
        return;
      }
    plain.push_back({a, {std::move(name)}});
  };
  for (const auto& sc : x86_64_syscalls()) {
    if (is_always_allowed(sc.nr)) {
      plain_add(Action{ActionKind::Allow, 0}, std::string(sc.name));
      continue;
    }
    auto it = profile.syscalls.find(sc.nr);
    if (it == profile.syscalls.end()) {
      plain_add(profile.default_action, std::string(sc.name));
      continue;
    }
    const SyscallPolicy& sp = it->second;
    const Action base = sp.base ? *sp.base : profile.default_action;
    if (!sp.cond_action || sp.cond_rules.empty()) {
      plain_add(base, std::string(sc.name));
      continue;
    }
    for (const auto& cr : sp.cond_rules) {
      json::Array args;
      for (const auto& c : cr.conds) args.push_back(oci_arg(c));
      rules.push_back(oci_rule({std::string(sc.name)}, *sp.cond_action, std::move(args),
                               origin_text(cr.origin)));
    }
    // Same "otherwise" rule as the compiled filter's first choice (libseccomp, which OCI
    // runtimes use too, keeps it after the conditional rules).
    ArgCond always{sp.cond_rules.front().conds.front().index, CmpOp::Ge, 0, 0};
    if (!(base.kind == ActionKind::Errno && base.err == profile.unknown_errno))
      rules.push_back(oci_rule({std::string(sc.name)}, base, json::Array{oci_arg(always)},
                               "otherwise"));
  }
  json::Array all;
  for (auto& [a, names] : plain)
    if (!(a.kind == ActionKind::Errno && a.err == profile.unknown_errno))
      all.push_back(oci_rule(std::move(names), a, {}, ""));
  for (auto& r : rules) all.push_back(std::move(r));
  root.emplace_back("syscalls", json::Value(std::move(all)));
  return json::Value(std::move(root));
}

}  // namespace gsb::core
