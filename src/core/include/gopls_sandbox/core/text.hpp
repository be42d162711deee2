// Making text that came from inside the sandbox safe to print on the user's terminal. Pure.
#pragma once

#include <string>
#include <string_view>

namespace gsb::core {

// `s` with everything a terminal could act on escaped, for one line of launcher output:
//   - C0 controls 0x00-0x1f and DEL 0x7f      -> \xNN   (ESC -> \x1b, newline -> \x0a)
//   - bytes that are not part of valid UTF-8   -> \xNN   (this covers lone C1 bytes 0x80-0x9f,
//                                                          which 8-bit terminals read as CSI/OSC…)
//   - valid UTF-8 for the C1 code points U+0080-U+009F and the bidirectional overrides and
//     isolates U+202A-U+202E, U+2066-U+2069 ("Trojan Source")   -> \u{NNNN}
//   - a backslash                              -> \\     (so an escape is never ambiguous)
// Everything else, including printable UTF-8, passes unchanged.
std::string printable(std::string_view s);

}  // namespace gsb::core
