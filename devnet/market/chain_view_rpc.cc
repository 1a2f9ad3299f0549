#include "devnet/market/chain_view_rpc.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"

namespace poolops::market {
namespace {

using eth::abi::Value;

eth::Bytes Bytes32(const eth::Hash32& h) {
  return eth::Bytes(h.begin(), h.end());
}

}  // namespace

absl::StatusOr<eth::Address> RpcChainView::WorkerpoolRegistry() {
  {
    absl::MutexLock lock(&mu_);
    if (registry_.has_value()) return *registry_;
  }
  absl::StatusOr<Value> out =
      api_->CallFunction(hub_, "workerpoolregistry()", {}, "address");
  if (!out.ok()) return out.status();
  eth::Address registry = std::get<eth::Address>(out->v);
  absl::MutexLock lock(&mu_);
  registry_ = registry;
  return registry;
}

absl::StatusOr<bool> RpcChainView::IsRegisteredWorkerpool(
    const eth::Address& workerpool) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  absl::StatusOr<Value> out = api_->CallFunction(
      *registry, "isRegistered(address)", {Value::Addr(workerpool)}, "bool");
  if (!out.ok()) return out.status();
  return std::get<bool>(out->v);
}

absl::StatusOr<eth::Address> RpcChainView::WorkerpoolOwner(
    const eth::Address& workerpool) {
  absl::StatusOr<Value> out =
      api_->CallFunction(workerpool, "owner()", {}, "address");
  if (!out.ok()) return out.status();
  return std::get<eth::Address>(out->v);
}

absl::StatusOr<bool> RpcChainView::VerifySignature(const eth::Address& identity,
                                                   const eth::Hash32& hash,
                                                   eth::ByteView sign) {
  absl::StatusOr<Value> out =
      api_->CallFunction(hub_, "verifySignature(address,bytes32,bytes)",
                         {Value::Addr(identity), Value::Blob(Bytes32(hash)),
                          Value::Blob(eth::Bytes(sign.begin(), sign.end()))},
                         "bool");
  if (!out.ok()) return out.status();
  return std::get<bool>(out->v);
}

absl::StatusOr<Account> RpcChainView::ViewAccount(const eth::Address& account) {
  absl::StatusOr<Value> out =
      api_->CallFunction(hub_, "viewAccount(address)", {Value::Addr(account)},
                         "(uint256,uint256)");
  if (!out.ok()) return out.status();
  const auto& fields = std::get<std::vector<Value>>(out->v);
  return Account{std::get<eth::U256>(fields[0].v),
                 std::get<eth::U256>(fields[1].v)};
}

absl::StatusOr<eth::U256> RpcChainView::ViewConsumed(
    const eth::Hash32& order_hash) {
  absl::StatusOr<Value> out =
      api_->CallFunction(hub_, "viewConsumed(bytes32)",
                         {Value::Blob(Bytes32(order_hash))}, "uint256");
  if (!out.ok()) return out.status();
  return std::get<eth::U256>(out->v);
}

}  // namespace poolops::market
