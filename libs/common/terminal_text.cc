#include "libs/common/terminal_text.h"

#include <cstdint>

namespace poolops {

// The length of the valid UTF-8 sequence at text[i] and its code point; 0
// when the bytes there are not valid UTF-8 (overlong, surrogate, too large,
// truncated).
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  unsigned char b = byte(i);
  size_t n;
  uint32_t min;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, *cp = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, *cp = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, *cp = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i + k) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return n;
}

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Where the escape sequence starting with ESC at text[i] ends (one past).
size_t SkipEscape(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j >= text.size()) return j;
  char kind = text[j++];
  if (kind == '[') {  // CSI: parameters, intermediates, one final byte
    while (j < text.size() && text[j] >= 0x20 && text[j] <= 0x3F) ++j;
    if (j < text.size() && text[j] >= 0x40 && text[j] <= 0x7E) ++j;
    return j;
  }
  if (kind == ']' || kind == 'P' || kind == '_' || kind == '^' ||
      kind == 'X') {  // strings: up to BEL or ST (ESC \)
    while (j < text.size()) {
      if (text[j] == '\a') return j + 1;
      if (text[j] == '\x1b' && j + 1 < text.size() && text[j + 1] == '\\')
        return j + 2;
      ++j;
    }
    return j;
  }
  // ESC ( B and friends take one more byte; others are two bytes long.
  if ((kind == '(' || kind == ')' || kind == '#' || kind == '%') &&
      j < text.size())
    ++j;
  return j;
}

bool Hidden(uint32_t cp) {
  return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string SanitizeForTerminal(std::string_view text, TerminalLines lines) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1B) {
      i = SkipEscape(text, i);
      continue;
    }
    if (c == '\n' || c == '\t') {
      out.push_back(lines == TerminalLines::kKeepBreaks ? static_cast<char>(c)
                                                        : ' ');
      ++i;
      continue;
    }
    if (c < 0x20) {  // the other C0 controls, CR and BEL included
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (!Hidden(cp)) out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace poolops
