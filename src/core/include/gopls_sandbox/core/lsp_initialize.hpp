// Issue 13: the workspace from the LSP `initialize` request, and the frame boundaries a relay
// needs to inject a message between two frames. Pure (fuzzed by tests/fuzz/fuzz_lsp_initialize).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// The first frame in `buf` (bytes read from the client so far).
struct FirstFrame {
  enum Status { NeedMore, Complete, NotLsp } status = NeedMore;
  size_t end = 0;          // Complete: bytes of header + body
  std::string_view body;   // Complete: the JSON body (a view into buf)
};
inline constexpr size_t kMaxInitializeBytes = 16u << 20;  // larger: not an initialize we parse
FirstFrame scan_first_frame(std::string_view buf);

// "file:///a%20b/c" -> "/a b/c" (normalised). nullopt for another scheme, a remote host, a
// relative path, an invalid escape, or a NUL byte.
std::optional<std::string> file_uri_to_path(std::string_view uri);

// The folders an initialize request names: workspaceFolders, else rootUri, else rootPath.
struct InitializeFolders {
  bool is_initialize = false;         // the body is {"method":"initialize",...}
  std::string source;                 // "workspaceFolders", "rootUri", "rootPath" or ""
  std::vector<std::string> folders;   // absolute, normalised, de-duplicated, in order
  std::vector<std::string> rejected;  // URIs that are not local absolute paths (for a message)
};
InitializeFolders folders_from_initialize(std::string_view body);

// The folders a workspace/didChangeWorkspaceFolders notification adds (empty otherwise).
std::vector<std::string> added_workspace_folders(std::string_view body);

// Whether gopls' arguments make it an LSP server on stdio: no command or `serve`, with any flags
// but -listen/-port (a socket server) and -h/-help; -remote (a forwarder on stdio) is. Fails
// closed: a flag it does not know is taken to have a value, never to end the flags.
bool is_lsp_stdio_server(const std::vector<std::string>& args);

// Frame boundaries in a server->client byte stream, for injecting a message between frames.
// Tolerant: an unparsable header makes it give up (at_boundary() false forever: no injection).
class FrameBoundaryTracker {
 public:
  // Feeds `data`; appends to `boundaries` each offset in `data` just after a complete frame.
  void feed(std::string_view data, std::vector<size_t>& boundaries);
  bool at_boundary() const { return !lost_ && !in_body_ && header_.empty(); }
  bool lost() const { return lost_; }

 private:
  std::string header_;  // header bytes of the frame under way
  uint64_t body_left_ = 0;
  bool in_body_ = false, lost_ = false;
};

// A window/showMessage notification frame (type 2 = Warning).
std::string show_message_frame(std::string_view text, int type = 2);

}  // namespace gsb::core
