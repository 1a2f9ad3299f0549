// What the apply workflow needs from the chain: the workerpool (find or
// register), the owner's stake, and the publisher policy. The chain-gateway
// over gRPC in production (proto/poolops/chain/v1/chain.proto), a fake in
// tests.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace grpc {
class Channel;
}

namespace poolops::orchestrator {

using ProgressFn = std::function<void(const std::string& line)>;

struct PublisherSettings {
  std::string chain, workerpool, wallet;
  bool enabled = true;
  std::string core_metrics_url;
  bool gpu_pool = false;
  std::string price, volume, category, tag, trust, requester_restrict;
  uint32_t max_open_orders = 3;
  uint32_t check_period_seconds = 30;
};

class ChainClient {
 public:
  virtual ~ChainClient() = default;
  // The workerpool `owner` registered with `description`, or "".
  virtual absl::StatusOr<std::string> FindWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description) = 0;
  virtual absl::StatusOr<std::string> DeployWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description, const ProgressFn& progress) = 0;
  // Tops the stake of `wallet` up to `minimum` nRLC; returns the stake.
  virtual absl::StatusOr<std::string> EnsureStake(const std::string& chain,
                                                  const std::string& wallet,
                                                  const std::string& minimum,
                                                  const ProgressFn& progress) = 0;
  virtual absl::Status SetPublisher(const PublisherSettings& settings) = 0;
};

std::unique_ptr<ChainClient> NewGatewayChainClient(
    std::shared_ptr<grpc::Channel> channel);

// In memory. Thread-safe.
class FakeChainClient : public ChainClient {
 public:
  absl::StatusOr<std::string> FindWorkerpool(const std::string& chain,
                                             const std::string& owner,
                                             const std::string& description) override;
  absl::StatusOr<std::string> DeployWorkerpool(const std::string& chain,
                                               const std::string& owner,
                                               const std::string& description,
                                               const ProgressFn& progress) override;
  absl::StatusOr<std::string> EnsureStake(const std::string& chain,
                                          const std::string& wallet,
                                          const std::string& minimum,
                                          const ProgressFn& progress) override;
  absl::Status SetPublisher(const PublisherSettings& settings) override;

  int deployments() const;
  std::string stake(const std::string& wallet) const;
  bool publisher_enabled() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::string> pools_ ABSL_GUARDED_BY(mu_);  // owner|desc
  std::map<std::string, std::string> stakes_ ABSL_GUARDED_BY(mu_);
  int deployments_ ABSL_GUARDED_BY(mu_) = 0;
  bool publisher_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace poolops::orchestrator
