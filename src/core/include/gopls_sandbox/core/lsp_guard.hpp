// The server->client guard (threat model: "forged server messages"): code that gopls starts runs
// as gopls' user in its pid namespace and can write whole LSP frames into gopls' stdout through
// /proc/<gopls>/fd/1. The frames the editor acts on outside the sandbox are checked here before
// the relay forwards them: a workspace/applyEdit whose every target is a file:// URI strictly
// beneath a folder the sandbox binds read-write, a window/showDocument of a file:// URI beneath
// a visible folder and never `external`. Everything else passes. Pure: the relay (app/lsp_relay)
// frames the stream, asks lsp_guard_check() per frame and answers refused requests itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// The methods whose frames are parsed in full.
bool lsp_guarded_method(std::string_view method);

// A structural scan of a JSON text without building it (linear, no allocation but the decoded
// "method" values): whether it is one valid JSON object and the decoded values of its top-level
// "method" keys (several when the key is repeated). `check_duplicates`: also fail when any
// object in it repeats a key (parsers disagree on which one wins).
struct LspPeek {
  bool ok = false;
  std::vector<std::string> methods;
};
LspPeek lsp_peek(std::string_view body, bool check_duplicates = false);

// The absolute, normalised path of a file:// URI with an empty authority, percent-decoded once;
// nullopt (and `why`) for other schemes, a host part, a query or fragment, bad or NUL escapes,
// control characters, backslashes, "." or ".." components, or a relative path.
std::optional<std::string> lsp_file_uri_path(std::string_view uri, std::string* why = nullptr);

// p strictly beneath dir (both normalised absolute paths): "/ws/a" is beneath "/ws", "/ws" and
// "/ws2" are not.
bool path_strictly_beneath(const std::string& p, const std::string& dir);

struct LspGuardFolders {
  std::vector<std::string> rw;       // where applyEdit may touch files (workspace folders)
  std::vector<std::string> visible;  // where showDocument may open a file (rw + read-only views)
  // Optional: the host's real path of p (of its deepest existing ancestor, with the rest
  // appended); a target must then be beneath a folder's real path too (a symlink the code
  // inside planted in the workspace must not lead the editor out). Empty string: unresolvable.
  std::function<std::string(const std::string&)> real_path;
};

struct LspGuardDecision {
  enum Action {
    Forward,  // pass the frame unchanged
    Refuse,   // do not forward; answer the server with `reply` (a JSON body)
    Drop,     // do not forward; nothing can be answered (no usable id, unparsable)
  } action = Forward;
  std::string method;
  std::string reason;  // why it was refused or dropped
  std::string uri;     // the offending target, when one is to blame
  std::string reply;   // Refuse: the response body for the server
};

// `body`: one server->client message. Frames that do not name a guarded method at the top level
// are forwarded after the structural scan only; a body that is not one JSON object is dropped.
LspGuardDecision lsp_guard_check(std::string_view body, const LspGuardFolders& folders);
// The same, asking `folders` for the lists only when a guarded message is examined.
LspGuardDecision lsp_guard_check(std::string_view body, const std::function<LspGuardFolders()>& folders);

// The server->client stream through the guard: frames are held until complete, then forwarded
// (whole frames only, so anything inserted between two feed() outputs is at a frame boundary)
// or withheld. Header blocks are read strictly (only Content-Length and Content-Type fields,
// "Name: value"): a block an editor might frame differently, or a header of more than
// LspFrameParser::kMaxHeader bytes, loses the stream — nothing more is forwarded. A body over
// max_frame bytes is withheld unexamined (a forged frame must not pass by being big).
class LspServerFilter {
 public:
  static constexpr size_t kMaxFrame = 64u << 20;
  struct Refusal {
    std::string method, uri, reason;
  };
  // `folders` is asked for the current lists when a guarded message is examined.
  explicit LspServerFilter(std::function<LspGuardFolders()> folders, size_t max_frame = kMaxFrame)
      : folders_(std::move(folders)), max_frame_(max_frame) {}
  // Appends to `out` the bytes to forward, to `replies` the response bodies for the server (the
  // refused requests'), to `refused` what was withheld.
  void feed(std::string_view data, std::string& out, std::vector<std::string>& replies, std::vector<Refusal>& refused);
  bool lost() const { return lost_; }
  size_t buffered() const { return buf_.size(); }

 private:
  std::function<LspGuardFolders()> folders_;
  size_t max_frame_;
  std::string buf_;
  uint64_t skip_ = 0;  // bytes of an oversized body still to drop
  bool lost_ = false;
};

// Strict header block (without the blank line): the Content-Length, or -1.
int64_t lsp_strict_content_length(std::string_view block);

}  // namespace gsb::core
