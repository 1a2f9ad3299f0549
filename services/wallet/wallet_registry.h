// The vault's index of wallets: name, address, keystore file name, creation
// time and policy, kept in <home>/wallets.json (0600, rewritten atomically).
// It lives outside keystore/ so that the keystore folder holds only keystore
// files (the iExec SDK lists that folder). Not thread-safe: the Vault locks.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eth/address.h"
#include "services/wallet/policy.h"

namespace poolops::wallet {

struct WalletEntry {
  std::string name;
  eth::Address address;
  std::string
      checksum;  // address.ToChecksum(), kept: signing uses it each time
  std::string keystore_file;  // file name inside the keystore folder
  absl::Time created;
  Policy policy;
  // Set by the operator's Lock, cleared by an operator's Unlock: while set,
  // automated unlockers are refused (kept across vault restarts).
  std::optional<absl::Time> operator_locked_at;
};

// Names: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit, and not
// shaped like an address. InvalidArgument naming the rule otherwise.
absl::Status ValidateWalletName(std::string_view name);

class WalletRegistry {
 public:
  // Reads `file`; a missing file is an empty registry. A file that does not
  // parse is DataLoss naming it (never silently replaced).
  static absl::StatusOr<WalletRegistry> Load(std::filesystem::path file);

  const std::vector<WalletEntry>& entries() const { return entries_; }
  // By exact name first, then by address in any case ("0x" optional).
  const WalletEntry* Find(std::string_view name_or_address) const;
  const WalletEntry* FindByName(std::string_view name) const;
  const WalletEntry* FindByAddress(const eth::Address& address) const;

  // Adds and saves; on a save error nothing changes. AlreadyExists naming
  // the duplicate name or address.
  absl::Status Add(WalletEntry entry);
  // Replaces the policy of `address` and saves.
  absl::Status SetPolicy(const eth::Address& address, Policy policy);
  // Records (a time) or clears (nullopt) the operator's lock and saves.
  absl::Status SetOperatorLock(const eth::Address& address,
                               std::optional<absl::Time> locked_at);

 private:
  explicit WalletRegistry(std::filesystem::path file)
      : file_(std::move(file)) {}
  absl::Status Save(const std::vector<WalletEntry>& entries) const;

  std::filesystem::path file_;
  std::vector<WalletEntry> entries_;
};

// Lowercases and parses an address given in any case; InvalidArgument
// naming `what` otherwise.
absl::StatusOr<eth::Address> ParseAddressAnyCase(std::string_view text,
                                                 std::string_view what);

}  // namespace poolops::wallet
