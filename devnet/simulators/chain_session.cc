#include "devnet/simulators/chain_session.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/sim_rpc_transport.h"
#include "libs/common/files.h"
#include "services/wallet/keystore/keystore.h"

namespace poolops::sim {

absl::StatusOr<std::unique_ptr<ChainSession>> ChainSession::Open(
    const ChainAccess& access) {
  absl::StatusOr<eth::Address> hub = eth::Address::Parse(access.hub_address);
  if (!hub.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("hub address: ", hub.status().message()));
  absl::StatusOr<std::string> text =
      files::ReadFile(access.wallet_path, wallet::kMaxKeystoreBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<wallet::Keystore> keystore = wallet::ParseKeystore(*text);
  if (!keystore.ok()) return keystore.status();
  absl::StatusOr<wallet::DecryptedKey> key =
      wallet::DecryptKeystore(*keystore, access.wallet_password);
  if (!key.ok())
    return absl::Status(key.status().code(),
                        absl::StrCat("wallet ", access.wallet_path, ": ",
                                     key.status().message()));

  auto session = std::unique_ptr<ChainSession>(new ChainSession());
  absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> rpc =
      chain::JsonRpcClient::Create({access.node_url}, NewSimHttpTransport());
  if (!rpc.ok()) return rpc.status();
  session->rpc_ = std::move(*rpc);
  session->api_ = std::make_unique<chain::EthApi>(session->rpc_.get());
  absl::StatusOr<eth::U256> chain_id = session->api_->ChainId();
  if (!chain_id.ok()) return chain_id.status();
  if (!chain_id->FitsUint64())
    return absl::InvalidArgumentError("the node's chain id is out of range");
  session->hub_.chain_id = chain_id->low64();
  session->hub_.hub = *hub;
  // RLC is a token on every chain but a native one, whose hub has none.
  absl::StatusOr<eth::abi::Value> token =
      session->api_->CallFunction(*hub, "token()", {}, "address");
  if (token.ok()) session->hub_.token = std::get<eth::Address>(token->v);

  absl::StatusOr<devnet::KeySender> sender = devnet::KeySender::Create(
      session->api_.get(), session->hub_.chain_id,
      eth::ByteView(key->private_key.data(), key->private_key.size()));
  if (!sender.ok()) return sender.status();
  session->key_ = std::make_unique<devnet::KeySender>(*std::move(sender));
  return session;
}

void PollUntilStopped(absl::Notification& stop, absl::Duration period,
                      const std::function<absl::Status()>& step,
                      const std::function<void(const std::string&)>& log) {
  std::string last_error;
  do {
    absl::Status done = step();
    std::string error = done.ok() ? "" : done.ToString();
    if (!error.empty() && error != last_error) log("chain: " + error);
    last_error = error;
  } while (!stop.WaitForNotificationWithTimeout(period));
}

}  // namespace poolops::sim
