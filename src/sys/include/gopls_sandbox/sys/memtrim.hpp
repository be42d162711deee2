// Issue 15: the launcher and the sandbox's pid 1 wait for the whole session; what their start-up
// touched of the executable's image need not stay mapped meanwhile.
#pragma once

namespace gsb::sys {

// Drops this process's mappings of the executable's read-only, never-written pages (code,
// read-only data; not the RELRO part, which relocation wrote) with MADV_DONTNEED: the page cache
// keeps them, a later use maps them again (a minor fault). Only whole pages inside each segment.
// With `heap`, also returns free heap memory to the kernel (malloc_trim). No allocation; errors
// are ignored (it only changes what is resident). Returns the bytes advised.
unsigned long trim_resident_image(bool heap) noexcept;

}  // namespace gsb::sys
