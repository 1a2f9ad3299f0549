#include "services/chain/publisher/publisher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "libs/common/http_client.h"
#include "libs/common/terminal_text.h"
#include "libs/iexec/core_metrics.h"
#include "services/chain/chains/chain_registry.h"
#include "services/chain/chains/gateway.h"
#include "services/chain/orders/orders.h"
#include "spdlog/spdlog.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

// Salts are irrelevant when a round only reads the terms' price and volume.
class ZeroRandom : public Random {
 public:
  absl::Status Fill(absl::Span<uint8_t> out) override {
    std::fill(out.begin(), out.end(), 0);
    return absl::OkStatus();
  }
};

std::string Key(std::string_view chain, std::string_view workerpool) {
  return absl::StrCat(std::string(chain), "-",
                      absl::AsciiStrToLower(std::string(workerpool)));
}

std::string UnitText(eth::Unit u) { return eth::UnitName(u); }

class RealWorld : public PublisherWorld {
 public:
  RealWorld(Orders* orders, http::Client* http)
      : orders_(orders), http_(http) {}

  absl::StatusOr<uint64_t> Capacity(const PublisherPolicy& p) override {
    http::Request req;
    req.url = p.core_metrics_url;
    req.headers.emplace_back("Accept", "application/json");
    req.timeout = absl::Seconds(10);
    absl::StatusOr<http::Response> r = http_->Send(req);
    if (!r.ok())
      return absl::Status(r.status().code(),
                          absl::StrCat("core metrics ", p.core_metrics_url,
                                       ": ", r.status().message()));
    if (r->status != 200)
      return absl::UnavailableError(absl::StrCat(
          "core metrics ", p.core_metrics_url, ": HTTP ", r->status));
    absl::StatusOr<uint64_t> c = ParseCoreCapacity(r->body, p.gpu_pool);
    if (!c.ok())
      return absl::UnavailableError(absl::StrCat(
          "core metrics ", p.core_metrics_url, ": ", c.status().message()));
    return c;
  }

  absl::StatusOr<OpenOrders> Open(const PublisherPolicy& p) override {
    absl::StatusOr<eth::Address> pool = eth::Address::Parse(p.workerpool);
    if (!pool.ok()) return pool.status();
    OrderbookFilter f;
    f.workerpool = *pool;
    absl::StatusOr<OrderbookView> book = orders_->Orderbook(p.chain, f);
    if (!book.ok()) return book.status();
    OpenOrders open;
    open.count = book->orders.size();
    for (const MarketOrder& o : book->orders) {
      open.volume += o.remaining;
      open.lock = open.lock + StakePerTask(o.order.workerpoolprice) *
                                  eth::U256(o.remaining);
    }
    return open;
  }

  absl::StatusOr<eth::U256> Stake(const PublisherPolicy& p) override {
    absl::StatusOr<ChainSession*> session = orders_->gateway().Session(p.chain);
    if (!session.ok()) return session.status();
    absl::StatusOr<eth::Address> owner =
        orders_->gateway().signer().Resolve(p.wallet);
    if (!owner.ok()) return owner.status();
    absl::StatusOr<EscrowAccount> account =
        (*session)->poco().ViewAccount(*owner);
    if (!account.ok()) return account.status();
    return account->stake;
  }

  absl::StatusOr<std::string> PublishOne(const PublisherPolicy& p) override {
    absl::StatusOr<SignedWorkerpoolOrder> o =
        orders_->SignAndPublish(p.chain, p.wallet, p.terms);
    if (!o.ok()) return o.status();
    return o->order_hash;
  }

  absl::Status CheckShape(const PublisherPolicy& p,
                          const iexec::WorkerpoolOrder& shape) override {
    return orders_->CheckTagForChain(p.chain, shape);
  }

  absl::StatusOr<std::string> WalletLocked(const PublisherPolicy& p) override {
    return orders_->gateway().signer().LockedBecause(p.wallet);
  }

 private:
  Orders* const orders_;
  http::Client* const http_;
};

std::string Nrlc(const eth::U256& v) { return v.ToDecimal() + " nRLC"; }

}  // namespace

struct Publishers::Runner {
  absl::Mutex mu;
  PublisherState state ABSL_GUARDED_BY(mu);
  bool stop ABSL_GUARDED_BY(mu) = false;
  bool kick ABSL_GUARDED_BY(mu) = false;
  // RunOnce asks for kick number `kicks`; the loop answers up to `served`.
  uint64_t kicks ABSL_GUARDED_BY(mu) = 0;
  uint64_t served ABSL_GUARDED_BY(mu) = 0;
  // Its policy file did not parse: shown, never run.
  bool broken ABSL_GUARDED_BY(mu) = false;
  std::thread thread;    // touched only under Publishers::mu_
  absl::Mutex round_mu;  // one round at a time
};

std::unique_ptr<PublisherWorld> NewPublisherWorld(Orders* orders,
                                                  http::Client* http) {
  return std::make_unique<RealWorld>(orders, http);
}

absl::StatusOr<uint64_t> ParseCoreCapacity(const std::string& body, bool gpu) {
  // libs/iexec reads every core version (9.x: registered - computing).
  absl::StatusOr<iexec::CoreMetrics> m = iexec::ParseCoreMetrics(body);
  if (!m.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(m.status().message(), " (the publisher needs ",
                     gpu ? "aliveAvailableGpu" : "aliveAvailableCpu",
                     " of an iExec core 7.x-9.x)"));
  // The total is no stand-in for what is free: offering it could sell
  // capacity the workers are using.
  if (!(gpu ? m->gpu_available_reported : m->cpu_available_reported))
    return absl::InvalidArgumentError(
        absl::StrCat("core /metrics: no free ", gpu ? "GPU" : "CPU", " count (",
                     gpu ? "aliveAvailableGpu or aliveComputingGpu"
                         : "aliveAvailableCpu or aliveComputingCpu",
                     "); the publisher offers only what it sees free"));
  return static_cast<uint64_t>(gpu ? m->gpu_available : m->cpu_available);
}

absl::StatusOr<uint64_t> DrawPrice(const PriceRange& range, Random* random) {
  if (range.max_nrlc < range.min_nrlc)
    return absl::InvalidArgumentError(
        absl::StrCat("price range ", range.min_nrlc, "-", range.max_nrlc,
                     " nRLC: the minimum is above the maximum"));
  if (range.min_nrlc == range.max_nrlc) return range.min_nrlc;
  const uint64_t n = range.max_nrlc - range.min_nrlc + 1;  // ≤ 2^53
  // Draws below 2^64 mod n would favour the low prices: drawn again. With
  // n ≤ 2^53 a draw is rejected with probability < 2^-11, so 64 rejections
  // in a row mean a broken source.
  const uint64_t reject_below = (0 - n) % n;
  for (int attempt = 0; attempt < 64; ++attempt) {
    uint8_t bytes[8];
    if (absl::Status s = random->Fill(absl::MakeSpan(bytes)); !s.ok()) return s;
    uint64_t x = 0;
    for (uint8_t b : bytes) x = (x << 8) | b;
    if (x >= reject_below) return range.min_nrlc + x % n;
  }
  return absl::InternalError(
      "the random source kept giving draws that are rejected");
}

PublishDecision DecidePublish(const PublisherPolicy& policy,
                              uint64_t price_nrlc, uint64_t volume,
                              uint64_t capacity, const OpenOrders& open,
                              const eth::U256& stake) {
  PublishDecision d;
  if (open.count >= policy.max_open_orders) {
    d.reason = absl::StrCat("the orderbook holds ", open.count,
                            " open orders (max ", policy.max_open_orders, ")");
    return d;
  }
  if (capacity <= open.volume) {
    d.reason = absl::StrCat("capacity ", capacity,
                            " is covered by open volume ", open.volume);
    return d;
  }
  uint64_t missing = capacity - open.volume;
  uint64_t wanted = std::min<uint64_t>(missing / std::max<uint64_t>(volume, 1),
                                       policy.max_open_orders - open.count);
  if (wanted == 0) {
    d.reason = absl::StrCat("free capacity ", missing,
                            " is below one order's volume ", volume);
    return d;
  }
  eth::U256 per_order = StakePerTask(price_nrlc) * eth::U256(volume);
  uint64_t affordable = wanted;
  if (!per_order.IsZero()) {
    eth::U256 free = stake > open.lock ? stake - open.lock : eth::U256(0);
    eth::U256 n = free / per_order;
    if (n < eth::U256(wanted)) affordable = n.low64();
  }
  d.orders = affordable;
  d.reason =
      absl::StrCat("capacity ", capacity, ", open volume ", open.volume,
                   ": publishing ", affordable, " order(s) of volume ", volume);
  if (affordable < wanted) {
    eth::U256 needed = open.lock + per_order * eth::U256(wanted);
    d.error = absl::StrCat(
        "stake too low: ", Nrlc(stake), " staked cannot lock ", Nrlc(needed),
        " (30% of the price of ", open.volume, " open and ", wanted * volume,
        " new tasks",
        policy.price_range ? absl::StrCat(" at the range's maximum price ",
                                          price_nrlc, " nRLC")
                           : "",
        "); published ", affordable, " of ", wanted, " orders; deposit ",
        Nrlc(needed - stake), " more");
  }
  return d;
}

namespace {
// Every field but the optional ones.
json PolicyFieldsToJson(const PublisherPolicy& p) {
  const OrderTermsInput& t = p.terms;
  return {{"chain", p.chain},
          {"workerpool", p.workerpool},
          {"wallet", p.wallet},
          {"enabled", p.enabled},
          {"coreMetricsUrl", p.core_metrics_url},
          {"gpuPool", p.gpu_pool},
          {"maxOpenOrders", p.max_open_orders},
          {"checkPeriodSeconds", p.check_period_seconds},
          {"terms",
           {{"price", t.price},
            {"priceUnit", UnitText(t.price_unit)},
            {"volume", t.volume},
            {"category", t.category},
            {"tag", t.tag},
            {"trust", t.trust},
            {"appRestrict", t.app_restrict},
            {"datasetRestrict", t.dataset_restrict},
            {"requesterRestrict", t.requester_restrict}}}};
}
}  // namespace

json PublisherPolicyToJson(const PublisherPolicy& p) {
  json j = PolicyFieldsToJson(p);
  if (p.price_range)
    j["priceRange"] = {{"minNrlc", p.price_range->min_nrlc},
                       {"maxNrlc", p.price_range->max_nrlc}};
  return j;
}

absl::StatusOr<PublisherPolicy> PublisherPolicyFromJson(const json& j) {
  PublisherPolicy p;
  try {
    p.chain = j.at("chain").get<std::string>();
    p.workerpool = j.at("workerpool").get<std::string>();
    p.wallet = j.at("wallet").get<std::string>();
    p.enabled = j.value("enabled", true);
    p.core_metrics_url = j.value("coreMetricsUrl", "");
    p.gpu_pool = j.value("gpuPool", false);
    p.max_open_orders = j.value("maxOpenOrders", 3u);
    p.check_period_seconds = j.value("checkPeriodSeconds", 30u);
    if (auto r = j.find("priceRange"); r != j.end() && !r->is_null())
      p.price_range = PriceRange{r->at("minNrlc").get<uint64_t>(),
                                 r->at("maxNrlc").get<uint64_t>()};
    const json& t = j.at("terms");
    p.terms.price = t.value("price", "");
    absl::StatusOr<eth::Unit> unit =
        eth::ParseUnit(t.value("priceUnit", "nRLC"));
    if (!unit.ok()) return unit.status();
    p.terms.price_unit = *unit;
    p.terms.volume = t.value("volume", "");
    p.terms.category = t.value("category", "");
    p.terms.tag = t.value("tag", "");
    p.terms.trust = t.value("trust", "");
    p.terms.app_restrict = t.value("appRestrict", "");
    p.terms.dataset_restrict = t.value("datasetRestrict", "");
    p.terms.requester_restrict = t.value("requesterRestrict", "");
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("publisher policy: ", e.what()));
  }
  // Both name files and select the chain: never taken unchecked.
  if (!IsValidChainName(p.chain))
    return absl::InvalidArgumentError(absl::StrCat("publisher policy: chain \"",
                                                   SanitizeForTerminal(p.chain),
                                                   "\" is not a chain name"));
  absl::StatusOr<eth::Address> pool =
      eth::Address::Parse(p.workerpool, "publisher policy: workerpool");
  if (!pool.ok()) return pool.status();
  p.workerpool = pool->ToChecksum();
  p.terms.workerpool = p.workerpool;
  return p;
}

Publishers::Publishers(Gateway* gateway, std::filesystem::path dir,
                       PublishersOptions options)
    : gateway_(gateway),
      dir_(std::move(dir)),
      world_(std::move(options.world)),
      clock_(options.clock ? options.clock : Clock::Real()),
      random_(options.random ? options.random : Random::Secure()),
      start_loops_(options.start_loops) {}

absl::StatusOr<std::unique_ptr<Publishers>> Publishers::Create(
    Gateway* gateway, Orders* orders, const std::filesystem::path& home,
    PublishersOptions options) {
  if (!options.world) {
    if (orders == nullptr)
      return absl::InvalidArgumentError("publishers need the orders");
    options.world = NewPublisherWorld(orders, &orders->http());
  }
  std::filesystem::path dir = home / "publisher";
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  std::unique_ptr<Publishers> p(
      new Publishers(gateway, dir, std::move(options)));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    absl::StatusOr<PublisherPolicy> policy = ReadPolicyFile(entry.path());
    if (!policy.ok()) {
      // One broken file never stops the gateway (nor the other policies):
      // skipped, logged, and shown by `publisher status` until set again.
      spdlog::error(
          "publisher policy {} is broken and skipped: {}",
          SanitizeForTerminal(entry.path().string()),
          SanitizeForTerminal(std::string(policy.status().message())));
      p->AddBroken(entry.path(), policy.status());
      continue;
    }
    auto runner = std::make_unique<Runner>();
    Runner* r = runner.get();
    {
      absl::MutexLock lock(&r->mu);
      r->state.policy = *policy;
    }
    absl::MutexLock lock(&p->mu_);
    p->runners_[Key(policy->chain, policy->workerpool)] = std::move(runner);
    if (policy->enabled && p->start_loops_) p->StartLoop(r);
  }
  return p;
}

absl::StatusOr<PublisherPolicy> Publishers::ReadPolicyFile(
    const std::filesystem::path& file) {
  absl::StatusOr<std::string> text = files::ReadFile(file, 1 << 20);
  if (!text.ok()) return text.status();
  absl::StatusOr<json> j = ParseBoundedJson(
      *text, {.max_bytes = 1 << 20, .max_depth = 16}, file.string());
  if (!j.ok()) return j.status();
  if (!j->is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(file.string(), ": not a JSON object"));
  absl::StatusOr<PublisherPolicy> policy = PublisherPolicyFromJson(*j);
  if (!policy.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(file.string(), ": ", policy.status().message()));
  // The file is named for its policy (Set writes <chain>-<workerpool>.json).
  if (file.filename().string() !=
      Key(policy->chain, policy->workerpool) + ".json")
    return absl::InvalidArgumentError(absl::StrCat(
        file.string(), ": holds the policy of ", policy->workerpool, " on ",
        policy->chain, ", not the one its name says"));
  return policy;
}

void Publishers::AddBroken(const std::filesystem::path& file,
                           const absl::Status& why) {
  // <chain>-<workerpool>.json: the policy it was, for `publisher status`.
  std::string stem = file.stem().string();
  if (stem.size() < 44 || stem[stem.size() - 43] != '-') return;
  std::string chain = stem.substr(0, stem.size() - 43);
  absl::StatusOr<eth::Address> pool =
      eth::Address::Parse(stem.substr(stem.size() - 42));
  if (!IsValidChainName(chain) || !pool.ok()) return;
  auto runner = std::make_unique<Runner>();
  {
    absl::MutexLock lock(&runner->mu);
    runner->broken = true;
    PublisherState& s = runner->state;
    s.policy.chain = chain;
    s.policy.workerpool = pool->ToChecksum();
    s.policy.terms.workerpool = s.policy.workerpool;
    s.policy.enabled = false;
    s.last_error = absl::StrCat(
        "the policy file is broken, publishing is off for this workerpool (",
        SanitizeForTerminal(std::string(why.message())),
        "); set the policy again with `poolctl publisher set`");
  }
  absl::MutexLock lock(&mu_);
  runners_[Key(chain, pool->ToChecksum())] = std::move(runner);
}

Publishers::~Publishers() {
  absl::MutexLock lock(&mu_);
  for (auto& [key, r] : runners_) StopLoop(r.get());
}

void Publishers::StartLoop(Runner* r) {
  {
    absl::MutexLock lock(&r->mu);
    r->stop = false;
    r->kick = false;
    r->state.running = true;
  }
  r->thread = std::thread([this, r] { Loop(r); });
}

void Publishers::StopLoop(Runner* r) {
  if (!r->thread.joinable()) return;
  {
    absl::MutexLock lock(&r->mu);
    r->stop = true;
  }
  r->thread.join();
  absl::MutexLock lock(&r->mu);
  r->state.running = false;
}

void Publishers::Loop(Runner* r) {
  uint64_t serving = 0;
  for (;;) {
    Round(r);
    absl::MutexLock lock(&r->mu);
    r->served = serving;
    auto wake = [r]() { return r->stop || r->kick; };
    r->mu.AwaitWithTimeout(absl::Condition(&wake),
                           absl::Seconds(std::max<uint32_t>(
                               1, r->state.policy.check_period_seconds)));
    if (r->stop) return;
    if (r->kick) {
      r->kick = false;
      serving = r->kicks;
    }
  }
}

void Publishers::Round(Runner* r) {
  absl::MutexLock round(&r->round_mu);
  PublisherPolicy p;
  {
    absl::MutexLock lock(&r->mu);
    if (r->broken) return;  // its file did not parse: nothing to act on
    p = r->state.policy;
  }
  absl::Time now = clock_->Now();
  std::optional<uint64_t> capacity, open_volume;
  uint32_t published = 0;
  std::string error, decision;
  // A locked owner (an operator's `wallet lock` above all) pauses the
  // publisher visibly instead of failing every signature.
  absl::StatusOr<std::string> locked = world_->WalletLocked(p);
  if (locked.ok() && !locked->empty()) {
    spdlog::warn("publisher {} on {}: paused: {}", p.workerpool, p.chain,
                 *locked);
    absl::MutexLock lock(&r->mu);
    PublisherState& s = r->state;
    s.last_check = now;
    s.paused = *locked;
    s.last_error = absl::StrCat("publishing paused: ", *locked);
    s.last_decision = "paused: the owner wallet is locked";
    ++s.rounds;
    return;
  }
  ZeroRandom zero;
  absl::StatusOr<iexec::WorkerpoolOrder> shape =
      BuildWorkerpoolOrder(p.terms, &zero);
  // A policy file written by hand (or before the chain's rules) is held to
  // them each round, so the status says why nothing is published.
  if (shape.ok())
    if (absl::Status s = world_->CheckShape(p, *shape); !s.ok()) shape = s;
  absl::StatusOr<uint64_t> cap = world_->Capacity(p);
  absl::StatusOr<OpenOrders> open =
      cap.ok() ? world_->Open(p) : absl::StatusOr<OpenOrders>(cap.status());
  absl::StatusOr<eth::U256> stake =
      open.ok() ? world_->Stake(p) : absl::StatusOr<eth::U256>(open.status());
  if (!shape.ok()) {
    error = std::string(shape.status().message());
  } else if (!stake.ok()) {
    error = std::string(stake.status().message());
    if (cap.ok()) capacity = *cap;
    if (open.ok()) open_volume = open->volume;
  } else {
    capacity = *cap;
    open_volume = open->volume;
    // With a range every order may cost up to its maximum: the stake must
    // cover that.
    uint64_t max_price =
        p.price_range ? p.price_range->max_nrlc : shape->workerpoolprice;
    PublishDecision d =
        DecidePublish(p, max_price, shape->volume, *cap, *open, *stake);
    decision = d.reason;
    error = d.error;
    for (uint64_t i = 0; i < d.orders; ++i) {
      PublisherPolicy one = p;
      if (p.price_range) {
        absl::StatusOr<uint64_t> price = DrawPrice(*p.price_range, random_);
        if (!price.ok()) {
          error = absl::StrCat("drawing the price of order ", i + 1, ": ",
                               price.status().message());
          break;
        }
        one.terms.price = std::to_string(*price);
        one.terms.price_unit = eth::Unit::kNRlc;
      }
      absl::StatusOr<std::string> hash = world_->PublishOne(one);
      if (!hash.ok()) {
        error = absl::StrCat("publishing order ", i + 1, " of ", d.orders, ": ",
                             hash.status().message());
        break;
      }
      ++published;
      *open_volume += shape->volume;
    }
  }
  if (!error.empty())
    spdlog::warn("publisher {} on {}: {}", p.workerpool, p.chain, error);
  absl::MutexLock lock(&r->mu);
  PublisherState& s = r->state;
  s.last_check = now;
  s.available_capacity = capacity;
  s.open_volume = open_volume;
  s.published_total += published;
  s.last_error = error;
  s.last_decision = decision;
  s.paused.clear();
  ++s.rounds;
}

absl::StatusOr<std::string> Publishers::ResolveChain(std::string_view chain) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  return (*session)->config().name;
}

PublisherState Publishers::Snapshot(Runner* r) {
  absl::MutexLock lock(&r->mu);
  return r->state;
}

absl::StatusOr<PublisherState> Publishers::Set(PublisherPolicy policy) {
  absl::StatusOr<std::string> chain = ResolveChain(policy.chain);
  if (!chain.ok()) return chain.status();
  policy.chain = *chain;
  if (policy.workerpool.empty())
    return absl::InvalidArgumentError("workerpool is required");
  absl::StatusOr<eth::Address> pool =
      eth::Address::Parse(policy.workerpool, "workerpool");
  if (!pool.ok()) return pool.status();
  policy.workerpool = pool->ToChecksum();
  policy.terms.workerpool = policy.workerpool;
  if (policy.wallet.empty())
    return absl::InvalidArgumentError(
        "wallet is required (the workerpool owner)");
  ZeroRandom zero;
  absl::StatusOr<iexec::WorkerpoolOrder> shape =
      BuildWorkerpoolOrder(policy.terms, &zero);
  if (!shape.ok()) return shape.status();
  if (absl::Status s = world_->CheckShape(policy, *shape); !s.ok()) return s;
  if (policy.enabled && policy.core_metrics_url.empty())
    return absl::InvalidArgumentError(
        "core metrics URL is required (the core's /metrics, e.g. "
        "http://core-host:13000/metrics)");
  if (!policy.core_metrics_url.empty() &&
      !absl::StartsWith(policy.core_metrics_url, "http://") &&
      !absl::StartsWith(policy.core_metrics_url, "https://"))
    return absl::InvalidArgumentError(
        absl::StrCat("core metrics URL \"", policy.core_metrics_url,
                     "\" is not an http:// or https:// URL"));
  if (policy.price_range) {
    const PriceRange& r = *policy.price_range;
    if (r.min_nrlc > r.max_nrlc)
      return absl::InvalidArgumentError(
          absl::StrCat("price range ", r.min_nrlc, "-", r.max_nrlc,
                       " nRLC: the minimum is above the maximum"));
    if (r.max_nrlc > kMaxOrderNumber)
      return absl::InvalidArgumentError(absl::StrCat(
          "price range maximum ", r.max_nrlc, " nRLC is above the market's ",
          kMaxOrderNumber, " nRLC"));
  }
  if (policy.max_open_orders == 0) policy.max_open_orders = 3;
  if (policy.check_period_seconds == 0) policy.check_period_seconds = 30;
  std::string key = Key(policy.chain, policy.workerpool);
  if (absl::Status s = files::WriteFileAtomic(
          dir_ / (key + ".json"),
          DumpJson(PublisherPolicyToJson(policy), 2) + "\n", 0600);
      !s.ok())
    return s;
  absl::MutexLock lock(&mu_);
  auto& slot = runners_[key];
  if (!slot) slot = std::make_unique<Runner>();
  Runner* r = slot.get();
  StopLoop(r);
  {
    absl::MutexLock rl(&r->mu);
    r->state.policy = policy;
    r->state.last_error.clear();
    r->broken = false;
  }
  if (policy.enabled && start_loops_) StartLoop(r);
  return Snapshot(r);
}

absl::StatusOr<Publishers::Runner*> Publishers::Find(
    std::string_view chain, std::string_view workerpool) {
  absl::StatusOr<std::string> name = ResolveChain(chain);
  if (!name.ok()) return name.status();
  absl::StatusOr<eth::Address> pool =
      eth::Address::Parse(workerpool, "workerpool");
  if (!pool.ok()) return pool.status();
  absl::MutexLock lock(&mu_);
  auto it = runners_.find(Key(*name, pool->ToChecksum()));
  if (it == runners_.end())
    return absl::NotFoundError(
        absl::StrCat("no publisher policy for workerpool ", pool->ToChecksum(),
                     " on ", *name, " (poolctl publisher set)"));
  return it->second.get();
}

absl::StatusOr<PublisherState> Publishers::Status(std::string_view chain,
                                                  std::string_view workerpool) {
  absl::StatusOr<Runner*> r = Find(chain, workerpool);
  if (!r.ok()) return r.status();
  return Snapshot(*r);
}

std::vector<PublisherState> Publishers::List() {
  std::vector<PublisherState> out;
  absl::MutexLock lock(&mu_);
  for (auto& [key, r] : runners_) out.push_back(Snapshot(r.get()));
  return out;
}

absl::StatusOr<PublisherState> Publishers::RunOnce(
    std::string_view chain, std::string_view workerpool) {
  absl::StatusOr<Runner*> found = Find(chain, workerpool);
  if (!found.ok()) return found.status();
  Runner* r = *found;
  bool running;
  uint64_t mine = 0;
  {
    absl::MutexLock lock(&r->mu);
    running = r->state.running;
    if (running) {
      mine = ++r->kicks;
      r->kick = true;
    }
  }
  if (!running) {
    Round(r);
  } else {
    absl::MutexLock lock(&r->mu);
    auto done = [r, mine]() { return r->served >= mine || r->stop; };
    if (!r->mu.AwaitWithTimeout(absl::Condition(&done), absl::Minutes(5)))
      return absl::DeadlineExceededError(
          "the publisher round did not finish within 5 minutes");
  }
  return Snapshot(r);
}

}  // namespace poolops::chain
