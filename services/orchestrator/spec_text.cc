#include "services/orchestrator/spec_text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/terminal_text.h"

namespace poolops::orchestrator {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when there is none.
size_t SequenceAt(std::string_view s, size_t i) {
  uint32_t cp;
  return DecodeUtf8(s, i, &cp);
}

}  // namespace

size_t InvalidUtf8At(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceAt(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string PrintableText(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceAt(s, i);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    // C0, DEL and C1 controls (0xC2 0x80..0x9F) would drive a terminal.
    bool control = n == 1 ? (c < 0x20 || c == 0x7F)
                          : n == 2 && c == 0xC2 &&
                                static_cast<unsigned char>(s[i + 1]) < 0xA0;
    std::string piece;
    if (n == 0 || control) {
      for (size_t k = 0; k < (n == 0 ? 1 : n); ++k) {
        absl::StrAppendFormat(&piece, "\\x%02x",
                              static_cast<unsigned char>(s[i + k]));
      }
      i += n == 0 ? 1 : n;
    } else {
      piece = std::string(s.substr(i, n));
      i += n;
    }
    if (out.size() + piece.size() > max) {
      out += "...";
      break;
    }
    out += piece;
  }
  return out;
}

absl::Status CheckSpecText(std::string_view text, std::string_view file) {
  const std::string where = PrintableText(file.empty() ? "spec" : file, 1024);
  if (text.size() > kMaxSpecBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", text.size(),
                     " bytes; a pool spec may have at most 1 MiB (",
                     kMaxSpecBytes, " bytes)"));
  }
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t column = i - line_start + 1;
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (c == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", line, ": a NUL byte at column ", column,
                       ": a binary file, not a YAML or JSON pool spec"));
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: control character 0x%02x at column %d: not text (a binary "
          "file?); a YAML or JSON pool spec holds none",
          where, line, c, column));
    }
    const size_t n = SequenceAt(text, i);
    if (n == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: not UTF-8 text (byte 0x%02x at column %d); save the pool "
          "spec as UTF-8",
          where, line, c, column));
    }
    i += n;
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
