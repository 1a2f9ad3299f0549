#include "services/chain/chains/chain_session.h"

#include "absl/strings/str_cat.h"

namespace poolops::chain {
ChainSession::ChainSession(ChainConfig config, Signer* signer)
    : config_(std::move(config)), signer_(signer) {}

absl::StatusOr<std::unique_ptr<ChainSession>> ChainSession::Open(
    ChainConfig config, std::shared_ptr<http::Client> transport, Signer* signer,
    TxSenderOptions tx_options, JsonRpcClientOptions rpc_options) {
  if (config.rpcs.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("chain ", config.name, " has no RPC endpoint"));
  std::unique_ptr<ChainSession> s(new ChainSession(std::move(config), signer));
  absl::StatusOr<std::unique_ptr<JsonRpcClient>> rpc =
      JsonRpcClient::Create(s->config_.rpcs, std::move(transport), rpc_options);
  if (!rpc.ok()) return rpc.status();
  s->rpc_ = *std::move(rpc);
  s->eth_ = std::make_unique<EthApi>(s->rpc_.get());
  s->poco_ = std::make_unique<PocoClient>(s->eth_.get(), s->config_.hub,
                                          s->config_.native);
  s->nonces_ = std::make_unique<NonceManager>(s.get());
  s->tx_ = std::make_unique<TxSender>(s->config_, s->eth_.get(), signer,
                                      s->nonces_.get(), tx_options);
  return s;
}

absl::StatusOr<uint64_t> ChainSession::PendingNonce(
    const eth::Address& account) {
  return eth_->GetTransactionCount(account, "pending");
}

}  // namespace poolops::chain
