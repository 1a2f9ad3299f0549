#include "libs/common/suite.h"

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"

namespace poolops {

const SuiteService* FindSuiteService(std::string_view name) {
  for (const SuiteService& s : kSuite) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::filesystem::path RunInfoPath(const std::filesystem::path& run_dir,
                                  std::string_view service) {
  return run_dir / absl::StrCat(std::string(service), ".json");
}

std::string RunInfoToJson(const RunInfo& info) {
  nlohmann::json j{{"pid", info.pid},
                   {"address", info.address},
                   {"metrics", info.metrics}};
  if (!info.dashboard.empty()) j["dashboard"] = info.dashboard;
  return j.dump() + "\n";
}

absl::StatusOr<RunInfo> ReadRunInfo(const std::filesystem::path& run_dir,
                                    std::string_view service) {
  std::filesystem::path path = RunInfoPath(run_dir, service);
  absl::StatusOr<std::string> text = files::ReadFile(path, 64 << 10);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr,
                                           /*allow_exceptions=*/false);
  RunInfo info;
  if (j.is_object() && j.value("pid", nlohmann::json()).is_number_integer() &&
      j.value("address", nlohmann::json()).is_string()) {
    info.pid = j["pid"].get<int>();
    info.address = j["address"].get<std::string>();
    if (j.contains("dashboard") && j["dashboard"].is_string()) {
      info.dashboard = j["dashboard"].get<std::string>();
    }
    if (j.contains("metrics") && j["metrics"].is_string()) {
      info.metrics = j["metrics"].get<std::string>();
    }
    if (info.pid > 0 && !info.address.empty()) return info;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path.string(),
      ": want {\"pid\":N,\"address\":\"...\",\"metrics\":\"...\"}"));
}

}  // namespace poolops
