#include "cli/context.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/health_client.h"
#include "libs/common/home.h"
#include "libs/common/suite.h"

namespace poolops::cli {

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 2;
    case absl::StatusCode::kNotFound:
      return 3;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return 4;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return 5;
    case absl::StatusCode::kUnavailable:
      return 6;
    case absl::StatusCode::kDeadlineExceeded:
      return 7;
    case absl::StatusCode::kResourceExhausted:
      return 8;
    default:
      return 1;
  }
}

std::string Context::Home() const {
  return poolops::Home::Resolve(home_flag).string();
}

int Context::Ok(const nlohmann::json& result, std::string_view human) const {
  if (json) {
    std::cout << result.dump() << std::endl;
  } else if (!human.empty()) {
    std::cout << human;
    if (human.back() != '\n') std::cout << '\n';
    std::cout.flush();
  }
  return 0;
}

int Context::Fail(const absl::Status& status) const {
  std::string message(status.message());
  if (json) {
    nlohmann::json error = {{"error",
                             {{"code", absl::StatusCodeToString(status.code())},
                              {"message", message}}}};
    std::cout << error.dump() << std::endl;
  }
  std::cerr << "error: " << message << std::endl;
  return ExitCodeFor(status);
}

void Context::Progress(std::string_view line) const {
  std::cerr << line << std::endl;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Context::Channel(
    std::string_view service) const {
  if (FindSuiteService(service) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown service ", std::string(service)));
  }
  std::filesystem::path run_dir = std::filesystem::path(Home()) / "run";
  absl::StatusOr<RunInfo> info = ReadRunInfo(run_dir, service);
  if (info.ok() && absl::StartsWith(info->address, "unix:")) {
    std::shared_ptr<grpc::Channel> channel = LocalChannel(info->address);
    absl::StatusOr<HealthState> health =
        CheckHealth(*channel, "", absl::Seconds(2));
    if (health.ok() && *health == HealthState::kServing) return channel;
  }
  Progress(absl::StrCat(std::string(service),
                        " is not running: starting the local suite"));
  if (absl::Status s = EnsureSuiteRunning(*this); !s.ok()) return s;
  info = ReadRunInfo(run_dir, service);
  if (!info.ok()) return info.status();
  if (!absl::StartsWith(info->address, "unix:")) {
    return absl::FailedPreconditionError(absl::StrCat(
        std::string(service), " listens on ", info->address,
        "; poolctl reaches the local suite over unix sockets only"));
  }
  return LocalChannel(info->address);
}

}  // namespace poolops::cli
