// Writes files under a folder (`pool render --out DIR`) without ever
// leaving it: every folder below DIR is opened with openat(O_NOFOLLOW |
// O_DIRECTORY) from its parent's descriptor, so a symlink planted inside DIR
// (to ~/.ssh, /etc, ...) is refused instead of followed, and "..", "." or
// absolute paths are refused before any I/O. Files go to a temp file in
// their folder and are renamed over the old one (rename replaces a symlink
// itself, never its target). Containment holds by descriptors, not by
// comparing path strings.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops::cli {

class ContainedDir {
 public:
  // Creates `root` (0700) if needed and opens it; `root` itself is the
  // caller's choice and may be reached through symlinks.
  static absl::StatusOr<ContainedDir> Open(const std::filesystem::path& root);
  ContainedDir(ContainedDir&& other) noexcept;
  ContainedDir& operator=(ContainedDir&&) = delete;
  ~ContainedDir();

  // Writes `relative` ("core/.env"; '/'-separated) with `mode`; missing
  // folders are created 0700. InvalidArgument for a path that could leave
  // the folder, FailedPrecondition for a symlink on the way.
  absl::Status Write(const std::string& relative, std::string_view content,
                     mode_t mode);

  const std::filesystem::path& root() const { return root_; }

 private:
  ContainedDir(std::filesystem::path root, int fd)
      : root_(std::move(root)), fd_(fd) {}
  std::filesystem::path root_;
  int fd_ = -1;
};

}  // namespace poolops::cli
