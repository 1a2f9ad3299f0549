// Where the wallets' encrypted keystores come from: the wallet-vault
// (ExportKeystore) in production, a fake in tests. Keystores stay encrypted
// end to end; the bundles carry them with their password in the 0600 .env.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "poolops/wallet/v1/wallet.pb.h"

namespace grpc {
class Channel;
}

namespace poolops::orchestrator {

struct WalletKeystore {
  std::string name;
  std::string address;        // EIP-55
  std::string keystore_json;  // keystore v3, encrypted
};

class WalletSource {
 public:
  virtual ~WalletSource() = default;
  // nullopt when the vault has no such wallet.
  virtual absl::StatusOr<std::optional<WalletKeystore>> Find(
      const std::string& name) = 0;
  // Creates a wallet from a fresh key, encrypted with `password`.
  virtual absl::StatusOr<WalletKeystore> Create(
      const std::string& name, const std::string& password) = 0;
  // Adds an encrypted keystore as is (a restored backup); the vault checks
  // `password` opens it and keeps the file it was given.
  virtual absl::Status Import(const std::string& name,
                              const std::string& keystore_json,
                              const std::string& password) = 0;
  // Unlocks a wallet for `ttl_seconds` (1..86400) so chain-gateway can sign
  // for it (registration, stake, the publisher's orders). An automated
  // unlock: FailedPrecondition while the operator's `wallet lock` stands
  // (the vault refuses; nothing here undoes an operator's lock).
  virtual absl::Status Unlock(const std::string& name,
                              const std::string& password,
                              uint64_t ttl_seconds) = 0;
  // Until when the wallet stays unlocked (InfinitePast when locked).
  virtual absl::StatusOr<absl::Time> UnlockedUntil(const std::string& name) = 0;
  // The vault's signing policy of a wallet; SetPolicy replaces it whole.
  virtual absl::StatusOr<poolops::wallet::v1::Policy> GetPolicy(
      const std::string& name) = 0;
  virtual absl::Status SetPolicy(const std::string& name,
                                 const poolops::wallet::v1::Policy& policy) = 0;
};

// The wallet-vault over gRPC (GetWallet, ExportKeystore, CreateWallet).
std::unique_ptr<WalletSource> NewVaultWalletSource(
    std::shared_ptr<grpc::Channel> channel);

// In memory, deterministic addresses; keystore JSON that names the password's
// length only (never the password). Thread-safe.
class FakeWalletSource : public WalletSource {
 public:
  explicit FakeWalletSource(Clock* clock = Clock::Real()) : clock_(clock) {}
  absl::StatusOr<std::optional<WalletKeystore>> Find(
      const std::string& name) override;
  absl::StatusOr<WalletKeystore> Create(const std::string& name,
                                        const std::string& password) override;
  absl::Status Import(const std::string& name, const std::string& keystore_json,
                      const std::string& password) override;
  absl::Status Unlock(const std::string& name, const std::string& password,
                      uint64_t ttl_seconds) override;
  absl::StatusOr<absl::Time> UnlockedUntil(const std::string& name) override;
  absl::StatusOr<poolops::wallet::v1::Policy> GetPolicy(
      const std::string& name) override;
  absl::Status SetPolicy(const std::string& name,
                         const poolops::wallet::v1::Policy& policy) override;
  // What a vault restart does.
  void LockAll();
  // What `poolctl wallet lock` does (the vault's operator lock), and the
  // operator's `wallet unlock` lifting it.
  void OperatorLock(const std::string& name);
  void OperatorUnlock(const std::string& name);
  int created() const;
  int unlocked() const;

 private:
  mutable absl::Mutex mu_;
  Clock* clock_;
  std::map<std::string, WalletKeystore> wallets_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> unlocked_until_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, bool> operator_locked_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, poolops::wallet::v1::Policy> policies_
      ABSL_GUARDED_BY(mu_);
  int created_ ABSL_GUARDED_BY(mu_) = 0;
  int unlocked_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace poolops::orchestrator
