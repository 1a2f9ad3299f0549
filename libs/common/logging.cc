#include "libs/common/logging.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace poolops {
namespace {

// True when stderr already writes to `path` (`poolctl services up` sends a
// service's stdio to its log file): one sink is then enough.
bool StderrIs(const std::filesystem::path& path) {
  struct stat err_st, file_st;
  return ::fstat(STDERR_FILENO, &err_st) == 0 &&
         ::stat(path.c_str(), &file_st) == 0 &&
         err_st.st_dev == file_st.st_dev && err_st.st_ino == file_st.st_ino;
}

}  // namespace

absl::Status InitLogging(std::string_view service_name, std::string_view home,
                         std::string_view level) {
  spdlog::level::level_enum lvl = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for anything it does not know.
  if (lvl == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log-level ", std::string(level),
        ": want trace, debug, info, warn, error, critical or off"));
  }
  std::vector<spdlog::sink_ptr> sinks;
  std::filesystem::path log_file;
  if (!home.empty()) {
    std::filesystem::path dir = std::filesystem::path(home) / "logs";
    if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
    log_file = dir / absl::StrCat(std::string(service_name), ".log");
    // Create it 0600 before spdlog opens it with the process umask.
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                    0600);
    if (fd < 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot open log file ", log_file.string()));
    }
    ::fchmod(fd, 0600);
    ::close(fd);
  }
  if (log_file.empty() || !StderrIs(log_file)) {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  }
  if (!log_file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(
          log_file.string()));
    } catch (const spdlog::spdlog_ex& e) {
      return absl::InternalError(
          absl::StrCat("cannot log to ", log_file.string(), ": ", e.what()));
    }
  }
  auto logger = std::make_shared<spdlog::logger>(std::string(service_name),
                                                 sinks.begin(), sinks.end());
  logger->set_level(lvl);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

}  // namespace poolops
