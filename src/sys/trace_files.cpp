#include "gopls_sandbox/sys/trace_files.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

namespace fs = std::filesystem;

namespace {
Result<void> add_file(const std::string& path, const std::string& shown, bool skip_empty,
                      std::vector<trace_input::TraceText>& out) {
  auto bytes = read_file(path);
  if (!bytes) return Error::usage(bytes.error().message);
  if (bytes->empty() && skip_empty) return {};
  auto ex = trace_input::expand(shown, std::move(*bytes));
  if (!ex) return std::move(ex).error();
  for (auto& t : *ex) out.push_back(std::move(t));
  return {};
}
}  // namespace

Result<std::vector<trace_input::TraceText>> read_trace_inputs(const std::vector<std::string>& paths) {
  std::vector<trace_input::TraceText> out;
  for (const auto& p : paths) {
    if (p == "-") {
      if (auto r = add_file("/dev/stdin", "<stdin>", false, out); !r) return std::move(r).error();
      continue;
    }
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return Error::usage(p + ": no such file or directory");
    if (fs::is_directory(st)) {
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file()) files.push_back(it->path().string());
      }
      if (ec) return Error::usage(p + ": cannot list directory: " + ec.message());
      std::sort(files.begin(), files.end());
      size_t before = out.size();
      for (const auto& f : files)
        if (auto r = add_file(f, f, true, out); !r) return std::move(r).error();
      if (out.size() == before) return Error::usage(p + ": directory holds no non-empty files");
      continue;
    }
    if (auto r = add_file(p, p, false, out); !r) return std::move(r).error();
  }
  return out;
}

}  // namespace gsb::sys
