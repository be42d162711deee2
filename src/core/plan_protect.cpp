#include "gopls_sandbox/core/plan_protect.hpp"

#include <algorithm>
#include <string_view>

namespace gsb::core {

namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  size_t e = s.find_last_not_of(" \t\r\n");
  s.erase(e == std::string::npos ? 0 : e + 1);
  return s;
}

Error symlink_error(const std::string& path) {
  Error e = Error::setup("workspace: " + path +
                         " is a symbolic link: the sandbox cannot make it read-only (code inside could replace the "
                         "link with a repository or settings of its own, which the host then runs)");
  e.hint = "open the directory it points to instead, or pass --writable-vcs to accept that risk";
  return e;
}

// The submodule paths of a .gitmodules file ("path = DIR" lines), normalised, inside the workspace.
std::vector<std::string> submodule_paths(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.rfind("path", 0) != 0) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || trim(line.substr(4, eq - 4)) != "") continue;
    std::string rel = normalize_path("/" + trim(line.substr(eq + 1)));
    if (rel.empty() || rel == "/" || rel.find("/..") != std::string::npos) continue;
    out.push_back(rel);
  }
  return out;
}

}  // namespace

Result<Protection> protect_host_executed(const std::string& real, const HostProbe& probe,
                                         const std::function<std::string(const std::string&)>& read_text,
                                         const std::function<std::vector<std::string>(const std::string&)>& list_names) {
  Protection out;
  auto ro = [&](const std::string& rel, const PathFacts& f) {
    out.ops.push_back({rel, true, f.resolved == PathFacts::File || f.resolved == PathFacts::Other});
  };
  // A .git file names the repository ("gitdir: DIR"): protected too when it lies in the workspace.
  auto gitdir_of = [&](const std::string& git_file) -> Result<void> {
    if (!read_text) return {};
    std::string text = read_text(real + git_file);
    if (text.rfind("gitdir:", 0) != 0) return {};
    std::string d = trim(text.substr(7));
    std::string abs = d.empty() ? d : d[0] == '/' ? normalize_path(d)
                                                  : normalize_path(real + git_file.substr(0, git_file.rfind('/')) + "/" + d);
    if (abs.empty() || abs == real || !path_is_under(abs, real)) return {};  // not visible inside
    std::string rel = abs.substr(real.size());
    // Every component on the way must be a plain directory (no link to follow later).
    std::string at = real;
    for (const auto& c : path_prefixes(rel)) {
      PathFacts f = probe(real + c);
      if (f.type == PathFacts::Missing) return {};
      if (f.type == PathFacts::Symlink) return symlink_error(real + c);
      at = real + c;
    }
    ro(rel, probe(at));
    return {};
  };

  for (const char* name : kHostExecutedNames) {
    std::string rel = std::string("/") + name;
    PathFacts f = probe(real + rel);
    if (f.type == PathFacts::Missing) continue;
    if (f.type == PathFacts::Symlink) return symlink_error(real + rel);
    ro(rel, f);
    if (rel == "/.git" && f.type == PathFacts::File)
      if (auto r = gitdir_of(rel); !r) return std::move(r).error();
  }

  // Multi-root workspace files: VS Code follows their changes (didChangeWorkspaceFolders).
  if (list_names) {
    static constexpr std::string_view kSuffix = ".code-workspace";
    for (const auto& name : list_names(real)) {
      if (name.size() <= kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0 ||
          name.find('/') != std::string::npos)
        continue;
      std::string rel = "/" + name;
      PathFacts f = probe(real + rel);
      if (f.type == PathFacts::Missing) continue;
      if (f.type == PathFacts::Symlink) return symlink_error(real + rel);
      ro(rel, f);
    }
  }

  // Submodules: each has a .git of its own that `git status` at the top level descends into. The
  // directories on the way are pinned (a mount point cannot be renamed); an uninitialised one
  // (no .git yet) is made read-only as a whole, so that no repository can be created in it.
  PathFacts gm = probe(real + "/.gitmodules");
  if (read_text && gm.type == PathFacts::File) {
    for (const auto& sub : submodule_paths(read_text(real + "/.gitmodules"))) {
      std::vector<std::string> chain = path_prefixes(sub);
      bool ok = true;
      for (const auto& c : chain) {
        PathFacts f = probe(real + c);
        if (f.type == PathFacts::Symlink) return symlink_error(real + c);
        if (f.type != PathFacts::Dir) {
          out.notes.push_back("warning: submodule " + real + sub + " is missing: a repository created there from "
                              "inside would not be read-only");
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      for (size_t i = 0; i + 1 < chain.size(); ++i) out.ops.push_back({chain[i], false, false});
      PathFacts g = probe(real + sub + "/.git");
      if (g.type == PathFacts::Symlink) return symlink_error(real + sub + "/.git");
      if (g.type == PathFacts::Missing) {
        ro(sub, probe(real + sub));  // uninitialised: nothing inside needs to write there
        continue;
      }
      out.ops.push_back({sub, false, false});
      ro(sub + "/.git", g);
      if (g.type == PathFacts::File)
        if (auto r = gitdir_of(sub + "/.git"); !r) return std::move(r).error();
    }
  }
  // Parents before children, each once (a path both pinned and read-only stays read-only).
  std::stable_sort(out.ops.begin(), out.ops.end(), [](const ProtectOp& a, const ProtectOp& b) {
    return std::count(a.rel.begin(), a.rel.end(), '/') < std::count(b.rel.begin(), b.rel.end(), '/');
  });
  std::vector<ProtectOp> uniq;
  for (const auto& op : out.ops) {
    auto it = std::find_if(uniq.begin(), uniq.end(), [&](const ProtectOp& u) { return u.rel == op.rel; });
    if (it == uniq.end()) uniq.push_back(op);
    else it->ro = it->ro || op.ro;
  }
  out.ops = std::move(uniq);
  return out;
}

}  // namespace gsb::core
