#include "services/wallet/kdf_gate.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace poolops::wallet {

absl::StatusOr<KdfGate::Ticket> KdfGate::Enter(std::string_view what) {
  absl::MutexLock lock(&mu_);
  if (running_ >= max_running_) {
    if (waiting_ >= max_waiting_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          std::string(what), ": too many key derivations at once (", running_,
          " running, ", waiting_,
          " waiting; each can take a second and 256 MiB); retry shortly"));
    }
    ++waiting_;
    mu_.Await(absl::Condition(this, &KdfGate::HasRoom));
    --waiting_;
  }
  ++running_;
  return Ticket(this);
}

void KdfGate::Leave() {
  absl::MutexLock lock(&mu_);
  --running_;
}

int KdfGate::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

int KdfGate::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

}  // namespace poolops::wallet
