#include "services/chain/market/chain_view.h"

#include "libs/eth/abi.h"

namespace poolops::market {
namespace {

using eth::abi::Value;

absl::StatusOr<std::vector<Value>> CallView(chain::EthApi* api,
                                            const eth::Address& to,
                                            std::string_view signature,
                                            const std::vector<Value>& args,
                                            std::string_view returns) {
  absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(signature, args);
  if (!data.ok()) return data.status();
  chain::CallRequest request;
  request.to = to;
  request.data = std::move(*data);
  absl::StatusOr<eth::Bytes> out = api->Call(request);
  if (!out.ok()) return out.status();
  absl::StatusOr<eth::abi::Type> type = eth::abi::ParseType(returns);
  if (!type.ok()) return type.status();
  return eth::abi::Decode({*type}, *out);
}

}  // namespace

absl::StatusOr<eth::Address> RpcChainView::WorkerpoolOwner(
    const eth::Address& workerpool) {
  absl::StatusOr<std::vector<Value>> out =
      CallView(api_, workerpool, "owner()", {}, "address");
  if (!out.ok()) return out.status();
  return std::get<eth::Address>((*out)[0].v);
}

absl::StatusOr<bool> RpcChainView::VerifySignature(const eth::Address& signer,
                                                   const eth::Hash32& hash,
                                                   eth::ByteView sign) {
  absl::StatusOr<std::vector<Value>> out = CallView(
      api_, hub_, "verifySignature(address,bytes32,bytes)",
      {Value::Addr(signer), Value::Blob(eth::Bytes(hash.begin(), hash.end())),
       Value::Blob(eth::Bytes(sign.begin(), sign.end()))},
      "bool");
  if (!out.ok()) return out.status();
  return std::get<bool>((*out)[0].v);
}

absl::StatusOr<eth::U256> RpcChainView::Stake(const eth::Address& account) {
  absl::StatusOr<std::vector<Value>> out =
      CallView(api_, hub_, "viewAccount(address)", {Value::Addr(account)},
               "(uint256,uint256)");
  if (!out.ok()) return out.status();
  return std::get<eth::U256>(std::get<std::vector<Value>>((*out)[0].v)[0].v);
}

absl::StatusOr<eth::U256> RpcChainView::Consumed(
    const eth::Hash32& order_hash) {
  absl::StatusOr<std::vector<Value>> out =
      CallView(api_, hub_, "viewConsumed(bytes32)",
               {Value::Blob(eth::Bytes(order_hash.begin(), order_hash.end()))},
               "uint256");
  if (!out.ok()) return out.status();
  return std::get<eth::U256>((*out)[0].v);
}

}  // namespace poolops::market
