// Workerpool orders for the operator, with the iExec 8.x SDK's semantics
// (PROTOCOL-style facts restated where they matter):
//   Sign      the hub's EIP-712 domain (hub.domain()), the wallet must own the
//             workerpool ("Invalid order signer, must be the resource owner"),
//             the tag allowed by the chain's PoCo (no SGX on PoCo 6, TDX
//             with trust >= 1: order_terms.h CheckTagOnChain), a fresh
//             salt, the signature through the Signer (the vault).
//   Publish   the market's own rules checked first, so the operator gets a
//             precise error before any HTTP call: the chain's tag rules
//             (for orders signed elsewhere too), owner, hub.verifySignature,
//             fewer than 50 open orders of the signer, remaining =
//             volume − viewConsumed > 0, stake ≥ price × 30 / 100 × remaining
//             (the on-chain reads in one JSON-RPC batch); then the market API
//             (challenge, authorization, POST).
//   Unpublish by hash, the last or all of a workerpool (off-chain only).
//   Orderbook every page of a workerpool's open orders; open volume = Σ
//             remaining.
//   Cancel    on-chain: manageWorkerpoolOrder((order), CLOSE, "0x") from the
//             owner; an order with nothing remaining is "workerpoolorder
//             already canceled"; the receipt must hold ClosedWorkerpoolOrder.
// Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/http_client.h"
#include "libs/common/random.h"
#include "libs/eth/uint256.h"
#include "libs/iexec/workerpool_order.h"
#include "services/chain/chains/gateway.h"
#include "services/chain/orders/market_client.h"
#include "services/chain/orders/order_terms.h"

namespace poolops::chain {

struct OrdersOptions {
  // The market API and the core's /metrics; libcurl when null.
  std::shared_ptr<http::Client> http;
  Random* random = nullptr;                // salts; the CSPRNG when null
  size_t max_open_orders_per_wallet = 50;  // the market's MAX_OPEN_ORDERS
};

struct SignedWorkerpoolOrder {
  iexec::WorkerpoolOrder order;
  std::string order_hash;  // 0x-hex EIP-712 digest
};

// What the publish pre-checks found.
struct PublishCheck {
  std::string order_hash;
  eth::Address owner;
  uint64_t remaining = 0;
  eth::U256 stake;     // nRLC
  eth::U256 required;  // nRLC: price × 30 / 100 × remaining
  uint64_t open_orders_of_signer = 0;
};

struct OrderbookView {
  uint64_t count = 0;
  std::vector<MarketOrder> orders;
  eth::U256 open_volume;  // Σ remaining
};

struct OrderbookFilter {
  eth::Address workerpool;
  std::optional<uint64_t> category;
  std::optional<std::string> min_tag, max_tag;
  uint64_t page_size = 100;
};

class Orders {
 public:
  // `gateway` must outlive the Orders.
  static absl::StatusOr<std::unique_ptr<Orders>> Create(
      Gateway* gateway, const std::filesystem::path& home,
      OrdersOptions options = {});

  Gateway& gateway() { return *gateway_; }
  http::Client& http() { return *http_; }

  // `purpose` heads the vault's audit record ("order sign 0x<workerpool>").
  absl::StatusOr<SignedWorkerpoolOrder> Sign(
      std::string_view chain, std::string_view wallet,
      const OrderTermsInput& terms, std::string_view purpose = "order sign");
  // The market's rules, checked on-chain and against the market's book;
  // FailedPrecondition / ResourceExhausted / NotFound naming what is wrong.
  absl::StatusOr<PublishCheck> CheckPublish(
      std::string_view chain, std::string_view wallet,
      const iexec::WorkerpoolOrder& order);
  // CheckPublish then the market; returns the orderHash.
  absl::StatusOr<std::string> Publish(std::string_view chain,
                                      std::string_view wallet,
                                      const iexec::WorkerpoolOrder& order);
  // Sign then Publish.
  absl::StatusOr<SignedWorkerpoolOrder> SignAndPublish(
      std::string_view chain, std::string_view wallet,
      const OrderTermsInput& terms);
  absl::StatusOr<std::vector<std::string>> Unpublish(
      std::string_view chain, std::string_view wallet, UnpublishTarget target,
      std::string_view workerpool, std::string_view order_hash);
  absl::StatusOr<OrderbookView> Orderbook(std::string_view chain,
                                          const OrderbookFilter& filter);
  absl::StatusOr<TxOutcome> Cancel(std::string_view chain,
                                   std::string_view wallet,
                                   const iexec::WorkerpoolOrder& order,
                                   const ProgressFn& progress);

  // The chain's PoCo rules for the order's tag and trust (CheckTagOnChain);
  // the hub's generation is read (once per session) only for TEE tags.
  // Sign and CheckPublish apply it; the publisher checks its terms with it.
  absl::Status CheckTagForChain(std::string_view chain,
                                const iexec::WorkerpoolOrder& order);

  // The orderHash of `order` under the chain's hub domain.
  absl::StatusOr<std::string> OrderHash(std::string_view chain,
                                        const iexec::WorkerpoolOrder& order);
  // The market client of a chain; FailedPrecondition when it has none.
  absl::StatusOr<MarketClient> Market(std::string_view chain);

  // manageWorkerpoolOrder(((order tuple), operation, sign)) calldata.
  static absl::StatusOr<eth::Bytes> ManageWorkerpoolOrderCall(
      const iexec::WorkerpoolOrder& order, uint8_t operation);

 private:
  Orders(Gateway* gateway, OrdersOptions options);
  absl::StatusOr<iexec::OrderDomain> DomainOf(ChainSession& session);

  Gateway* const gateway_;
  std::shared_ptr<http::Client> http_;
  Random* const random_;
  const size_t max_open_orders_;
};

}  // namespace poolops::chain
