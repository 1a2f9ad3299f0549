#include "devnet/traffic/escrow.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"

namespace poolops::devnet {
namespace {
using eth::abi::Value;
constexpr uint64_t kWeiPerNrlc = 1'000'000'000;
}  // namespace

absl::StatusOr<EscrowAccount> ViewEscrow(chain::EthApi& api,
                                         const HubContracts& hub,
                                         const eth::Address& account) {
  absl::StatusOr<Value> v = api.CallFunction(
      hub.hub, "viewAccount(address)", {Value::Addr(account)},
      "(uint256,uint256)");
  if (!v.ok()) return v.status();
  const auto& t = std::get<std::vector<Value>>(v->v);
  return EscrowAccount{std::get<eth::U256>(t.at(0).v),
                       std::get<eth::U256>(t.at(1).v)};
}

absl::Status EnsureEscrow(chain::EthApi& api, const HubContracts& hub,
                          KeySender& actor, const eth::U256& nrlc) {
  absl::StatusOr<EscrowAccount> account = ViewEscrow(api, hub, actor.address());
  if (!account.ok()) return account.status();
  if (account->stake >= nrlc) return absl::OkStatus();
  const eth::U256 missing = nrlc - account->stake;
  const std::string label =
      absl::StrCat("deposit ", missing.ToDecimal(), " nRLC");
  if (hub.token.IsZero()) {
    absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall("deposit()", {});
    if (!call.ok()) return call.status();
    return actor
        .Send(hub.hub, std::move(*call), label,
              missing * eth::U256(kWeiPerNrlc))
        .status();
  }
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "approveAndCall(address,uint256,bytes)",
      {Value::Addr(hub.hub), Value::Uint(missing), Value::Blob({})});
  if (!call.ok()) return call.status();
  return actor.Send(hub.token, std::move(*call), label).status();
}

}  // namespace poolops::devnet
