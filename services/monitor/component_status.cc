#include "services/monitor/component_status.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

HttpVerdict CheckHttp(const ProbeOutcome& o, ProbeResult* probe,
                      absl::Time at) {
  const HttpProbeResponse& r = o.response;
  probe->mutable_spec()->set_prober(v1::ProbeSpec::PROBER_HTTP);
  probe->mutable_spec()->set_target(o.url);
  probe->set_probe_duration_seconds(absl::ToDoubleSeconds(r.duration));
  probe->set_probe_http_status_code(static_cast<uint32_t>(r.status_code));
  probe->set_content_type(r.content_type);
  probe->set_body_bytes(r.body_bytes);
  probe->set_probed_at(Rfc3339(at));
  if (r.cert_not_after) {
    probe->set_probe_ssl_earliest_cert_expiry(
        absl::ToUnixSeconds(*r.cert_not_after));
  }
  HttpVerdict v;
  if (!r.failed_due_to.empty()) {
    probe->set_probe_failed_due_to(r.failed_due_to);
    v.reason =
        r.failed_due_to == "body too large"
            ? absl::StrCat(o.url, " answered a body over ", r.body_bytes,
                           " bytes (read no further)")
            : absl::StrCat("no answer from ", o.url, ": ", r.failed_due_to);
    return v;
  }
  if (r.status_code < 200 || r.status_code > 299) {
    probe->set_probe_failed_due_to("status");
    v.reason = absl::StrCat(o.url, " answered HTTP ", r.status_code);
    return v;
  }
  if (!r.content_type.empty() &&
      !absl::StrContains(absl::AsciiStrToLower(r.content_type), "json")) {
    probe->set_probe_failed_due_to("content type");
    v.reason = absl::StrCat(o.url, " answered ", r.content_type.substr(0, 60),
                            ", not JSON");
    return v;
  }
  probe->set_probe_success(true);
  v.ok = true;
  return v;
}

void ParseFailed(ProbeResult* probe) {
  probe->set_probe_success(false);
  probe->set_probe_failed_due_to("json");
}

Component* Add(v1::PoolStatus* status, std::string name, Health health,
               std::string detail, absl::Time at, bool known) {
  Component* c = status->add_components();
  c->set_name(std::move(name));
  c->set_status(health);
  c->set_detail(std::move(detail));
  c->set_checked_at(Rfc3339(at));
  c->set_known(known);
  return c;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return absl::StrCat(n, " ", std::string(n == 1 ? one : many));
}

}  // namespace poolops::monitor
