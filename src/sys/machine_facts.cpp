#include "gopls_sandbox/sys/machine_facts.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

namespace {

std::string proc_dir(int pid) { return pid == 0 ? std::string("/proc/self") : "/proc/" + std::to_string(pid); }

core::MachineFile read_first_line(const std::string& shown, const std::string& path) {
  core::MachineFile f;
  f.path = shown;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    f.err = errno;
    return f;
  }
  char buf[256];
  ssize_t n;
  do n = ::read(fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0) f.err = errno;
  else f.value.assign(buf, static_cast<size_t>(n));
  ::close(fd);
  f.value = f.value.substr(0, f.value.find('\n'));
  return f;
}

}  // namespace

core::MachineFacts probe_machine_facts() {
  core::MachineFacts f;
  auto cg = read_file("/proc/self/cgroup");
  auto mi = read_file("/proc/self/mountinfo");
  if (!cg || !mi) {
    f.cpu_cgroup_error = !cg ? cg.error().message : mi.error().message;
    return f;
  }
  auto c = core::find_cpu_cgroup(*cg, *mi);
  if (c) f.cpu_cgroup = std::move(*c);
  else f.cpu_cgroup_error = c.error().message;
  return f;
}

core::MachineView read_machine_view(int pid) {
  core::MachineView v;
  const std::string proc = proc_dir(pid);
  const std::string root = pid == 0 ? std::string() : proc + "/root";
  v.files.push_back(read_first_line(core::kThpSizePath, root + core::kThpSizePath));
  auto cg = read_file(proc + "/cgroup");
  auto mi = read_file(proc + "/mountinfo");
  if (!cg || !mi) {
    v.cpu_cgroup_error = !cg ? cg.error().message : mi.error().message;
    return v;
  }
  auto c = core::find_cpu_cgroup(*cg, *mi);
  if (!c) {
    v.cpu_cgroup_error = c.error().message;
    return v;
  }
  v.cpu_cgroup = *c;
  std::vector<std::string> texts;
  for (const auto& p : core::cpu_limit_files(*c)) {
    v.files.push_back(read_first_line(p, root + p));
    texts.push_back(v.files.back().err ? std::string() : v.files.back().value + "\n");
  }
  v.cpu_limit = core::parse_cpu_limit(c->version, texts[0], texts.size() > 1 ? texts[1] : std::string("\n"));
  return v;
}

}  // namespace gsb::sys
