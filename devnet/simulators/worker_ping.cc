#include "devnet/simulators/worker_ping.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::sim {
namespace {

bool IsAddress(const std::string& s) {
  if (s.size() != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return false;
  }
  for (size_t i = 2; i < s.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<WorkerPing> ParseWorkerPing(const std::string& body) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("ping body is not JSON: ", e.what()));
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError("ping body must be a JSON object");
  }
  WorkerPing ping;
  auto wallet = json.find("walletAddress");
  if (wallet == json.end() || !wallet->is_string() ||
      !IsAddress(wallet->get<std::string>())) {
    return absl::InvalidArgumentError(
        "walletAddress must be a 0x-prefixed 20-byte hex address");
  }
  ping.wallet_address = absl::AsciiStrToLower(wallet->get<std::string>());
  auto cpu = json.find("cpuNb");
  if (cpu == json.end() || !cpu->is_number_integer() || cpu->get<long>() < 1 ||
      cpu->get<long>() > 4096) {
    return absl::InvalidArgumentError("cpuNb must be an integer in [1, 4096]");
  }
  ping.cpu_nb = cpu->get<int>();
  auto gpu = json.find("gpuEnabled");
  if (gpu != json.end()) {
    if (!gpu->is_boolean()) {
      return absl::InvalidArgumentError("gpuEnabled must be a boolean");
    }
    ping.gpu_enabled = gpu->get<bool>();
  }
  return ping;
}

std::string WorkerPingJson(const WorkerPing& ping) {
  return nlohmann::json{{"walletAddress", ping.wallet_address},
                        {"cpuNb", ping.cpu_nb},
                        {"gpuEnabled", ping.gpu_enabled}}
      .dump();
}

}  // namespace poolops::sim
