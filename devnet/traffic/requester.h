// A requester on the devnet, as one on the market: an app owner deploys an
// app and signs an app order for it, a requester puts RLC in the escrow,
// signs a request order against a pool's published workerpool order and
// matches the three on-chain (matchOrders, an empty dataset order). Both
// are devnet accounts acting with their own keys (KeySender).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/traffic/escrow.h"
#include "devnet/traffic/key_sender.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/iexec/deal_orders.h"
#include "libs/iexec/workerpool_order.h"

namespace poolops::devnet {

// The iexec_args of the devnet's traffic requests.
inline constexpr std::string_view kTrafficArgs = "poolops devnet traffic";

struct Deal {
  eth::Hash32 deal_id{};
  uint64_t first_task = 0;  // botFirst
  uint64_t tasks = 0;       // botSize
  uint64_t block = 0;
};

class Requester {
 public:
  // All must outlive the requester.
  Requester(chain::EthApi* api, HubContracts hub, KeySender* app_owner,
            KeySender* requester)
      : api_(api), hub_(hub), app_owner_(app_owner), requester_(requester) {}

  // The app every deal runs: created once per app owner (same name, same
  // address; an existing one is reused).
  absl::StatusOr<eth::Address> EnsureApp();
  // Matches a request order of `tasks` tasks against `workerpool_order`
  // (volume left on it is the caller's concern) and returns the deal.
  // `salt` makes each request order distinct; `args` are the request's
  // iexec_args (its params), what the app runs with.
  absl::StatusOr<Deal> Match(const iexec::WorkerpoolOrder& workerpool_order,
                             uint64_t tasks, const eth::Hash32& salt,
                             std::string_view args = kTrafficArgs);

 private:
  chain::EthApi* api_;
  HubContracts hub_;
  KeySender* app_owner_;
  KeySender* requester_;
  std::optional<eth::Address> app_;
};

}  // namespace poolops::devnet
