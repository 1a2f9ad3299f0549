#include "services/chain/tx/nonce_manager.h"

namespace poolops::chain {

absl::StatusOr<uint64_t> NonceManager::Acquire(const eth::Address& account) {
  absl::MutexLock lock(&mu_);
  AccountState& s = accounts_[account];
  if (!s.released.empty()) {
    uint64_t nonce = *s.released.begin();
    s.released.erase(s.released.begin());
    s.in_flight.insert(nonce);
    return nonce;
  }
  if (!s.known) {
    // Read under the lock: concurrent first users of an account must not
    // each start from the node's count.
    absl::StatusOr<uint64_t> pending = source_->PendingNonce(account);
    if (!pending.ok()) return pending.status();
    // In-flight nonces above the node's view (after a Resync) stay taken.
    s.next = *pending;
    if (!s.in_flight.empty() && *s.in_flight.rbegin() >= s.next)
      s.next = *s.in_flight.rbegin() + 1;
    s.known = true;
  }
  uint64_t nonce = s.next++;
  s.in_flight.insert(nonce);
  return nonce;
}

void NonceManager::Commit(const eth::Address& account, uint64_t nonce) {
  absl::MutexLock lock(&mu_);
  accounts_[account].in_flight.erase(nonce);
}

void NonceManager::Release(const eth::Address& account, uint64_t nonce) {
  absl::MutexLock lock(&mu_);
  AccountState& s = accounts_[account];
  s.in_flight.erase(nonce);
  if (!s.known) return;  // resynced meanwhile: the node's count decides
  if (nonce + 1 == s.next) {
    // The newest nonce: just step back (and over older released ones).
    --s.next;
    while (!s.released.empty() && *s.released.rbegin() + 1 == s.next) {
      s.released.erase(std::prev(s.released.end()));
      --s.next;
    }
  } else if (nonce < s.next) {
    s.released.insert(nonce);
  }
}

void NonceManager::Resync(const eth::Address& account) {
  absl::MutexLock lock(&mu_);
  AccountState& s = accounts_[account];
  s.known = false;
  s.released.clear();
}

}  // namespace poolops::chain
