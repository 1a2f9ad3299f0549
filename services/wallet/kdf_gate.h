// Bounds the key derivations (scrypt, pbkdf2) the vault runs at once: each
// may take up to ~1 s and 256 MiB (keystore.h), so unbounded parallel
// imports or unlocks could exhaust the host's memory. Up to `max_running`
// run, up to `max_waiting` more wait their turn, and beyond that a call is
// refused at once with ResourceExhausted. Thread-safe.
#pragma once

#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace poolops::wallet {

class KdfGate {
 public:
  KdfGate(int max_running, int max_waiting)
      : max_running_(max_running < 1 ? 1 : max_running),
        max_waiting_(max_waiting < 0 ? 0 : max_waiting) {}

  // Holds a slot until destroyed.
  class Ticket {
   public:
    explicit Ticket(KdfGate* gate) : gate_(gate) {}
    Ticket(Ticket&& other) noexcept : gate_(other.gate_) {
      other.gate_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (gate_ != nullptr) gate_->Leave();
    }

   private:
    KdfGate* gate_;
  };

  // `what` names the operation in the refusal ("unlock", "import").
  absl::StatusOr<Ticket> Enter(std::string_view what);

  int running() const;
  int waiting() const;

 private:
  void Leave();
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return running_ < max_running_;
  }

  const int max_running_;
  const int max_waiting_;
  mutable absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace poolops::wallet
