#include "services/orchestrator/health_probe.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/http_client.h"
#include "libs/iexec/core_metrics.h"

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
  // One parser of every core version (libs/iexec); a core that answers
  // something else is not up yet.
  absl::StatusOr<iexec::CoreMetrics> parsed = iexec::ParseCoreMetrics(body);
  if (!parsed.ok()) return absl::UnavailableError(parsed.status().message());
  CoreMetrics m;
  auto as_int = [](int64_t v) {
    return static_cast<int>(std::min<int64_t>(v, INT32_MAX));
  };
  m.alive_workers = as_int(parsed->alive_workers);
  m.alive_total_cpu = as_int(parsed->cpu_total);
  return m;
}

std::unique_ptr<HealthProbe> NewDirectHealthProbe(
    absl::Duration timeout, std::shared_ptr<http::Client> web) {
  if (web == nullptr) web = http::NewCurlClient();
  return std::make_unique<DirectHealthProbe>(timeout, std::move(web));
}

}  // namespace poolops::orchestrator
