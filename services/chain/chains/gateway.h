// chain-gateway's domain object: the chain registry of the home, one
// ChainSession per chain (opened on first use), and the signer (the vault).
// The gRPC adapter (service/gateway_service.h) only translates messages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/http_client.h"
#include "services/chain/chains/chain_registry.h"
#include "services/chain/chains/chain_session.h"
#include "services/chain/tx/signer.h"

namespace poolops::chain {

class Gateway {
 public:
  // `registry` and `signer` must outlive the gateway.
  Gateway(ChainRegistry* registry, Signer* signer,
          std::shared_ptr<http::Client> transport,
          TxSenderOptions tx_options = {},
          JsonRpcClientOptions rpc_options = {});

  ChainRegistry& chains() { return *registry_; }
  Signer& signer() { return *signer_; }
  const std::shared_ptr<http::Client>& transport() { return transport_; }

  // The session of chain `name` ("" = the registry's default). NotFound
  // naming the chain. A chain whose config changed since its session was
  // opened gets a new session.
  absl::StatusOr<ChainSession*> Session(std::string_view name);

 private:
  ChainRegistry* const registry_;
  Signer* const signer_;
  const std::shared_ptr<http::Client> transport_;
  const TxSenderOptions tx_options_;
  const JsonRpcClientOptions rpc_options_;
  absl::Mutex mu_;
  // Sessions are never destroyed while the gateway lives (callers keep raw
  // pointers); a replaced one moves to retired_.
  std::map<std::string, std::unique_ptr<ChainSession>> sessions_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<ChainSession>> retired_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
