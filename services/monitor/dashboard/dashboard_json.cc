#include "services/monitor/dashboard/dashboard_json.h"

#include "libs/eth/address.h"
#include "re2/re2.h"

namespace poolops::monitor {
namespace {

using json = nlohmann::json;

std::string Checksum(const std::string& address) {
  absl::StatusOr<eth::Address> a = eth::Address::Parse(address);
  return a.ok() ? a->ToChecksum() : address;
}

}  // namespace

std::string RedactUrls(std::string_view text) {
  // scheme://[userinfo@]host[:port][path/query/fragment]
  static const re2::RE2 kUrl(
      R"(([A-Za-z][A-Za-z0-9+.-]*://)(?:[^\s/?#@]*@)?([^\s/?#@]+)([/?#][^\s"'<>]*)?)");
  std::string out(text);
  std::string replaced;
  re2::StringPiece in(out);
  re2::StringPiece scheme, host, rest;
  size_t last = 0;
  const char* begin = out.data();
  while (re2::RE2::FindAndConsume(&in, kUrl, &scheme, &host, &rest)) {
    const size_t start = scheme.data() - begin;
    replaced.append(out, last, start - last);
    replaced.append(scheme.data(), scheme.size());
    replaced.append(host.data(), host.size());
    if (!rest.empty()) replaced.append("/…");
    last = in.data() - begin;
  }
  replaced.append(out, last, std::string::npos);
  return replaced;
}

json StatusJson(const v1::PoolStatus& status) {
  json components = json::array();
  for (const v1::Component& c : status.components()) {
    json values = json::object();
    for (const auto& [k, v] : c.values()) values[k] = RedactUrls(v);
    components.push_back({{"name", c.name()},
                          {"status", v1::Health_Name(c.status())},
                          {"detail", RedactUrls(c.detail())},
                          {"checkedAt", c.checked_at()},
                          {"known", c.known()},
                          {"values", std::move(values)}});
  }
  return {{"pool", status.pool()},
          {"overall", v1::Health_Name(status.overall())},
          {"updatedAt", status.updated_at()},
          {"round", status.round()},
          {"components", std::move(components)}};
}

json StatsJson(const PoolStats& s) {
  json workers = json::array();
  for (const WorkerStats& w : s.workers)
    workers.push_back({{"address", Checksum(w.address)},
                       {"tasks", w.tasks},
                       {"earned", w.earned},
                       {"seized", w.seized}});
  json timeline = json::array();
  for (const StatsPoint& p : s.timeline)
    timeline.push_back({{"time", p.time},
                        {"completed", p.completed},
                        {"failed", p.failed},
                        {"earned", p.earned},
                        {"seized", p.seized}});
  return {{"pool", s.pool},
          {"workerpool", Checksum(s.workerpool)},
          {"fromBlock", s.from_block},
          {"toBlock", s.to_block},
          {"deals", s.deals},
          {"tasks",
           {{"completed", s.completed},
            {"failed", s.failed},
            {"running", s.running}}},
          {"earned",
           {{"scheduler", s.earned_scheduler}, {"workers", s.earned_workers}}},
          {"seized", s.seized},
          {"gasSpent", s.gas_spent},
          {"workers", std::move(workers)},
          {"timeline", std::move(timeline)}};
}

json RevisionsJson(const std::vector<RevisionSummary>& revisions) {
  json out = json::array();
  for (const RevisionSummary& r : revisions)
    out.push_back({{"revision", r.revision},
                   {"appliedAt", r.applied_at},
                   {"outcome", r.outcome},
                   {"message", RedactUrls(r.message)}});
  return out;
}

}  // namespace poolops::monitor
