// libFuzzer target "lsp_initialize" (issue 13): the launcher parses the client's first frame
// before any sandbox exists. Checks: no crash; a Complete frame lies within the input; every
// folder is an absolute normalised path without NUL; the frame-boundary tracker's boundaries are
// increasing and within each piece, whatever the split.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"

static void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto f = gsb::core::scan_first_frame(in);
  if (f.status == gsb::core::FirstFrame::Complete) {
    check(f.end <= in.size(), "frame end within input");
    check(f.body.data() + f.body.size() == in.data() + f.end, "body ends the frame");
  }
  std::string_view body = f.status == gsb::core::FirstFrame::Complete ? f.body : in;
  auto init = gsb::core::folders_from_initialize(body);
  for (const auto& p : init.folders) {
    check(!p.empty() && p[0] == '/', "absolute folder");
    check(p.find('\0') == std::string::npos, "no NUL");
    check(gsb::core::normalize_path(p) == p, "normalised folder");
  }
  for (const auto& p : gsb::core::added_workspace_folders(body)) check(!p.empty() && p[0] == '/', "absolute added");
  (void)gsb::core::file_uri_to_path(in);
  auto mod = gsb::core::parse_gomod(in);
  for (const auto& r : mod.replace_dirs) check(gsb::core::is_local_replacement(r), "local replacement");
  size_t split = size ? data[0] % (size + 1) : 0;
  gsb::core::FrameBoundaryTracker t;
  std::vector<size_t> b;
  t.feed(in.substr(0, split), b);
  for (size_t i = 0; i < b.size(); ++i) check(b[i] <= split && (i == 0 || b[i] > b[i - 1] || b[i] == b[i - 1]), "bounds 1");
  b.clear();
  t.feed(in.substr(split), b);
  for (size_t i = 0; i < b.size(); ++i) check(b[i] <= size - split && (i == 0 || b[i] >= b[i - 1]), "bounds 2");
  return 0;
}
