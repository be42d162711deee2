// core::FileReader over the real file system, and where the running binary is.
#pragma once

#include <string>

#include "gopls_sandbox/core/files.hpp"

namespace gsb::sys {

const core::FileReader& local_files();

// The running executable (readlink /proc/self/exe), "" when unknown.
std::string self_exe();

}  // namespace gsb::sys
