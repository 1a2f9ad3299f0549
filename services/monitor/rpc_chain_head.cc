// ChainHeadSource over the chain-gateway's JSON-RPC library.

#include "libs/common/http_client.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "services/monitor/chain_sources.h"

namespace poolops::monitor {
namespace {

class RpcChainHeadSource : public ChainHeadSource {
 public:
  RpcChainHeadSource() : transport_(http::NewCurlClient()) {}

  absl::StatusOr<uint64_t> HeadBlock(const std::string& rpc_url,
                                     absl::Duration timeout) override {
    chain::JsonRpcClientOptions options;
    options.attempt_timeout = timeout;
    options.max_total = timeout;
    options.rounds = 1;  // the next round of probes is the retry
    options.max_response_bytes = 64 << 10;  // a block number is tiny
    absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> client =
        chain::JsonRpcClient::Create({rpc_url}, transport_, options);
    if (!client.ok()) return client.status();
    chain::EthApi eth(client->get());
    return eth.BlockNumber();
  }

 private:
  const std::shared_ptr<http::Client> transport_;
};

}  // namespace

std::unique_ptr<ChainHeadSource> NewRpcChainHeadSource() {
  return std::make_unique<RpcChainHeadSource>();
}

}  // namespace poolops::monitor
