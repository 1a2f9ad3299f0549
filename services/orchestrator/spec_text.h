// The limits of a pool spec and the checks of its text, shared by poolctl
// (before it sends a file) and the orchestrator (before it parses one). No
// protobuf or gRPC here, so poolctl and the fuzz build link it alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace poolops::orchestrator {

// A spec file: at most this many bytes (checked before parsing).
inline constexpr size_t kMaxSpecBytes = 1 << 20;
// Workers of one pool (each one a wallet, a bundle, a host session).
inline constexpr int kMaxSpecWorkers = 1000;
// Items of any other list of the spec (features, ...).
inline constexpr int kMaxSpecListItems = 1000;
// One value (a name, a path, a URL): longer is a mistake or an attack.
inline constexpr size_t kMaxSpecValueBytes = 4096;
// YAML nodes and scalar bytes after alias expansion: aliases share nodes in
// the parsed document, so a few hundred bytes can stand for billions of
// nodes ("billion laughs"); walking them is what must stay bounded.
inline constexpr size_t kMaxSpecNodes = 100000;
inline constexpr size_t kMaxSpecExpandedBytes = 4 * kMaxSpecBytes;
// Nesting of mappings and lists (a spec needs 5).
inline constexpr int kMaxSpecDepth = 32;

// InvalidArgument naming `file` (and the line) when `text` is larger than
// kMaxSpecBytes, is not UTF-8, or holds bytes no YAML/JSON text holds (NUL,
// control characters other than tab, CR and LF): a binary file.
absl::Status CheckSpecText(std::string_view text, std::string_view file);

// Offset of the first byte that does not start a valid UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF are invalid);
// npos when all of `s` is valid.
size_t InvalidUtf8At(std::string_view s);

// `s` fit for an error message (valid UTF-8, one line): invalid bytes and
// control characters as \xNN, cut to `max` bytes with "...".
std::string PrintableText(std::string_view s, size_t max = 200);

}  // namespace poolops::orchestrator
