// The FilterCompiler of the system layer: libseccomp builds the program and exports it through
// a memfd (seccomp_export_bpf writes to a file descriptor), read back with pread.
#pragma once

#include "gopls_sandbox/core/filter_compiler.hpp"

namespace gsb::sys {

class SeccompCompiler final : public core::FilterCompiler {
 public:
  std::vector<sock_filter> compile(const core::FilterRules& rules,
                                   core::FilterCompileError& err) const override;
};

const SeccompCompiler& seccomp_compiler();

}  // namespace gsb::sys
