// The order publisher: per workerpool, a policy and a loop that keeps the
// pool's free capacity on the market, as iExec's order-publisher container
// does (a shell loop over the iexec CLI): read the core's /metrics
// (aliveAvailableCpu, or aliveAvailableGpu for a GPU pool), read the
// workerpool's open volume on the market, publish (capacity − open volume)
// / volume orders, at most `max_open_orders` open at once. Unlike the
// container, it never publishes what the owner's stake cannot lock: the
// stake must cover 30% of the price of every open task plus the new ones
// (what matching will lock), and a round that cannot says so in
// `last_error`.
//
// Policies live in <home>/publisher/<chain>-<workerpool>.json (0600) and
// are resumed by Create. The outside (core metrics, market, chain) is behind
// PublisherWorld, time behind Clock and prices in a range behind Random, so
// rounds are unit-tested without a chain or sleeping. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/http_client.h"
#include "libs/common/random.h"
#include "libs/eth/uint256.h"
#include "nlohmann/json.hpp"
#include "services/chain/orders/order_terms.h"

namespace poolops::chain {

class Gateway;
class Orders;

// WORKERPOOL_PRICE_MIN / _MAX of the container (its `shuf -i MIN-MAX`).
struct PriceRange {
  uint64_t min_nrlc = 0;
  uint64_t max_nrlc = 0;
};

struct PublisherPolicy {
  std::string chain;       // resolved chain name (never empty once set)
  std::string workerpool;  // EIP-55
  std::string wallet;      // the owner, vault name or address
  bool enabled = true;
  std::string core_metrics_url;  // e.g. http://core:13000/metrics
  bool gpu_pool = false;
  OrderTermsInput terms;         // per order; terms.workerpool = workerpool
  uint32_t max_open_orders = 3;  // MAX_ORDER_NUMBER of the container
  uint32_t check_period_seconds = 30;  // CHECK_SLEEP_TIME
  // Set: each order's price is drawn uniformly in the range (terms.price is
  // unused) and the stake must cover the range's maximum.
  std::optional<PriceRange> price_range;
};

nlohmann::json PublisherPolicyToJson(const PublisherPolicy& policy);
absl::StatusOr<PublisherPolicy> PublisherPolicyFromJson(
    const nlohmann::json& j);

struct PublisherState {
  PublisherPolicy policy;
  bool running = false;  // a loop runs for this policy
  std::optional<absl::Time> last_check;
  std::optional<uint64_t> available_capacity;
  std::optional<uint64_t> open_volume;
  uint32_t published_total = 0;  // since the gateway started
  std::string last_error;        // empty when the last round went fine
  std::string last_decision;     // what the last round did, for a person
  uint64_t rounds = 0;
  // Set when the last round found the owner wallet locked (why, for a
  // person): publishing is paused until it is unlocked.
  std::string paused;
};

// The workerpool's open orders on the market.
struct OpenOrders {
  uint64_t count = 0;
  uint64_t volume = 0;  // Σ remaining
  eth::U256 lock;       // Σ price × 30 / 100 × remaining, nRLC
};

// Everything a round reads or does outside the process.
class PublisherWorld {
 public:
  virtual ~PublisherWorld() = default;
  // aliveAvailableCpu (aliveAvailableGpu) of the core's /metrics.
  virtual absl::StatusOr<uint64_t> Capacity(const PublisherPolicy& p) = 0;
  virtual absl::StatusOr<OpenOrders> Open(const PublisherPolicy& p) = 0;
  // The owner's free stake (nRLC).
  virtual absl::StatusOr<eth::U256> Stake(const PublisherPolicy& p) = 0;
  // Signs and publishes one order of the policy's terms; its orderHash.
  virtual absl::StatusOr<std::string> PublishOne(const PublisherPolicy& p) = 0;
  // Whether the chain takes orders of this shape (the policy's terms with
  // a zero salt): its PoCo's tag rules (Orders::CheckTagForChain).
  virtual absl::Status CheckShape(const PublisherPolicy& p,
                                  const iexec::WorkerpoolOrder& shape) {
    return absl::OkStatus();
  }
  // Why the owner wallet cannot sign now ("" when it can): a round then
  // publishes nothing and says so.
  virtual absl::StatusOr<std::string> WalletLocked(const PublisherPolicy& p) {
    return std::string();
  }
};

// The real world: the core over HTTP, the market and chain through Orders.
std::unique_ptr<PublisherWorld> NewPublisherWorld(Orders* orders,
                                                  http::Client* http);

// The free CPUs (GPUs) of a core /metrics body, through libs/iexec.
absl::StatusOr<uint64_t> ParseCoreCapacity(const std::string& body, bool gpu);

// A price drawn uniformly in [min, max] from `random` (unbiased: rejection
// sampling over 64-bit draws).
absl::StatusOr<uint64_t> DrawPrice(const PriceRange& range, Random* random);

// What a round decides from what it saw.
struct PublishDecision {
  uint64_t orders = 0;  // to publish now
  std::string reason;   // for a person
  std::string error;    // set when something stops the pool's capacity
                        // from being published (stake too low)
};
// `price_nrlc` is the most an order may cost: the range's maximum when the
// policy has one.
PublishDecision DecidePublish(const PublisherPolicy& policy,
                              uint64_t price_nrlc, uint64_t volume,
                              uint64_t capacity, const OpenOrders& open,
                              const eth::U256& stake);

struct PublishersOptions {
  std::unique_ptr<PublisherWorld> world;  // NewPublisherWorld when null
  Clock* clock = nullptr;                 // Clock::Real() when null
  Random* random = nullptr;  // prices in a range; Random::Secure() when null
  bool start_loops = true;   // false: rounds only through RunOnce (tests)
};

class Publishers {
 public:
  // Loads <home>/publisher/*.json and starts the enabled loops. A policy
  // file that does not parse (within limits) is skipped and logged, and its
  // workerpool listed with that error, never running, until Set again.
  static absl::StatusOr<std::unique_ptr<Publishers>> Create(
      Gateway* gateway, Orders* orders, const std::filesystem::path& home,
      PublishersOptions options = {});
  ~Publishers();  // stops every loop

  // Validates (terms and the chain's tag rules, URL, period), persists and
  // (re)starts the loop; an empty chain means the gateway's default chain.
  absl::StatusOr<PublisherState> Set(PublisherPolicy policy);
  absl::StatusOr<PublisherState> Status(std::string_view chain,
                                        std::string_view workerpool);
  std::vector<PublisherState> List();
  // One round now; with a running loop, wakes it and waits for the round.
  absl::StatusOr<PublisherState> RunOnce(std::string_view chain,
                                         std::string_view workerpool);

 private:
  struct Runner;
  Publishers(Gateway* gateway, std::filesystem::path dir,
             PublishersOptions options);
  absl::StatusOr<std::string> ResolveChain(std::string_view chain);
  static absl::StatusOr<PublisherPolicy> ReadPolicyFile(
      const std::filesystem::path& file);
  void AddBroken(const std::filesystem::path& file, const absl::Status& why);
  absl::StatusOr<Runner*> Find(std::string_view chain,
                               std::string_view workerpool);
  void Round(Runner* r);
  void Loop(Runner* r);
  void StopLoop(Runner* r);
  void StartLoop(Runner* r);
  PublisherState Snapshot(Runner* r);

  Gateway* const gateway_;
  const std::filesystem::path dir_;
  std::unique_ptr<PublisherWorld> world_;
  Clock* const clock_;
  Random* const random_;
  const bool start_loops_;
  absl::Mutex mu_;  // the map; each runner has its own lock
  std::map<std::string, std::unique_ptr<Runner>> runners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
