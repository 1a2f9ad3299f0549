#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

absl::StatusOr<std::optional<WalletKeystore>> FakeWalletSource::Find(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = wallets_.find(name);
  if (it == wallets_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<WalletKeystore> FakeWalletSource::Create(
    const std::string& name, const std::string& password) {
  absl::MutexLock lock(&mu_);
  if (wallets_.count(name)) {
    return absl::AlreadyExistsError(absl::StrCat("wallet ", name, " exists"));
  }
  size_t h = std::hash<std::string>()(name);
  std::string address =
      absl::StrFormat("0x%016x%016x%08x", h, h * 31, h % 9973);
  address = address.substr(0, 42);
  WalletKeystore w{
      name, address,
      absl::StrCat(R"({"address":")", address.substr(2),
                   R"(","version":3,"crypto":{"cipher":"fake"}})")};
  wallets_[name] = w;
  ++created_;
  return w;
}

absl::Status FakeWalletSource::Import(const std::string& name,
                                      const std::string& keystore_json,
                                      const std::string& password) {
  absl::MutexLock lock(&mu_);
  if (wallets_.count(name)) {
    return absl::AlreadyExistsError(absl::StrCat("wallet ", name, " exists"));
  }
  // The fake's keystores carry the address; an empty password opens nothing.
  const std::string key = R"({"address":")";
  size_t at = keystore_json.find(key);
  if (at == std::string::npos || password.empty()) {
    return absl::InvalidArgumentError("keystore: cannot decrypt");
  }
  wallets_[name] = {
      name, absl::StrCat("0x", keystore_json.substr(at + key.size(), 40)),
      keystore_json};
  return absl::OkStatus();
}

absl::Status FakeWalletSource::Unlock(const std::string& name,
                                      const std::string& password,
                                      uint64_t ttl_seconds) {
  absl::MutexLock lock(&mu_);
  if (!wallets_.count(name))
    return absl::NotFoundError(absl::StrCat("wallet ", name, " not found"));
  if (password.empty() || ttl_seconds == 0 || ttl_seconds > 86400)
    return absl::InvalidArgumentError("bad unlock");
  if (operator_locked_[name])
    return absl::FailedPreconditionError(
        absl::StrCat("wallet ", name,
                     " was locked by the operator at 2026-12-02T09:00:00Z; "
                     "it stays locked until `poolctl wallet unlock ",
                     name, "`"));
  ++unlocked_;
  unlocked_until_[name] = clock_->Now() + absl::Seconds(ttl_seconds);
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> FakeWalletSource::UnlockedUntil(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (!wallets_.count(name))
    return absl::NotFoundError(absl::StrCat("wallet ", name, " not found"));
  auto it = unlocked_until_.find(name);
  if (it == unlocked_until_.end() || it->second <= clock_->Now())
    return absl::InfinitePast();
  return it->second;
}

absl::StatusOr<poolops::wallet::v1::Policy> FakeWalletSource::GetPolicy(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (!wallets_.count(name))
    return absl::NotFoundError(absl::StrCat("wallet ", name, " not found"));
  return policies_[name];
}

absl::Status FakeWalletSource::SetPolicy(
    const std::string& name, const poolops::wallet::v1::Policy& policy) {
  absl::MutexLock lock(&mu_);
  if (!wallets_.count(name))
    return absl::NotFoundError(absl::StrCat("wallet ", name, " not found"));
  policies_[name] = policy;
  return absl::OkStatus();
}

void FakeWalletSource::LockAll() {
  absl::MutexLock lock(&mu_);
  unlocked_until_.clear();
}

void FakeWalletSource::OperatorLock(const std::string& name) {
  absl::MutexLock lock(&mu_);
  unlocked_until_.erase(name);
  operator_locked_[name] = true;
}

void FakeWalletSource::OperatorUnlock(const std::string& name) {
  absl::MutexLock lock(&mu_);
  operator_locked_[name] = false;
  unlocked_until_[name] = clock_->Now() + absl::Minutes(10);
}

int FakeWalletSource::unlocked() const {
  absl::MutexLock lock(&mu_);
  return unlocked_;
}

int FakeWalletSource::created() const {
  absl::MutexLock lock(&mu_);
  return created_;
}

}  // namespace poolops::orchestrator
