// Debian's chromium, headless, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so
// page tests read the live DOM as a user's browser builds it, wait for it
// to change, and take screenshots. Test support: one page at a time.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace poolops::test {

class HeadlessChromium {
 public:
  // Starts chromium with its profile in `profile_dir` (created, removed on
  // destruction). NotFound when chromium is not installed.
  static absl::StatusOr<std::unique_ptr<HeadlessChromium>> Launch(
      std::filesystem::path profile_dir, int width = 1280, int height = 1500);
  ~HeadlessChromium();

  // Opens `url` in a new tab and attaches to it.
  absl::Status Open(const std::string& url);
  // The value of a JavaScript expression in the page (awaited if a promise).
  absl::StatusOr<nlohmann::json> Eval(const std::string& expression);
  // Evaluates `expression` until it is truthy; its value, or
  // DeadlineExceeded naming it with its last value.
  absl::StatusOr<nlohmann::json> WaitFor(const std::string& expression,
                                         absl::Duration timeout);
  // The page as a PNG (the whole page, not only the viewport).
  absl::Status Screenshot(const std::filesystem::path& png);

 private:
  HeadlessChromium() = default;
  absl::StatusOr<nlohmann::json> Call(
      const std::string& method, nlohmann::json params, bool in_session = true,
      absl::Duration timeout = absl::Seconds(30));

  pid_t pid_ = -1;
  int to_browser_ = -1;    // its fd 3
  int from_browser_ = -1;  // its fd 4
  std::string buffer_;
  int next_id_ = 1;
  std::string session_;
  std::filesystem::path profile_;
};

}  // namespace poolops::test
