// File helpers with safe modes. Secrets are written 0600 inside 0700 folders,
// atomically (temp file + fsync + rename) so a crash never leaves half a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops::files {

// Creates `dir` and parents with `mode`; tightens the mode of `dir` itself if
// it exists with more permissive bits.
absl::Status EnsureDir(const std::filesystem::path& dir, mode_t mode = 0700);

// For a folder the operator names (--home): creates it 0700 if missing, but
// never changes the mode of an existing one (it may be /tmp or a shared
// mount). An existing folder that group or others may write to is refused
// (FailedPrecondition naming it and its mode): they could swap its contents.
absl::Status EnsureOwnDir(const std::filesystem::path& dir);

// Writes atomically with `mode`. When `exclusive`, fails with AlreadyExists if
// the target exists (never overwrites).
absl::Status WriteFileAtomic(const std::filesystem::path& path,
                             std::string_view content, mode_t mode = 0600,
                             bool exclusive = false);

// Reads a whole file, refusing files larger than `max_bytes`
// (ResourceExhausted) and naming the path in every error.
absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path,
                                     size_t max_bytes = 16 << 20);

// Reads a secret file: the first line, without its trailing "\n" or "\r\n"
// (as geth reads --password files). Warns via the returned status only on
// read errors; an empty secret is InvalidArgument.
absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path);

// Appends one line (a '\n' is added) with O_APPEND and fsync; creates the
// file 0600 if missing.
absl::Status AppendLine(const std::filesystem::path& path,
                        std::string_view line);

}  // namespace poolops::files
