// Everything chain-gateway needs to act on one chain: its config, the
// JSON-RPC client over its endpoints, typed eth_* calls, PoCo reads, the
// nonce manager and the transaction sender. Sessions live as long as the
// gateway; thread-safe.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/common/http_client.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "services/chain/chains/chain_config.h"
#include "services/chain/chains/poco_client.h"
#include "services/chain/tx/nonce_manager.h"
#include "services/chain/tx/signer.h"
#include "services/chain/tx/tx_sender.h"

namespace poolops::chain {

class ChainSession : public NonceSource {
 public:
  // `signer` must outlive the session.
  static absl::StatusOr<std::unique_ptr<ChainSession>> Open(
      ChainConfig config, std::shared_ptr<http::Client> transport,
      Signer* signer, TxSenderOptions tx_options = {},
      JsonRpcClientOptions rpc_options = {});

  const ChainConfig& config() const { return config_; }
  JsonRpcClient& rpc() { return *rpc_; }
  EthApi& eth() { return *eth_; }
  PocoClient& poco() { return *poco_; }
  NonceManager& nonces() { return *nonces_; }
  TxSender& tx() { return *tx_; }
  Signer& signer() { return *signer_; }

  // NonceSource: eth_getTransactionCount(account, "pending").
  absl::StatusOr<uint64_t> PendingNonce(const eth::Address& account) override;

 private:
  ChainSession(ChainConfig config, Signer* signer);

  const ChainConfig config_;
  Signer* const signer_;
  std::unique_ptr<JsonRpcClient> rpc_;
  std::unique_ptr<EthApi> eth_;
  std::unique_ptr<PocoClient> poco_;
  std::unique_ptr<NonceManager> nonces_;
  std::unique_ptr<TxSender> tx_;
};

}  // namespace poolops::chain
