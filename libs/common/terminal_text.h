// Text that reaches a terminal from elsewhere (a probed service's version or
// error, a market's message, a node's revert reason) must not drive the
// terminal: escape sequences can clear the screen, rewrite earlier lines,
// set the window title or hide text. SanitizeForTerminal keeps what prints
// and drops the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace poolops {

enum class TerminalLines {
  kOne,        // newlines and tabs become spaces: one line of output
  kKeepBreaks  // newlines and tabs stay (a multi-line report)
};

// Removes ESC sequences whole (CSI "ESC [ ... final", OSC/DCS/APC/PM/SOS up
// to BEL or ESC \, two-byte escapes), the other C0 controls, DEL, C1
// controls (U+0080..U+009F) and the bidirectional overrides that reorder
// what is shown (U+202A..U+202E, U+2066..U+2069). Invalid UTF-8 becomes
// U+FFFD. Printable UTF-8 stays as it is.
std::string SanitizeForTerminal(std::string_view text,
                                TerminalLines lines = TerminalLines::kOne);

// The length of the valid UTF-8 sequence at text[i] (i < text.size()) and
// its code point in *cp; 0 when the bytes there are not valid UTF-8
// (overlong, surrogate, above U+10FFFF, truncated). The one UTF-8 decoder of
// the suite's checks.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t* cp);

// True when `text` is entirely valid UTF-8 (what proto3 strings and JSON
// require).
bool IsValidUtf8(std::string_view text);

}  // namespace poolops
