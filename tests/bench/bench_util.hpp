// Shared bits of the benchmark drivers: timing child processes, medians, machine facts.
#pragma once

#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <utility>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <utility>
#include <string>
#include <vector>

namespace gsb::bench {

// Runs argv (absolute path) with stdio on /dev/null (or stdout captured into *out); returns
// wall milliseconds, or -1 when it failed to exit 0. The files in `fds` are opened (read-only,
// inside the timed span) at descriptors kFirstPassedFd, kFirstPassedFd + 1, ... of the child.
constexpr int kFirstPassedFd = 10;
inline double time_run(const std::vector<std::string>& argv, std::string* out = nullptr, const std::string& cwd = {},
                       const std::vector<std::string>& fds = {}) {
  int p[2] = {-1, -1};
  if (out && ::pipe2(p, O_CLOEXEC) != 0) return -1;
  std::vector<char*> av;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int nul = ::open("/dev/null", O_RDWR);
    ::dup2(nul, 0);
    ::dup2(out ? p[1] : nul, 1);
    ::dup2(nul, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(121);
    for (size_t i = 0; i < fds.size(); ++i) {
      int fd = ::open(fds[i].c_str(), O_RDONLY);
      if (fd < 0 || ::dup2(fd, kFirstPassedFd + static_cast<int>(i)) < 0) ::_exit(122);
      if (fd != kFirstPassedFd + static_cast<int>(i)) ::close(fd);
    }
    ::execv(av[0], av.data());
    ::_exit(127);
  }
  if (out) {
    ::close(p[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
    ::close(p[0]);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? ms : -1;
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Bootstrap 95% CI of median(b)/median(a) (4000 resamples, fixed seed).
inline std::pair<double, double> ratio_ci(const std::vector<double>& a, const std::vector<double>& b) {
  std::mt19937 rng(12345);
  std::vector<double> ratios;
  if (a.empty() || b.empty()) return {0, 0};
  std::uniform_int_distribution<size_t> da(0, a.size() - 1), db(0, b.size() - 1);
  for (int k = 0; k < 4000; ++k) {
    std::vector<double> ra, rb;
    for (size_t i = 0; i < a.size(); ++i) ra.push_back(a[da(rng)]);
    for (size_t i = 0; i < b.size(); ++i) rb.push_back(b[db(rng)]);
    double ma = median(ra);
    if (ma > 0) ratios.push_back(median(rb) / ma);
  }
  std::sort(ratios.begin(), ratios.end());
  if (ratios.empty()) return {0, 0};
  return {ratios[ratios.size() * 25 / 1000], ratios[ratios.size() * 975 / 1000]};
}

inline std::string machine() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "?";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  struct utsname u;
  ::uname(&u);
  return model + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " cores, Linux " + u.release;
}

}  // namespace gsb::bench
