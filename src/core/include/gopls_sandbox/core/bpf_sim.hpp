// A small classic-BPF interpreter for seccomp programs: tests check what a compiled filter does
// without loading it (as libseccomp's and minijail's tests do), and compile_policy uses it to
// verify that the program libseccomp produced agrees with decide(). Pure.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gsb::core {

struct SimResult {
  bool ok = false;        // false: the program is malformed (bad jump, bad load, no return)
  uint32_t ret = 0;       // the full 32-bit return value
  std::string error;
  uint32_t action() const { return ret & SECCOMP_RET_ACTION_FULL; }
  uint32_t data() const { return ret & SECCOMP_RET_DATA; }
};

SimResult run_bpf(const std::vector<sock_filter>& prog, const seccomp_data& data);
SimResult run_bpf(const std::vector<sock_filter>& prog, uint32_t arch, int nr,
                  const uint64_t args[6], uint64_t ip = 0);

}  // namespace gsb::core
