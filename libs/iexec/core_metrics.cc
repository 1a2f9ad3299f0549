#include "libs/iexec/core_metrics.h"

#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec {
namespace {

using json = nlohmann::json;

// Deeper nesting than any of these endpoints uses is refused before parsing,
// so a hostile body costs neither stack nor much memory.
constexpr JsonLimits kLimits{.max_bytes = 4 << 20, .max_depth = 32};

absl::StatusOr<json> ParseObject(std::string_view body, std::string_view what) {
  if (body.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": empty body"));
  }
  absl::StatusOr<json> j = ParseBoundedJson(body, kLimits, what);
  if (!j.ok()) return j.status();
  if (!j->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": not a JSON object"));
  }
  return j;
}

// A non-negative integer field; JSON integers or integral floats (Jackson may
// write 2.0). Absent: nullopt. Present but wrong: error.
absl::StatusOr<std::optional<int64_t>> Count(const json& j,
                                             std::string_view field) {
  auto it = j.find(std::string(field));
  if (it == j.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::optional<int64_t>(static_cast<int64_t>(v));
    }
  } else if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v >= 0) return std::optional<int64_t>(v);
  } else if (it->is_number_float()) {
    double d = it->get<double>();
    if (d >= 0 && d < 9e18 && std::floor(d) == d) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(field), ": want a non-negative integer, got ",
      it->dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 40)));
}

std::string ValueText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return absl::StrCat(v.get<uint64_t>());
  if (v.is_number_integer()) return absl::StrCat(v.get<int64_t>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) {
      return absl::StrCat(static_cast<int64_t>(d));
    }
    return absl::StrCat(d);
  }
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b
             ? std::numeric_limits<uint64_t>::max()
             : a + b;
}

uint64_t SaturatingMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) {
    return std::numeric_limits<uint64_t>::max();
  }
  return a * b;
}

// A non-negative integer given as a JSON number or a decimal string.
std::optional<uint64_t> Unsigned(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(v.get<int64_t>());
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d >= 0 && d < 1.8e19 && std::floor(d) == d) {
      return static_cast<uint64_t>(d);
    }
  }
  uint64_t out = 0;
  if (v.is_string() && absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  return std::nullopt;
}

// An ISO-8601 time-only duration as Jackson writes a java.time.Duration:
// PT[nH][nM][n[.n]S], e.g. PT5S, PT0.1S, PT1M30S. nullopt for anything else
// (days, signs, empty parts).
std::optional<double> IsoDurationSeconds(std::string_view s) {
  if (s.size() < 3 || s.size() > 40 || s.substr(0, 2) != "PT") {
    return std::nullopt;
  }
  s.remove_prefix(2);
  double total = 0;
  for (char unit : {'H', 'M', 'S'}) {
    size_t at = s.find(unit);
    if (at == std::string_view::npos) continue;
    double v = 0;
    std::string_view number = s.substr(0, at);
    // Fractions only on seconds, as Jackson writes them.
    if (number.empty() ||
        number.find_first_not_of(unit == 'S' ? "0123456789." : "0123456789") !=
            std::string_view::npos ||
        !absl::SimpleAtod(std::string(number), &v)) {
      return std::nullopt;
    }
    total += v * (unit == 'H' ? 3600 : unit == 'M' ? 60 : 1);
    s.remove_prefix(at + 1);
  }
  if (!s.empty()) return std::nullopt;
  return total;
}

}  // namespace

absl::StatusOr<CoreMetrics> ParseCoreMetrics(std::string_view body) {
  absl::StatusOr<json> j = ParseObject(body, "core /metrics");
  if (!j.ok()) return j.status();
  CoreMetrics m;
  auto read = [&](std::string_view field) { return Count(*j, field); };
  absl::StatusOr<std::optional<int64_t>> alive = read("aliveWorkers");
  if (!alive.ok()) return alive.status();
  if (!alive->has_value()) {
    return absl::InvalidArgumentError(
        "core /metrics: no aliveWorkers (not an iexec-core PlatformMetric)");
  }
  m.alive_workers = **alive;

  // 9.x first: registered/computing; the deprecated alive* stay beside them.
  auto registered_cpu = read("aliveRegisteredCpu");
  auto computing_cpu = read("aliveComputingCpu");
  auto registered_gpu = read("aliveRegisteredGpu");
  auto computing_gpu = read("aliveComputingGpu");
  for (const auto* f :
       {&registered_cpu, &computing_cpu, &registered_gpu, &computing_gpu}) {
    if (!f->ok()) return f->status();
  }
  if (registered_cpu->has_value()) {
    m.generation = "9.x";
    m.cpu_total = **registered_cpu;
    m.cpu_available =
        std::max<int64_t>(0, m.cpu_total - computing_cpu->value_or(0));
    m.gpu_total = registered_gpu->value_or(0);
    m.gpu_available =
        std::max<int64_t>(0, m.gpu_total - computing_gpu->value_or(0));
    m.cpu_available_reported = computing_cpu->has_value();
    m.gpu_available_reported = computing_gpu->has_value();
    auto block = j->find("latestBlockMetric");
    if (block != j->end() && block->is_object()) {
      auto n = block->find("blockNumber");
      if (n != block->end()) {
        std::optional<uint64_t> v = Unsigned(*n);
        if (!v) {
          return absl::InvalidArgumentError(
              "core /metrics: latestBlockMetric.blockNumber is not a number");
        }
        m.latest_block = *v;
      }
    }
    return m;
  }

  auto total_cpu = read("aliveTotalCpu");
  auto available_cpu = read("aliveAvailableCpu");
  auto total_gpu = read("aliveTotalGpu");
  auto available_gpu = read("aliveAvailableGpu");
  auto completed = read("completedTasks");
  auto deal_block = read("latestBlockNumberWithDeal");
  for (const auto* f : {&total_cpu, &available_cpu, &total_gpu, &available_gpu,
                        &completed, &deal_block}) {
    if (!f->ok()) return f->status();
  }
  if (!total_cpu->has_value()) {
    return absl::InvalidArgumentError(
        "core /metrics: neither aliveRegisteredCpu (9.x) nor aliveTotalCpu "
        "(7.x/8.x)");
  }
  m.cpu_total = **total_cpu;
  m.cpu_available = available_cpu->value_or(m.cpu_total);
  m.gpu_total = total_gpu->value_or(0);
  m.gpu_available = available_gpu->value_or(m.gpu_total);
  m.cpu_available_reported = available_cpu->has_value();
  m.gpu_available_reported = available_gpu->has_value();
  m.completed_tasks = *completed;
  if (deal_block->has_value()) {
    m.latest_block_with_deal = static_cast<uint64_t>(**deal_block);
  }
  m.generation = (completed->has_value() && !j->contains("dealsCount") &&
                  !j->contains("currentTaskStatusesCount"))
                     ? "7.x"
                     : "8.x";
  return m;
}

absl::StatusOr<std::map<std::string, std::string>> JsonFieldValues(
    std::string_view body, const std::vector<std::string>& fields) {
  absl::StatusOr<json> j = ParseObject(body, "body");
  if (!j.ok()) return j.status();
  // Older core names answered by the 9.x field that replaced them.
  static const std::map<std::string, std::string> kNewer = {
      {"aliveTotalCpu", "aliveRegisteredCpu"},
      {"aliveTotalGpu", "aliveRegisteredGpu"},
  };
  std::map<std::string, std::string> out;
  for (const std::string& field : fields) {
    auto it = j->find(field);
    if (it == j->end()) {
      auto newer = kNewer.find(field);
      if (newer != kNewer.end()) it = j->find(newer->second);
    }
    if (it != j->end()) out[field] = ValueText(*it);
  }
  // aliveAvailableCpu of a 9.x core that dropped it: registered - computing.
  for (const char* kind : {"Cpu", "Gpu"}) {
    std::string field = absl::StrCat("aliveAvailable", kind);
    bool wanted = false;
    for (const std::string& f : fields) wanted |= f == field;
    if (!wanted || out.count(field) != 0) continue;
    auto reg = j->find(absl::StrCat("aliveRegistered", kind));
    auto comp = j->find(absl::StrCat("aliveComputing", kind));
    if (reg == j->end()) continue;
    std::optional<uint64_t> r = Unsigned(*reg);
    std::optional<uint64_t> c =
        comp == j->end() ? std::optional<uint64_t>(0) : Unsigned(*comp);
    if (r && c) out[field] = absl::StrCat(*r > *c ? *r - *c : 0);
  }
  return out;
}

absl::StatusOr<std::string> ParseActuatorHealth(std::string_view body) {
  absl::StatusOr<json> j = ParseObject(body, "actuator health");
  if (!j.ok()) return j.status();
  auto it = j->find("status");
  if (it == j->end() || !it->is_string()) {
    return absl::InvalidArgumentError("actuator health: no \"status\" string");
  }
  std::string status = it->get<std::string>();
  if (status.size() > 64) status.resize(64);
  return status;
}

absl::StatusOr<AdapterChainConfig> ParseAdapterChainConfig(
    std::string_view body, std::string_view what) {
  absl::StatusOr<json> j = ParseObject(body, what);
  if (!j.ok()) return j.status();
  AdapterChainConfig c;
  auto chain_id = j->find("chainId");
  std::optional<uint64_t> id =
      chain_id == j->end() ? std::nullopt : Unsigned(*chain_id);
  if (!id || *id > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": no numeric chainId"));
  }
  c.chain_id = static_cast<int64_t>(*id);
  if (auto s = j->find("sidechain"); s != j->end() && s->is_boolean()) {
    c.sidechain = s->get<bool>();
  }
  if (auto u = j->find("chainNodeUrl"); u != j->end() && u->is_string()) {
    c.chain_node_url = u->get<std::string>();
  }
  if (auto h = j->find("iexecHubContractAddress");
      h != j->end() && h->is_string()) {
    c.hub = h->get<std::string>();
  }
  if (auto b = j->find("blockTime"); b != j->end()) {
    if (b->is_number()) {
      c.block_time_seconds = b->get<double>();
    } else if (b->is_string()) {
      const std::string& s = b->get_ref<const std::string&>();
      c.block_time_text = s.substr(0, 40);
      c.block_time_seconds = IsoDurationSeconds(s);
    }
  }
  return c;
}

absl::StatusOr<GrafanaHealth> ParseGrafanaHealth(std::string_view body) {
  absl::StatusOr<json> j = ParseObject(body, "grafana /api/health");
  if (!j.ok()) return j.status();
  GrafanaHealth g;
  auto db = j->find("database");
  if (db == j->end() || !db->is_string()) {
    return absl::InvalidArgumentError("grafana /api/health: no \"database\"");
  }
  g.database = db->get<std::string>().substr(0, 64);
  if (auto v = j->find("version"); v != j->end()) {
    g.version = ValueText(*v).substr(0, 64);
  }
  return g;
}

absl::StatusOr<OrderbookSummary> ParseOrderbook(std::string_view body) {
  absl::StatusOr<json> j = ParseObject(body, "market orderbook");
  if (!j.ok()) return j.status();
  if (auto ok = j->find("ok");
      ok != j->end() && ok->is_boolean() && !ok->get<bool>()) {
    std::string error = "market orderbook: ok=false";
    if (auto e = j->find("error"); e != j->end() && e->is_string()) {
      absl::StrAppend(&error, ": ", e->get<std::string>().substr(0, 200));
    }
    return absl::InvalidArgumentError(error);
  }
  auto orders = j->find("orders");
  if (orders == j->end() || !orders->is_array()) {
    return absl::InvalidArgumentError("market orderbook: no \"orders\" array");
  }
  OrderbookSummary s;
  s.orders_read = static_cast<int64_t>(orders->size());
  for (const json& o : *orders) {
    if (!o.is_object()) {
      return absl::InvalidArgumentError(
          "market orderbook: an order is not an object");
    }
    auto rem = o.find("remaining");
    std::optional<uint64_t> remaining =
        rem == o.end() ? std::nullopt : Unsigned(*rem);
    if (!remaining) {
      return absl::InvalidArgumentError(
          "market orderbook: an order without a numeric \"remaining\"");
    }
    if (auto st = o.find("status");
        st != o.end() && st->is_string() && st->get<std::string>() != "open") {
      continue;
    }
    s.open_volume = SaturatingAdd(s.open_volume, *remaining);
    uint64_t price = 0;
    if (auto inner = o.find("order"); inner != o.end() && inner->is_object()) {
      if (auto p = inner->find("workerpoolprice"); p != inner->end()) {
        price = Unsigned(*p).value_or(0);
      }
    }
    uint64_t per_task =
        SaturatingMul(price, kWorkerpoolStakeRatioPercent) / 100;
    s.required_stake =
        SaturatingAdd(s.required_stake, SaturatingMul(per_task, *remaining));
  }
  s.count = s.orders_read;
  if (auto count = Count(*j, "count"); count.ok() && count->has_value()) {
    s.count = **count;
  }
  s.more_pages = j->contains("nextPage");
  return s;
}

}  // namespace poolops::iexec
