// gopls-sandbox profile generate --strace LOG… [--base PROFILE] [-o FILE] [--json]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/syscall_groups.hpp"
#include "gopls_sandbox/core/text.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/output_file.hpp"
#include "gopls_sandbox/sys/trace_files.hpp"

namespace gsb::app {

namespace {

namespace fs = std::filesystem;
constexpr const char* kCmd = "gopls-sandbox profile generate";

int fail(const Error& e) {
  std::fprintf(stderr, "%s: %s\n", kCmd, e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "  hint: %s\n", e.hint.c_str());
  return exit_code_for(e.kind);
}

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 5 && s.substr(s.size() - 5) == ".toml");
}

std::string name_from_output(const std::string& out) {
  std::string stem = fs::path(out).stem().string();
  std::string n;
  for (char c : stem)
    n.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '-');
  return n.empty() ? "generated" : n;
}

// Writes data to a fresh temporary file next to `final_path` (or in $TMPDIR when empty).
Result<std::string> write_temp(const std::string& final_path, const std::string& data) {
  std::string dir;
  if (final_path.empty()) {
    const char* t = std::getenv("TMPDIR");
    dir = t && *t ? t : "/tmp";
  } else {
    dir = fs::absolute(fs::path(final_path)).parent_path().string();
  }
  std::string tmpl = dir + "/.gsb-profile-XXXXXX.toml";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = ::mkstemps(buf.data(), 5);
  if (fd < 0) return Error::sys(dir, "mkstemps", errno, ErrorKind::Usage);
  std::string path(buf.data());
  int err = sys::write_all(fd, data.data(), data.size());
  if (err == 0 && ::fchmod(fd, 0644) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(path.c_str());
    return Error::sys(path, "write", err, ErrorKind::Usage);
  }
  return path;
}

std::string mb(uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return b;
}


void print_reading(const profile_gen::Report& r) {
  const auto& st = r.stats;
  std::fprintf(stderr, "%s: read %zu file(s), %s, %llu lines: %llu syscalls in %zu process(es)\n", kCmd,
               r.sources.size(), mb(st.bytes).c_str(), static_cast<unsigned long long>(st.lines),
               static_cast<unsigned long long>(st.syscalls), r.processes);
  std::fprintf(stderr,
               "  %llu resumed pairs, %llu unfinished, %llu signals, %llu exits, %llu summary rows, "
               "%llu unparsed, %llu cut-off lines\n",
               static_cast<unsigned long long>(st.resumed), static_cast<unsigned long long>(st.unfinished),
               static_cast<unsigned long long>(st.signals), static_cast<unsigned long long>(st.exits),
               static_cast<unsigned long long>(st.summary_rows), static_cast<unsigned long long>(st.unparsed),
               static_cast<unsigned long long>(st.truncated));
  if (!r.unparsed.empty()) {
    std::fprintf(stderr, "  unparsed lines (first %zu):\n", r.unparsed.size());
    for (const auto& u : r.unparsed)
      std::fprintf(stderr, "    %s:%u: %s\n", core::printable(u.source).c_str(), u.line, core::printable(u.text).c_str());
  }
}

void print_result(const profile_gen::Report& r, const std::string& output) {
  const auto& gen = r.gen;
  std::fprintf(stderr, "  %zu distinct syscalls allowed (%zu groups", gen.allowed.size(), gen.groups_used.size());
  for (const auto& g : gen.groups_used) std::fprintf(stderr, " %s", g.c_str());
  std::fprintf(stderr, "), %zu fallback(s) added", gen.fallbacks_added.size());
  for (const auto& f : gen.fallbacks_added) std::fprintf(stderr, " %s->%s", f.syscall.c_str(), f.fallback.c_str());
  std::fprintf(stderr, "\n");
  if (!gen.families_added.empty()) {
    std::fprintf(stderr, "  added by syscall family:");
    for (const auto& f : gen.families_added) std::fprintf(stderr, " %s", f.c_str());
    std::fprintf(stderr, "\n");
  }
  if (!gen.conditioned.empty()) {
    std::fprintf(stderr, "  allowed with argument conditions:");
    for (const auto& c : gen.conditioned) std::fprintf(stderr, " %s", c.c_str());
    std::fprintf(stderr, "\n");
  }
  for (const auto& x : gen.refused) std::fprintf(stderr, "  not allowed: %s\n", core::printable(x).c_str());
  for (const auto& w : gen.warnings) std::fprintf(stderr, "  warning: %s\n", core::printable(w).c_str());
  for (const auto& w : r.cold) std::fprintf(stderr, "  warning: %s\n", core::printable(w).c_str());
  if (!output.empty()) std::fprintf(stderr, "  wrote %s\n", output.c_str());
}

json::Value report_json(const profile_gen::Report& rep, const std::string& output) {
  const auto& st = rep.stats;
  const auto& gen = rep.gen;
  json::Value r;
  json::Value stats;
  stats.set("files", rep.sources.size());
  stats.set("bytes", st.bytes);
  stats.set("lines", st.lines);
  stats.set("blank", st.blank);
  stats.set("syscalls", st.syscalls);
  stats.set("processes", rep.processes);
  stats.set("resumed", st.resumed);
  stats.set("unfinished", st.unfinished);
  stats.set("orphan_resumed", st.orphan_resumed);
  stats.set("signals", st.signals);
  stats.set("exits", st.exits);
  stats.set("stack_lines", st.stack);
  stats.set("summary_rows", st.summary_rows);
  stats.set("unparsed", st.unparsed);
  stats.set("truncated", st.truncated);
  stats.set("foreign_arch", st.foreign_arch);
  json::Array sources;
  for (const auto& s : rep.sources) sources.emplace_back(s);
  r.set("sources", std::move(sources));
  r.set("stats", std::move(stats));
  json::Array unparsed;
  for (const auto& u : rep.unparsed) {
    json::Value x;
    x.set("source", u.source);
    x.set("line", u.line);
    x.set("text", u.text);
    unparsed.push_back(std::move(x));
  }
  r.set("unparsed", std::move(unparsed));
  json::Array sys;
  for (const auto& u : rep.agg.native) {
    json::Value x;
    x.set("name", u.name);
    x.set("count", u.count);
    x.set("errors", u.errors);
    json::Value en;
    for (const auto& [k, v] : u.errnos) en.set(k, v);
    x.set("errnos", en.is_null() ? json::Value(json::Object{}) : en);
    if (!u.example.empty()) x.set("example", u.example);
    sys.push_back(std::move(x));
  }
  r.set("syscalls", std::move(sys));
  auto strs = json::string_array;
  r.set("allowed", strs(gen.allowed));
  r.set("groups_used", strs(gen.groups_used));
  r.set("conditioned", strs(gen.conditioned));
  json::Array fb;
  for (const auto& f : gen.fallbacks_added) {
    json::Value x;
    x.set("syscall", f.syscall);
    x.set("fallback", f.fallback);
    x.set("why", f.why);
    fb.push_back(std::move(x));
  }
  r.set("fallbacks", std::move(fb));
  r.set("families", strs(gen.families_added));
  r.set("refused", strs(gen.refused));
  std::vector<std::string> all_warnings = gen.warnings;
  all_warnings.insert(all_warnings.end(), rep.cold.begin(), rep.cold.end());
  for (const auto& p : rep.partial) all_warnings.push_back("partial log: " + p);
  r.set("warnings", strs(all_warnings));
  r.set("output", output);
  return r;
}

}  // namespace

int cmd_profile_generate(const Args& args) {
  CLI::App app{
      "Generate a seccomp profile from strace logs of a workload.\n"
      "Accepts every strace output format (-f, -ff files or their directory, -t/-tt/-ttt/-r, -T, -y/-yy,\n"
      "-x/-xx, -X, -i, -k, -z/-Z, -e trace=..., -c tables), gzip-compressed files and .tar/.tar.gz\n"
      "archives of a -ff directory. Record with e.g.:\n"
      "  strace -f -o gopls.strace gopls check main.go\n"
      "The profile goes to -o FILE (written atomically) or stdout; the report goes to stderr.",
      "generate"};
  std::vector<std::string> logs;
  std::string base, output, name, description;
  bool json_out = false, no_conditions = false, allow_partial = false;
  double max_unparsed = 10.0;
  app.add_option("--strace,-s,logs", logs, "strace log files or -ff directories ('-' = stdin)")->required();
  app.add_option("--base,-b", base,
                 "profile to include (name like 'gopls' or a path); default: none, the generated "
                 "profile stands alone");
  app.add_option("-o,--output", output, "write the profile to FILE (default: stdout)");
  app.add_flag("--json", json_out, "print a machine-readable report on stdout (needs -o)");
  app.add_option("--name", name, "profile name (default: from the -o file name, else 'generated')");
  app.add_option("--description", description, "profile description (default: names the logs)");
  app.add_flag("--no-conditions", no_conditions,
               "allow socket/ioctl/clone unconditionally instead of only with the traced arguments");
  app.add_flag("--allow-partial", allow_partial,
               "generate even from a log that records only failing calls (strace -Z) or was filtered "
               "(-e trace=...): the profile will be incomplete");
  app.add_option("--max-unparsed", max_unparsed,
                 "fail when more than this percentage of non-blank lines is not strace output")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();

  if (auto rc = parse_cli(app, args, kCmd)) return *rc;
  if (json_out && output.empty())
    return fail(Error::usage("--json prints the report on stdout, so the profile needs -o FILE"));
  // A bad -o (device, FIFO, socket, directory, symlink) is refused before any work.
  if (!output.empty())
    if (auto c = sys::check_output_target(output); !c) return fail(c.error());

  // The base must resolve now, not when the profile is first used.
  std::vector<std::string> search = core::profile_search_path(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
  if (!base.empty()) {
    if (looks_like_path(base)) base = fs::absolute(fs::path(base)).lexically_normal().string();
    auto found = core::find_profile(base, search);
    if (!found) return fail(Error::usage("--base " + base + ": " + found.error().message, found.error().hint));
  }

  // Stream the logs: each piece is parsed, its events folded into the collector and forgotten,
  // so memory stays bounded whatever the input size (issue 17 §2).
  struct Sink final : sys::TraceSink {
    strace::Trace trace;
    profile_gen::Collector collector;
    double ratio = 0.1;
    strace::Stats before;
    std::string current;
    std::function<void(const strace::Event&)> on_event = [this](const strace::Event& e) { collector.add(e); };
    std::function<void(const strace::SummaryRow&)> on_row = [this](const strace::SummaryRow& r) { collector.add(r); };
    Result<void> begin(const std::string& name, std::optional<int> pid) override {
      before = trace.stats();
      current = name;
      trace.begin(name, pid);
      return {};
    }
    Result<void> piece(std::string_view text, bool last) override {
      trace.feed(text, last);
      trace.drain(on_event, on_row);
      return {};
    }
    Result<void> end() override {
      trace.end();
      trace.drain(on_event, on_row);
      return profile_gen::check_source(trace, trace.stats() - before, current, ratio);
    }
  } sink;
  sink.ratio = max_unparsed / 100.0;
  sink.trace.set_argv_filter(&profile_gen::needs_argv);  // the parser splits only what the Collector reads
  if (auto r = sys::stream_trace_inputs(logs, sink); !r) return fail(r.error());

  profile_gen::Report report = profile_gen::read_report(sink.trace);
  print_reading(report);

  profile_gen::Options opts;
  opts.name = name.empty() ? (output.empty() ? "generated" : name_from_output(output)) : name;
  opts.base = base;
  opts.conditions = !no_conditions;
  for (const auto& s : core::always_allowed_syscalls()) opts.always_allowed.emplace_back(s);
  for (const auto& g : core::builtin_groups()) {
    auto members = core::expand_group(g.name);
    if (!members) continue;
    std::string n(g.name);
    if (!n.empty() && n[0] == '@') n.erase(0, 1);
    opts.groups.push_back({n, std::move(*members)});
  }
  std::string names;
  for (const auto& s : report.sources) {
    opts.sources.push_back(s);
    if (names.size() < 120) names += (names.empty() ? "" : ", ") + fs::path(s).filename().string();
  }
  if (report.sources.size() > 3) names = std::to_string(report.sources.size()) + " files";
  opts.description = description.empty() ? "generated from strace logs (" + names + ")" : description;

  if (auto ok = profile_gen::complete_report(report, sink.collector.finish(), opts, allow_partial,
                                             max_unparsed / 100.0);
      !ok)
    return fail(ok.error());
  for (const auto& p : report.partial)
    std::fprintf(stderr, "  warning: partial log (--allow-partial): %s\n", p.c_str());
  const auto& gen = report.gen;

  // Check that it loads, then write it to a temporary file renamed into place (never over
  // anything but a regular file), or print it.
  auto loads = [](const std::string& tmp, void* ctx) -> Result<void> {
    auto loaded = core::load_profile(tmp, *static_cast<std::vector<std::string>*>(ctx));
    if (!loaded)
      return Error::usage("the generated profile does not load (a bug, please report): " + loaded.error().message);
    return {};
  };
  if (output.empty()) {
    auto tmp = write_temp(output, gen.toml);
    if (!tmp) return fail(tmp.error());
    auto ok = loads(*tmp, &search);
    ::unlink(tmp->c_str());
    if (!ok) return fail(ok.error());
    std::fputs(gen.toml.c_str(), stdout);
  } else if (auto w = sys::replace_output_file(output, gen.toml, 0644, loads, &search); !w) {
    return fail(w.error());
  }

  print_result(report, output);
  if (json_out) {
    std::string out = report_json(report, output).dump(2);
    out.push_back('\n');
    std::fputs(out.c_str(), stdout);
  }
  return 0;
}

}  // namespace gsb::app
