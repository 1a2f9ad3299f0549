#include "libs/common/random.h"

#include <openssl/rand.h>

namespace poolops {
namespace {
class OpenSslRandom : public Random {
 public:
  absl::Status Fill(absl::Span<uint8_t> out) override {
    if (out.empty()) return absl::OkStatus();
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
      return absl::InternalError("OpenSSL RAND_bytes failed");
    return absl::OkStatus();
  }
};
}  // namespace

Random* Random::Secure() {
  static OpenSslRandom* random = new OpenSslRandom();
  return random;
}

}  // namespace poolops
