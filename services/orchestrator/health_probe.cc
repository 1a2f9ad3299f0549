#include "services/orchestrator/health_probe.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/common/http_client.h"
#include "nlohmann/json.hpp"

namespace poolops::orchestrator {
namespace {

class DirectHealthProbe : public HealthProbe {
 public:
  DirectHealthProbe(absl::Duration timeout, std::shared_ptr<http::Client> web)
      : timeout_(timeout), web_(std::move(web)) {}

  absl::StatusOr<CoreMetrics> Core(const std::string& host,
                                   uint32_t port) override {
    const std::string where = host.find(':') != std::string::npos
                                  ? absl::StrCat("[", host, "]:", port)  // IPv6
                                  : absl::StrCat(host, ":", port);
    http::Request request;
    request.url = absl::StrCat("http://", where, "/metrics");
    request.timeout = timeout_;
    request.connect_timeout = timeout_;    // a host that drops SYNs ends too
    request.max_response_bytes = 1 << 20;  // what ParseCoreMetrics accepts
    absl::StatusOr<http::Response> r = web_->Send(request);
    if (!r.ok()) {
      return absl::UnavailableError(
          absl::StrCat(where, ": ", r.status().message()));
    }
    if (r->status != 200) {
      return absl::UnavailableError(
          absl::StrCat(where, "/metrics: HTTP ", r->status));
    }
    return ParseCoreMetrics(r->body);
  }

 private:
  const absl::Duration timeout_;
  const std::shared_ptr<http::Client> web_;
};

}  // namespace

absl::StatusOr<CoreMetrics> ParseCoreMetrics(const std::string& body) {
  // A probed core's answer: bounded before parsing (libs/common).
  absl::StatusOr<nlohmann::json> parsed = ParseBoundedJson(
      body, {.max_bytes = 1 << 20, .max_depth = 32}, "core /metrics");
  if (!parsed.ok()) return absl::UnavailableError(parsed.status().message());
  nlohmann::json& j = *parsed;
  if (!j.is_object() || !j.contains("aliveWorkers")) {
    return absl::UnavailableError("core /metrics: no aliveWorkers field");
  }
  auto num = [&](const char* key) {
    if (!j.contains(key)) return 0;
    if (j[key].is_number()) return j[key].get<int>();
    int v = 0;
    if (j[key].is_string())
      (void)absl::SimpleAtoi(j[key].get<std::string>(), &v);
    return v;
  };
  CoreMetrics m;
  m.alive_workers = num("aliveWorkers");
  m.alive_total_cpu = num("aliveTotalCpu");
  return m;
}

std::unique_ptr<HealthProbe> NewDirectHealthProbe(
    absl::Duration timeout, std::shared_ptr<http::Client> web) {
  if (web == nullptr) web = http::NewCurlClient();
  return std::make_unique<DirectHealthProbe>(timeout, std::move(web));
}

}  // namespace poolops::orchestrator
