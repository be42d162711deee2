#include "gopls_sandbox/sys/memtrim.hpp"

#include <elf.h>
#include <link.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace gsb::sys {

namespace {

struct Walk {
  uintptr_t page = 4096;
  unsigned long advised = 0;
};

int on_object(struct dl_phdr_info* info, size_t, void* data) {
  auto* w = static_cast<Walk*>(data);
  // The first object is the executable itself (static-pie: the only one).
  uintptr_t relro_lo = 0, relro_hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_GNU_RELRO) {
      relro_lo = info->dlpi_addr + ph.p_vaddr;
      relro_hi = relro_lo + ph.p_memsz;
    }
  }
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) || ph.p_filesz == 0) continue;
    uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    uintptr_t hi = lo + ph.p_filesz;  // file-backed part only
    if (relro_hi > relro_lo && lo < relro_hi && relro_lo < hi) continue;  // written by relocation
    lo = (lo + w->page - 1) & ~(w->page - 1);  // inner whole pages only
    hi &= ~(w->page - 1);
    if (hi <= lo) continue;
    if (::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED) == 0) w->advised += hi - lo;
  }
  return 1;  // the executable only
}

}  // namespace

unsigned long trim_resident_image(bool heap) noexcept {
  Walk w;
  long ps = ::sysconf(_SC_PAGESIZE);
  if (ps > 0) w.page = static_cast<uintptr_t>(ps);
  ::dl_iterate_phdr(on_object, &w);
  if (heap) ::malloc_trim(0);
  return w.advised;
}

}  // namespace gsb::sys
