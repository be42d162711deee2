// Mount namespace: a fresh tmpfs root entered with pivot_root, filled from the plan's mount
// operations, the host root detached. Runs in the sandbox's pid 1, in this order:
//   begin_new_root()  -> host root visible at /oldroot, new root being built at /newroot
//   apply_mount(op)*  -> each plan operation (sources read through /oldroot)
//   finish_new_root() -> /newroot becomes /, the old root is detached
#pragma once

#include <string>

#include "gopls_sandbox/core/plan.hpp"

namespace gsb::sys {

constexpr const char* kOldRoot = "/oldroot";
constexpr const char* kNewRoot = "/newroot";

// Each returns 0 or an errno; `what` receives "<call> <path>" of the failing step.
int begin_new_root(std::string& what) noexcept;
// Returns 0, an errno, or -1 when an optional source was missing (skipped).
int apply_mount(const core::MountOp& op, std::string& what) noexcept;
int finish_new_root(std::string& what) noexcept;
// After apply_mount of an Overlay op: the errno (and "overlay DST: step: error (kernel message)")
// when the kernel refused the overlay and the domain's private cache was bound instead; 0 if not.
int take_cache_fallback(std::string& detail) noexcept;

}  // namespace gsb::sys
