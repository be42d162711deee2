// Network namespace: bring the loopback interface up (it starts down in a new namespace).
#pragma once
namespace gsb::sys {
int loopback_up() noexcept;  // 0 or errno
}  // namespace gsb::sys
