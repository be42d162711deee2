// The interface compile_policy() uses to turn a rule list into a BPF program. Core decides what
// the filter says (rules, order, retries, verification against decide()); the compiler that
// writes the instructions lives in the system layer (sys/seccomp_compile.cpp, libseccomp,
// exported through a memfd) or is a fake in tests. Actions are the kernel's SECCOMP_RET_*
// return values (libseccomp's SCMP_ACT_* are the same numbers).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

struct FilterRule {
  uint32_t action = 0;         // SECCOMP_RET_* value
  int nr = 0;                  // native x86_64 syscall number
  std::vector<ArgCond> conds;  // all must hold; empty = unconditional
};

struct FilterRules {
  uint32_t default_action = 0;   // syscalls without a rule (newer than the table)
  uint32_t bad_arch_action = 0;  // i386 and every other foreign architecture
  std::vector<FilterRule> rules; // in the order they are added
};

struct FilterCompileError {
  int rule = -1;        // index into FilterRules::rules that was refused, -1: not rule-specific
  std::string message;  // "rule for openat: File exists" ...
};

class FilterCompiler {
 public:
  virtual ~FilterCompiler() = default;
  // x86_64 only; x32 calls (nr | 0x40000000) take bad_arch_action.
  virtual std::vector<sock_filter> compile(const FilterRules& rules, FilterCompileError& err) const = 0;
};

}  // namespace gsb::core
