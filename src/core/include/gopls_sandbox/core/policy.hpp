// Compiling a resolved Profile into a seccomp BPF program (through a FilterCompiler; never
// loaded), the matching pure evaluator decide(), and the OCI runtime-spec JSON export.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// How refused-with-errno calls are delivered (see profiles/README.md "Compilation").
enum class Delivery { Errno, Notify, Learn };

// Syscalls a Notify filter sends to the supervisor even where the profile allows them:
// utimensat and utimes. Go and gopls refresh a cache entry's mtime on a hit when it is older
// than an hour; under a copy-on-write cache overlay that copies the whole entry up. The
// supervisor answers such a call on a cache path with success without running it, and lets
// every other one continue (app/supervisor.cpp).
bool is_intercepted_when_allowed(int nr);

struct CompiledPolicy {
  std::vector<sock_filter> program;
  Delivery delivery = Delivery::Errno;
  int default_errno = 1;   // for the supervisor: errno of the profile's default action
  int unknown_errno = 38;
};

class FilterCompiler;  // core/filter_compiler.hpp

Result<CompiledPolicy> compile_policy(const Profile& profile, Delivery delivery,
                                      const FilterCompiler& compiler);
// The same with the system layer's libseccomp compiler: defined in src/sys/seccomp_compile.cpp,
// so only code that links gsb_sys can call it (the core-only unit tests cannot).
Result<CompiledPolicy> compile_policy(const Profile& profile, Delivery delivery);

struct Decision {
  enum Kind { Allow, Errno, Kill, Log } kind = Errno;
  int err = 0;        // Errno only
  std::string rule;   // where it came from: "gopls.toml:40:1", "default_action", ...
};

// What the profile says for a native x86_64 call (nr | 0x40000000 = x32 -> errno EPERM).
Decision decide(const Profile& profile, int nr, const uint64_t args[6]);

// OCI runtime-spec linux.seccomp object (mirrors the compiled filter in Errno delivery).
json::Value export_oci_json(const Profile& profile);

// The x32 ABI / i386 refusal errno.
inline constexpr int kForeignAbiErrno = 1;  // EPERM

}  // namespace gsb::core
