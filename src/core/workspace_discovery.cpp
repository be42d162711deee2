#include "gopls_sandbox/core/workspace_discovery.hpp"

#include <algorithm>

#include "gopls_sandbox/core/plan.hpp"

namespace gsb::core {

namespace {

// Splits a go.mod line into tokens (Go's modfile lexer, simplified: identifiers, quoted and
// back-quoted strings, "=>", parentheses; `//` starts a comment).
std::vector<std::string> tokens(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '"' || c == '`') {
      std::string s;
      size_t j = i + 1;
      for (; j < line.size() && line[j] != c; ++j) {
        if (c == '"' && line[j] == '\\' && j + 1 < line.size()) ++j;
        s += line[j];
      }
      out.push_back(s);
      i = j + 1;
      continue;
    }
    if (c == '(' || c == ')') {
      out.emplace_back(1, c);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != '(' &&
           line[j] != ')' && !(line[j] == '/' && j + 1 < line.size() && line[j + 1] == '/'))
      ++j;
    out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

void directive(const std::string& verb, const std::vector<std::string>& args, GoModFile& f) {
  if (verb == "use") {
    if (!args.empty()) f.use.push_back(args[0]);
  } else if (verb == "require") {
    if (args.size() >= 2) f.require.emplace_back(args[0], args[1]);
  } else if (verb == "replace") {
    auto arrow = std::find(args.begin(), args.end(), "=>");
    if (arrow != args.begin() && arrow != args.end()) f.replaced.push_back(args[0]);
    if (arrow != args.end() && arrow + 1 != args.end() && is_local_replacement(*(arrow + 1)))
      f.replace_dirs.push_back(*(arrow + 1));
  }
}

std::string join(const std::string& dir, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return normalize_path(rel);
  return normalize_path(dir + "/" + rel);
}

std::string parent(const std::string& p) {
  if (p == "/") return {};
  size_t s = p.rfind('/');
  return s == 0 ? "/" : p.substr(0, s);
}

// The nearest directory at or above `dir` holding `name` (a regular file); "" if none.
std::string find_up(const std::string& dir, const char* name, const DiscoveryFs& fs) {
  for (std::string d = dir; !d.empty(); d = parent(d))
    if (fs.is_file(join(d, name))) return d;
  return {};
}

}  // namespace

bool is_local_replacement(std::string_view p) {
  return p.rfind("./", 0) == 0 || p.rfind("../", 0) == 0 || p == "." || p == ".." || (!p.empty() && p[0] == '/');
}

GoModFile parse_gomod(std::string_view text) {
  GoModFile f;
  std::string block;  // the verb of an open `verb (` block
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto t = tokens(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (t.empty()) continue;
    if (!block.empty()) {
      if (t[0] == ")") {
        block.clear();
        continue;
      }
      directive(block, t, f);
      continue;
    }
    if (t.size() >= 2 && t[1] == "(") {
      block = t[0];
      continue;
    }
    directive(t[0], std::vector<std::string>(t.begin() + 1, t.end()), f);
  }
  return f;
}

std::string escape_module_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c >= 'A' && c <= 'Z') {
      out += '!';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> missing_requirements(
    const GoModFile& mod, const std::string& gomodcache, const std::function<bool(const std::string&)>& has_file) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, version] : mod.require) {
    if (std::find(mod.replaced.begin(), mod.replaced.end(), path) != mod.replaced.end()) continue;
    if (path.find("..") != std::string::npos || version.find('/') != std::string::npos) continue;  // not a real one
    std::string f = gomodcache + "/cache/download/" + escape_module_path(path) + "/@v/" +
                    escape_module_path(version) + ".mod";
    if (!has_file(f)) out.emplace_back(path, version);
  }
  return out;
}

std::string extra_path_refusal(const std::string& path, const DiscoveryEnv& env) {
  std::string p = normalize_path(path);
  if (p.empty() || p == "/") return "the whole host";
  if (std::string why = system_directory_refusal(p); !why.empty()) return why;
  return default_workspace_refusal(p, normalize_path(env.home), normalize_path(env.home_real),
                                   normalize_path(env.runtime_dir));
}

Discovery discover_go_paths(const std::vector<std::string>& folders, const DiscoveryEnv& env, const DiscoveryFs& fs) {
  Discovery out;
  std::vector<std::string> covered;  // bound already (the folders) or planned
  for (const auto& f : folders) covered.push_back(normalize_path(f));
  auto is_covered = [&](const std::string& p) {
    return std::any_of(covered.begin(), covered.end(), [&](const std::string& c) { return path_is_under(p, c); });
  };
  auto add = [&](const std::string& p, bool ro, bool is_file, const std::string& why) -> bool {
    if (is_covered(p)) return true;
    if (std::string r = extra_path_refusal(p, env); !r.empty()) {
      out.notes.push_back(why + " " + p + ": not bound: it is " + r);
      return false;
    }
    out.binds.push_back({p, ro, is_file, why});
    if (!is_file) covered.push_back(p);
    return true;
  };
  // A module directory other than the folders: only when it is one (has a go.mod), so that a
  // hostile go.mod cannot name ~/.ssh.
  auto add_module = [&](const std::string& dir, bool ro, const std::string& why) -> bool {
    if (!fs.is_dir(dir) || !fs.is_file(join(dir, "go.mod"))) {
      out.notes.push_back(why + " " + dir + ": not bound: not a module directory (no go.mod)");
      return false;
    }
    return add(dir, ro, false, why);
  };
  auto replaces_of = [&](const std::string& moddir) {
    auto text = fs.read(join(moddir, "go.mod"));
    if (!text) return;
    for (const auto& r : parse_gomod(*text).replace_dirs) add_module(join(moddir, r), true, "replace");
  };

  bool module_mode = env.go111module != "off";
  for (const auto& folder0 : folders) {
    std::string folder = normalize_path(folder0);
    if (folder.empty()) continue;
    std::string modroot = find_up(folder, "go.mod", fs);
    if (!modroot.empty() && modroot != folder && module_mode) {
      // A folder inside a module (or a single file's directory): the module root, read-write.
      if (!add(modroot, false, false, "module root")) modroot.clear();
    }
    // go.work: $GOWORK, else the nearest above the folder.
    std::string work;
    if (module_mode && env.gowork != "off") {
      if (!env.gowork.empty() && env.gowork[0] == '/') work = normalize_path(env.gowork);
      else if (std::string w = find_up(folder, "go.work", fs); !w.empty()) work = join(w, "go.work");
    }
    if (!work.empty() && fs.is_file(work)) {
      std::string wdir = parent(work);
      add(work, true, true, "go.work");
      if (fs.is_file(work + ".sum")) add(work + ".sum", true, true, "go.work");
      if (auto text = fs.read(work)) {
        GoModFile wf = parse_gomod(*text);
        for (const auto& u : wf.use) {
          std::string d = join(wdir, u);
          // Read-write when the module lives under the go.work's directory (the user's own
          // multi-module tree); read-only when go.work points elsewhere.
          if (add_module(d, !path_is_under(d, wdir), "go.work use")) replaces_of(d);
        }
        for (const auto& r : wf.replace_dirs) add_module(join(wdir, r), true, "replace");
      }
    }
    if (module_mode && !modroot.empty()) replaces_of(modroot);
    // GOPATH mode: GO111MODULE=off, or auto with no go.mod above the folder.
    bool gopath_mode = !module_mode || (env.go111module == "auto" && modroot.empty());
    if (gopath_mode) {
      std::string gp = env.gopath;
      if (gp.empty() && !env.home.empty()) gp = env.home + "/go";
      for (size_t i = 0; i <= gp.size();) {
        size_t j = gp.find(':', i);
        if (j == std::string::npos) j = gp.size();
        std::string entry = normalize_path(gp.substr(i, j - i));
        i = j + 1;
        if (entry.empty()) continue;
        std::string src = join(entry, "src");
        if (fs.is_dir(src)) add(src, true, false, "GOPATH");
      }
    }
  }
  // -modfile=FILE in GOFLAGS (absolute only: a relative one is relative to each go command's
  // directory) and its go.sum.
  for (const auto& t : tokens(env.goflags)) {
    for (const char* pre : {"-modfile=", "--modfile="}) {
      std::string_view sv(t);
      if (sv.rfind(pre, 0) != 0) continue;
      std::string f = normalize_path(sv.substr(std::string_view(pre).size()));
      if (f.empty() || !fs.is_file(f)) continue;
      add(f, true, true, "-modfile");
      std::string sum = f.size() > 4 && f.compare(f.size() - 4, 4, ".mod") == 0 ? f.substr(0, f.size() - 4) + ".sum" : "";
      if (!sum.empty() && fs.is_file(sum)) add(sum, true, true, "-modfile");
    }
  }
  return out;
}

}  // namespace gsb::core
