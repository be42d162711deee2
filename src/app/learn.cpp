#include "gopls_sandbox/app/learn.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::app {

Result<void> Learner::write(const std::string& base_name, const std::string& base_path,
                            const std::string& output) const {
  if (output.empty()) return Error::usage("learn: no output file (-o FILE)");
  std::string text = core::learned_profile_toml(set_, core::profile_name_from_path(output), base_path,
                                                command_line);
  std::string tmp = output + ".tmp";
  if (auto w = sys::write_file(tmp, text); !w) return std::move(w).error();
  if (::rename(tmp.c_str(), output.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error::sys(output, "rename", e);
  }
  std::fprintf(stderr, "gopls-sandbox: learned %zu syscalls beyond %s; wrote %s\n", set_.syscalls().size(),
               base_name.c_str(), output.c_str());
  return {};
}

}  // namespace gsb::app
