#include "devnet/traffic/requester.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

constexpr char kAppName[] = "poolops-devnet-traffic";
constexpr char kAppType[] = "DOCKER";
constexpr char kAppMultiaddr[] = "poolops-sim/traffic-app:1";

std::vector<Value> CreateAppArgs(const eth::Address& owner) {
  const std::string multiaddr = kAppMultiaddr;
  const eth::Hash32 checksum = eth::Keccak(std::string_view(multiaddr));
  return {Value::Addr(owner),
          Value::Str(kAppName),
          Value::Str(kAppType),
          Value::Blob(eth::Bytes(multiaddr.begin(), multiaddr.end())),
          Value::Blob(eth::Bytes(checksum.begin(), checksum.end())),
          Value::Blob({})};  // no TEE enclave
}

constexpr char kCreateApp[] =
    "createApp(address,string,string,bytes,bytes32,bytes)";
constexpr char kPredictApp[] =
    "predictApp(address,string,string,bytes,bytes32,bytes)";

}  // namespace

absl::StatusOr<eth::Address> Requester::EnsureApp() {
  if (app_) return *app_;
  const std::vector<Value> args = CreateAppArgs(app_owner_->address());
  absl::StatusOr<Value> predicted =
      api_->CallFunction(hub_.app_registry, kPredictApp, args, "address");
  if (!predicted.ok()) return predicted.status();
  const eth::Address app = std::get<eth::Address>(predicted->v);
  absl::StatusOr<eth::Bytes> code = api_->GetCode(app);
  if (!code.ok()) return code.status();
  if (code->empty()) {
    absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(kCreateApp, args);
    if (!call.ok()) return call.status();
    absl::StatusOr<chain::Receipt> r = app_owner_->Send(
        hub_.app_registry, std::move(*call), "devnet traffic: createApp");
    if (!r.ok()) return r.status();
  }
  app_ = app;
  return app;
}

absl::StatusOr<Deal> Requester::Match(const iexec::WorkerpoolOrder& wp,
                                      uint64_t tasks, const eth::Hash32& salt,
                                      std::string_view args) {
  absl::StatusOr<eth::Address> app = EnsureApp();
  if (!app.ok()) return app.status();
  const iexec::OrderDomain domain{hub_.chain_id, hub_.hub};
  const std::string salt_hex = eth::ToHex(salt);

  iexec::AppOrder app_order;
  app_order.app = *app;
  app_order.volume = tasks;
  app_order.salt = salt_hex;
  absl::StatusOr<eth::Hash32> app_hash = iexec::AppOrderHash(app_order, domain);
  if (!app_hash.ok()) return app_hash.status();
  absl::StatusOr<eth::Bytes> app_sign = app_owner_->SignDigest(*app_hash);
  if (!app_sign.ok()) return app_sign.status();
  app_order.sign = std::move(*app_sign);

  iexec::RequestOrder request;
  request.app = *app;
  request.workerpool = wp.workerpool;
  request.workerpoolmaxprice = wp.workerpoolprice;
  request.requester = requester_->address();
  request.beneficiary = requester_->address();
  request.volume = tasks;
  request.tag = wp.tag;  // asks for no more than the pool offers
  request.category = wp.category;
  request.trust = wp.trust;
  request.params = nlohmann::json{{"iexec_args", std::string(args)}}.dump();
  request.salt = salt_hex;
  absl::StatusOr<eth::Hash32> request_hash =
      iexec::RequestOrderHash(request, domain);
  if (!request_hash.ok()) return request_hash.status();
  absl::StatusOr<eth::Bytes> request_sign =
      requester_->SignDigest(*request_hash);
  if (!request_sign.ok()) return request_sign.status();
  request.sign = std::move(*request_sign);

  absl::Status escrow =
      EnsureEscrow(*api_, hub_, *requester_,
                   eth::U256(wp.workerpoolprice) * eth::U256(tasks));
  if (!escrow.ok()) return escrow;
  absl::StatusOr<eth::Bytes> call =
      iexec::MatchOrdersCall(app_order, wp, request);
  if (!call.ok()) return call.status();
  absl::StatusOr<chain::Receipt> receipt = requester_->Send(
      hub_.hub, std::move(*call), "devnet traffic: matchOrders");
  if (!receipt.ok()) return receipt.status();

  // OrdersMatched(dealid, appHash, datasetHash, workerpoolHash, requestHash,
  // volume): nothing indexed.
  const eth::Hash32 topic = eth::Keccak(std::string_view(
      "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"));
  for (const chain::Log& log : receipt->logs) {
    if (log.address != hub_.hub || log.topics.empty() ||
        log.topics[0] != topic || log.data.size() != 6 * 32)
      continue;
    Deal deal;
    std::copy(log.data.begin(), log.data.begin() + 32, deal.deal_id.begin());
    absl::StatusOr<eth::U256> volume =
        eth::U256::FromBytesBE(eth::ByteView(log.data.data() + 5 * 32, 32));
    if (!volume.ok()) return volume.status();
    deal.tasks = volume->low64();
    deal.block = receipt->block_number;
    // A fresh request order: its first task is task 0 of the deal.
    if (deal.deal_id != iexec::DealId(*request_hash, 0))
      return absl::InternalError(
          absl::StrCat("matchOrders made deal ", eth::ToHex(deal.deal_id),
                       ", not the one its request order names"));
    return deal;
  }
  return absl::InternalError(absl::StrCat("matchOrders transaction ",
                                          eth::ToHex(receipt->transaction_hash),
                                          " emitted no OrdersMatched"));
}

}  // namespace poolops::devnet
