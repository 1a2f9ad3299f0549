#include "devnet/anvil_dev_rpc.h"

#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"

namespace poolops::devnet {
using nlohmann::json;

absl::StatusOr<chain::Receipt> WaitMined(chain::EthApi& api,
                                         const eth::Hash32& hash,
                                         std::string_view what) {
  absl::StatusOr<chain::Receipt> receipt =
      api.WaitForReceipt(hash, 1, absl::Seconds(60), absl::Milliseconds(5));
  if (!receipt.ok()) return receipt.status();
  if (!receipt->success)
    return absl::AbortedError(absl::StrCat(std::string(what), " reverted"));
  return receipt;
}

absl::Status AnvilDevRpc::SetCode(const eth::Address& account,
                                  eth::ByteView code) {
  return rpc_
      ->Call("anvil_setCode",
             json::array({account.ToChecksum(), eth::ToHex(code)}))
      .status();
}

absl::Status AnvilDevRpc::SetBalance(const eth::Address& account,
                                     const eth::U256& wei) {
  return rpc_
      ->Call("anvil_setBalance",
             json::array({account.ToChecksum(), wei.ToHex()}))
      .status();
}

absl::Status AnvilDevRpc::AdvanceTime(uint64_t seconds) {
  absl::Status moved =
      rpc_->Call("evm_increaseTime", json::array({seconds})).status();
  if (!moved.ok()) return moved;
  return rpc_->Call("evm_mine", json::array()).status();
}

absl::StatusOr<uint64_t> AnvilDevRpc::LatestTimestamp() {
  absl::StatusOr<json> block =
      rpc_->Call("eth_getBlockByNumber", json::array({"latest", false}));
  if (!block.ok()) return block.status();
  if (!block->is_object() || !block->contains("timestamp") ||
      !(*block)["timestamp"].is_string())
    return absl::DataLossError("the latest block has no timestamp");
  absl::StatusOr<eth::U256> t =
      eth::U256::FromHex((*block)["timestamp"].get<std::string>());
  if (!t.ok()) return t.status();
  if (!t->FitsUint64())
    return absl::DataLossError("the latest block's timestamp is out of range");
  return t->low64();
}

absl::StatusOr<chain::Receipt> AnvilDevRpc::SendAs(const eth::Address& from,
                                                   const eth::Address& to,
                                                   eth::ByteView data,
                                                   std::string_view label) {
  absl::StatusOr<eth::U256> balance = api_->GetBalance(from);
  if (!balance.ok()) return balance.status();
  if (balance->IsZero()) {
    // 1 ETH: gas for a few owner calls at any devnet base fee.
    if (absl::Status s = SetBalance(from, eth::U256(1'000'000'000'000'000'000));
        !s.ok())
      return s;
  }
  const json address = from.ToChecksum();
  if (absl::Status s =
          rpc_->Call("anvil_impersonateAccount", json::array({address}))
              .status();
      !s.ok())
    return s;
  absl::StatusOr<json> hash = rpc_->Call(
      "eth_sendTransaction", json::array({{{"from", address},
                                           {"to", to.ToChecksum()},
                                           {"data", eth::ToHex(data)},
                                           {"gas", "0xe4e1c0"}}}));  // 15M
  (void)rpc_->Call("anvil_stopImpersonatingAccount", json::array({address}));
  if (!hash.ok())
    return absl::Status(
        hash.status().code(),
        absl::StrCat(std::string(label), ": ", hash.status().message()));
  if (!hash->is_string())
    return absl::InternalError(
        absl::StrCat(std::string(label), ": eth_sendTransaction gave no hash"));
  absl::StatusOr<eth::Bytes> bytes =
      eth::FromHexFixed(hash->get<std::string>(), 32, "transaction hash");
  if (!bytes.ok()) return bytes.status();
  eth::Hash32 h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return WaitMined(*api_, h, label);
}

}  // namespace poolops::devnet
