// Hands out nonces per account under concurrency. The first use of an
// account (and every Resync) reads eth_getTransactionCount(pending); then
// nonces are counted locally so concurrent senders never collide. A nonce
// whose transaction never reached the node is given back (Release) and is
// handed out again before any new one, so no gap is left behind.
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/address.h"

namespace poolops::chain {

class NonceSource {
 public:
  virtual ~NonceSource() = default;
  // eth_getTransactionCount(account, "pending").
  virtual absl::StatusOr<uint64_t> PendingNonce(
      const eth::Address& account) = 0;
};

class NonceManager {
 public:
  explicit NonceManager(NonceSource* source) : source_(source) {}

  // The next nonce for `account`.
  absl::StatusOr<uint64_t> Acquire(const eth::Address& account);
  // The transaction with `nonce` was accepted by the node.
  void Commit(const eth::Address& account, uint64_t nonce);
  // The transaction with `nonce` never reached the node: reuse it.
  void Release(const eth::Address& account, uint64_t nonce);
  // Forget the local count (node restarted, "nonce too low"): the next
  // Acquire reads the node again once no nonce is in flight.
  void Resync(const eth::Address& account);

 private:
  struct AccountState {
    bool known = false;
    uint64_t next = 0;             // next fresh nonce
    std::set<uint64_t> released;   // given back, reused first (lowest)
    std::set<uint64_t> in_flight;  // acquired, not committed/released
  };
  NonceSource* const source_;
  absl::Mutex mu_;
  std::map<eth::Address, AccountState> accounts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
