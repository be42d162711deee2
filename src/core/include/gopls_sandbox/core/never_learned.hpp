// Refusals that are never learned and never lifted (issue 11, hole 5): whatever the base
// profile, `learn` answers these calls with their errno instead of letting them continue,
// reports them as "refused, never learned", and never writes an allow for them; `profile
// generate` never emits an allow for them; `profile check` warns when a profile allows one.
// One table, with the reason per entry. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/profile.hpp"

namespace gsb::core {

enum class NeverWhen : uint8_t {
  Always,            // every call
  TerminalIoctl,     // ioctl with request TIOCSTI or TIOCLINUX (low 32 bits, as the kernel reads it)
  NamespaceClone,    // clone with any CLONE_NEW* flag in arg 0
  PersonalitySet,    // personality with any persona other than the query 0xffffffff
};

struct NeverLearned {
  std::string_view syscall;
  NeverWhen when;
  int err;                  // what learn answers (EPERM; ENOSYS for clone3, so callers fall back)
  std::string_view reason;  // one line
};

// The table, in a stable order.
std::span<const NeverLearned> never_learned_table();
// The entry for a syscall name (whatever its arguments), or nullptr.
const NeverLearned* never_learned_entry(std::string_view syscall);
// The entry that refuses this native x86_64 call with these arguments, or nullptr when the
// call may be learned (e.g. an ioctl other than TIOCSTI/TIOCLINUX).
const NeverLearned* never_learned_call(std::string_view syscall, const uint64_t args[6]);
// Calls made through the x32 ABI or in i386 mode are refused and never learned either.
inline constexpr std::string_view kForeignAbiReason =
    "x32 ABI / i386 entry: a second syscall table with its own argument layouts, refused outright";

// Bits of clone(2)'s flags that create namespaces.
inline constexpr uint64_t kCloneNamespaceFlags = 0x00020000ULL /*NEWNS*/ | 0x02000000ULL /*NEWCGROUP*/ |
                                                 0x04000000ULL /*NEWUTS*/ | 0x08000000ULL /*NEWIPC*/ |
                                                 0x10000000ULL /*NEWUSER*/ | 0x20000000ULL /*NEWPID*/ |
                                                 0x40000000ULL /*NEWNET*/;
inline constexpr uint32_t kTiocsti = 0x5412, kTioclinux = 0x541c, kPersonalityQuery = 0xffffffffu;

// Where a resolved profile allows (or only logs) a call the table refuses.
struct NeverLearnedAllowed {
  std::string syscall;
  std::string what;    // "TIOCSTI", "CLONE_NEWUSER", "persona 0x0", or "" for every call
  std::string rule;    // origin of the deciding rule ("gopls.toml:40:1 via @debug")
  std::string_view reason;
};
std::vector<NeverLearnedAllowed> profile_allows_never_learned(const Profile& profile);

}  // namespace gsb::core
