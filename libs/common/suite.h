// The local suite: the four services `poolctl services up` starts, in start
// order (the vault first: the others call it), and the run/<service>.json
// file each running service writes.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops {

struct SuiteService {
  std::string_view name;    // also the socket, log and run file stem
  std::string_view binary;  // installed next to poolctl
};

inline constexpr std::array<SuiteService, 4> kSuite = {{
    {"wallet-vault", "poolops-wallet-vault"},
    {"chain-gateway", "poolops-chain-gateway"},
    {"orchestrator", "poolops-orchestrator"},
    {"monitor", "poolops-monitor"},
}};

// Null when `name` is not one of kSuite.
const SuiteService* FindSuiteService(std::string_view name);

// run/<service>.json: written by RunServer once serving, removed at exit.
struct RunInfo {
  int pid = 0;
  std::string address;  // "unix:/abs/path.sock" or "HOST:PORT"
  std::string metrics;  // "http://127.0.0.1:PORT/metrics", or "" when off
  std::string dashboard;  // the monitor's status page "http://.../", or ""
};

std::filesystem::path RunInfoPath(const std::filesystem::path& run_dir,
                                  std::string_view service);
std::string RunInfoToJson(const RunInfo& info);
// NotFound when the file is missing (service not running); InvalidArgument
// naming the file when it does not parse.
absl::StatusOr<RunInfo> ReadRunInfo(const std::filesystem::path& run_dir,
                                    std::string_view service);

}  // namespace poolops
