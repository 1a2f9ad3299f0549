#include "services/monitor/history/history_reader.h"

#include <map>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "libs/common/http_client.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::monitor {
namespace {

class RpcHistoryReader : public HistoryReader {
 public:
  RpcHistoryReader(std::unique_ptr<HistoryStore> store, IndexOptions options)
      : store_(std::move(store)),
        options_(options),
        transport_(http::NewCurlClient()) {}

  absl::StatusOr<SyncReport> Sync(const HistorySource& source,
                                  const std::string& rpc_url) override {
    absl::MutexLock lock(&mu_);
    Node* node = nullptr;
    auto it = nodes_.find(rpc_url);
    if (it == nodes_.end()) {
      chain::JsonRpcClientOptions o;
      // Logs of a wide range are large; the range shrinks when they are
      // too large (IsLogQueryTooLarge), never the answer truncated.
      o.max_response_bytes = size_t{32} << 20;
      o.attempt_timeout = absl::Seconds(30);
      absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> client =
          chain::JsonRpcClient::Create({rpc_url}, transport_, o);
      if (!client.ok()) return client.status();
      auto fresh = std::make_unique<Node>();
      fresh->client = *std::move(client);
      fresh->api = std::make_unique<chain::EthApi>(fresh->client.get());
      fresh->indexer = std::make_unique<HistoryIndexer>(fresh->api.get(),
                                                        store_.get(), options_);
      it = nodes_.emplace(rpc_url, std::move(fresh)).first;
    }
    node = it->second.get();
    return node->indexer->Sync(source);
  }

  absl::StatusOr<PoolStats> Stats(const std::string& pool,
                                  uint64_t min_time) override {
    absl::MutexLock lock(&mu_);
    return ComputePoolStats(*store_, pool, min_time);
  }

 private:
  struct Node {
    std::unique_ptr<chain::JsonRpcClient> client;
    std::unique_ptr<chain::EthApi> api;
    std::unique_ptr<HistoryIndexer> indexer;
  };

  std::unique_ptr<HistoryStore> store_;
  const IndexOptions options_;
  const std::shared_ptr<http::Client> transport_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Node>> nodes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<HistoryReader>> NewRpcHistoryReader(
    const std::filesystem::path& file, IndexOptions options) {
  absl::StatusOr<std::unique_ptr<HistoryStore>> store = HistoryStore::Open(file);
  if (!store.ok()) return store.status();
  return std::make_unique<RpcHistoryReader>(*std::move(store), options);
}

}  // namespace poolops::monitor
