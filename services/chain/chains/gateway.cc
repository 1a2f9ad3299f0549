#include "services/chain/chains/gateway.h"

namespace poolops::chain {
namespace {

bool SameConfig(const ChainConfig& a, const ChainConfig& b) {
  return a.chain_id == b.chain_id && a.rpcs == b.rpcs && a.hub == b.hub &&
         a.native == b.native && a.market == b.market &&
         a.fee_mode == b.fee_mode && a.zero_gas_price == b.zero_gas_price &&
         a.confirmations == b.confirmations;
}

}  // namespace

Gateway::Gateway(ChainRegistry* registry, Signer* signer,
                 std::shared_ptr<http::Client> transport,
                 TxSenderOptions tx_options, JsonRpcClientOptions rpc_options)
    : registry_(registry),
      signer_(signer),
      transport_(std::move(transport)),
      tx_options_(tx_options),
      rpc_options_(rpc_options) {}

absl::StatusOr<ChainSession*> Gateway::Session(std::string_view name) {
  absl::StatusOr<ChainConfig> config = registry_->Get(name);
  if (!config.ok()) return config.status();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(config->name);
  if (it != sessions_.end()) {
    if (SameConfig(it->second->config(), *config)) return it->second.get();
    // The devnet restarted on another port, or the operator edited the
    // chain: new session, the old one stays alive for callers holding it.
    retired_.push_back(std::move(it->second));
    sessions_.erase(it);
  }
  absl::StatusOr<std::unique_ptr<ChainSession>> session = ChainSession::Open(
      *config, transport_, signer_, tx_options_, rpc_options_);
  if (!session.ok()) return session.status();
  ChainSession* raw = session->get();
  sessions_[config->name] = *std::move(session);
  return raw;
}

}  // namespace poolops::chain
