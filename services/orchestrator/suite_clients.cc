#include "services/orchestrator/suite_clients.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/suite.h"

namespace poolops::orchestrator {
namespace {

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(
    const std::filesystem::path& run_dir, std::string_view service) {
  return RunningSuiteChannel(run_dir.parent_path(), service);
}

class SuiteWalletSource : public WalletSource {
 public:
  explicit SuiteWalletSource(std::filesystem::path run)
      : run_(std::move(run)) {}
  absl::StatusOr<std::optional<WalletKeystore>> Find(
      const std::string& name) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->Find(name);
  }
  absl::StatusOr<WalletKeystore> Create(const std::string& name,
                                        const std::string& password) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->Create(name, password);
  }
  absl::Status Import(const std::string& name, const std::string& keystore_json,
                      const std::string& password) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->Import(name, keystore_json, password);
  }
  absl::Status Unlock(const std::string& name, const std::string& password,
                      uint64_t ttl_seconds) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->Unlock(name, password, ttl_seconds);
  }
  absl::StatusOr<absl::Time> UnlockedUntil(const std::string& name) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->UnlockedUntil(name);
  }
  absl::StatusOr<poolops::wallet::v1::Policy> GetPolicy(
      const std::string& name) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->GetPolicy(name);
  }
  absl::Status SetPolicy(const std::string& name,
                         const poolops::wallet::v1::Policy& policy) override {
    auto c = ChannelTo(run_, "wallet-vault");
    if (!c.ok()) return c.status();
    return NewVaultWalletSource(*c)->SetPolicy(name, policy);
  }

 private:
  std::filesystem::path run_;
};

class SuiteChainClient : public ChainClient {
 public:
  explicit SuiteChainClient(std::filesystem::path run) : run_(std::move(run)) {}
  absl::StatusOr<ChainFacts> GetChain(const std::string& name) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->GetChain(name);
  }
  absl::StatusOr<ChainFacts> GetChainHead(const std::string& name) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->GetChainHead(name);
  }
  absl::StatusOr<std::string> FindWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->FindWorkerpool(chain, owner, description);
  }
  absl::StatusOr<std::string> DeployWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description, const ProgressFn& progress) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->DeployWorkerpool(chain, owner, description, progress);
  }
  absl::StatusOr<std::string> EnsureStake(const std::string& chain,
                                          const std::string& wallet,
                                          const std::string& minimum,
                                          const ProgressFn& progress) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->EnsureStake(chain, wallet, minimum, progress);
  }
  absl::StatusOr<WalletFunding> FundWallet(
      const std::string& chain, const std::string& wallet,
      const std::string& eth, const std::string& rlc,
      const ProgressFn& progress) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->FundWallet(chain, wallet, eth, rlc, progress);
  }
  absl::Status SetPublisher(const PublisherSettings& settings) override {
    auto c = Client();
    if (!c.ok()) return c.status();
    return (*c)->SetPublisher(settings);
  }

 private:
  absl::StatusOr<std::unique_ptr<ChainClient>> Client() {
    auto c = ChannelTo(run_, "chain-gateway");
    if (!c.ok()) return c.status();
    return NewGatewayChainClient(*c);
  }
  std::filesystem::path run_;
};

class SuiteHealthProbe : public HealthProbe {
 public:
  explicit SuiteHealthProbe(std::filesystem::path run) : run_(std::move(run)) {}
  absl::StatusOr<CoreMetrics> Core(const std::string& host,
                                   uint32_t port) override {
    auto c = ChannelTo(run_, "monitor");
    if (!c.ok()) return NewDirectHealthProbe()->Core(host, port);
    return NewMonitorHealthProbe(*c, NewDirectHealthProbe())->Core(host, port);
  }
  absl::Status Watch(const PoolWatch& watch) override {
    auto c = ChannelTo(run_, "monitor");
    if (!c.ok()) return c.status();
    return NewMonitorHealthProbe(*c, nullptr)->Watch(watch);
  }
  absl::Status Unwatch(const std::string& pool) override {
    auto c = ChannelTo(run_, "monitor");
    if (!c.ok()) return c.status();
    return NewMonitorHealthProbe(*c, nullptr)->Unwatch(pool);
  }

 private:
  std::filesystem::path run_;
};

}  // namespace

std::unique_ptr<WalletSource> NewSuiteWalletSource(
    std::filesystem::path run_dir) {
  return std::make_unique<SuiteWalletSource>(std::move(run_dir));
}
std::unique_ptr<ChainClient> NewSuiteChainClient(
    std::filesystem::path run_dir) {
  return std::make_unique<SuiteChainClient>(std::move(run_dir));
}
std::unique_ptr<HealthProbe> NewSuiteHealthProbe(
    std::filesystem::path run_dir) {
  return std::make_unique<SuiteHealthProbe>(std::move(run_dir));
}

}  // namespace poolops::orchestrator
