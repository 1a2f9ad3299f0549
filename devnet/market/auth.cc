#include "devnet/market/auth.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"

namespace poolops::market {
namespace {

using nlohmann::json;

constexpr char kNotValid[] =
    "Challenge not valid. Need to request a new challenge.";

// 32 alphanumeric characters, unbiased (as the API's randomstring).
absl::StatusOr<std::string> RandomValue(Random* random) {
  static constexpr char kChars[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  while (out.size() < 32) {
    uint8_t bytes[64];
    if (absl::Status s = random->Fill(absl::MakeSpan(bytes)); !s.ok()) return s;
    for (uint8_t b : bytes)
      if (b < 248 && out.size() < 32) out.push_back(kChars[b % 62]);
  }
  return out;
}

}  // namespace

absl::StatusOr<AuthorizationHeader> ParseAuthorizationHeader(
    std::string_view header) {
  if (header.empty())
    return absl::UnauthenticatedError(
        "missing Authorization, please first sign a challenge");
  std::vector<std::string> parts = absl::StrSplit(std::string(header), '_');
  if (parts.size() < 3)
    return absl::UnauthenticatedError("this is not a valid ethereum address");
  absl::StatusOr<eth::Address> address =
      eth::Address::Parse(absl::AsciiStrToLower(parts[2]));
  if (!address.ok() || parts.size() != 3)
    return absl::UnauthenticatedError("this is not a valid ethereum address");
  if (address->IsZero()) return absl::UnauthenticatedError("Null address");
  return AuthorizationHeader{parts[0], parts[1], *address};
}

ChallengeStore::ChallengeStore(uint64_t chain_id, Clock* clock, Random* random)
    : chain_id_(chain_id), clock_(clock), random_(random) {}

absl::StatusOr<json> ChallengeStore::Challenge(const eth::Address& address) {
  absl::MutexLock lock(&mu_);
  std::string key = address.ToLowerHex();
  auto it = pending_.find(key);
  if (it != pending_.end() &&
      clock_->Now() - it->second.created < kChallengeLifetime)
    return iexec::MarketChallengeTypedData(
        absl::StrCat(iexec::kMarketChallengePrefix, it->second.value),
        chain_id_);
  absl::StatusOr<std::string> value = RandomValue(random_);
  if (!value.ok()) return value.status();
  json typed = iexec::MarketChallengeTypedData(
      absl::StrCat(iexec::kMarketChallengePrefix, *value), chain_id_);
  absl::StatusOr<eth::eip712::Digests> d = eth::eip712::HashTypedData(typed);
  if (!d.ok()) return d.status();
  pending_[key] = Pending{*value, eth::ToHex(d->digest), clock_->Now()};
  return typed;
}

absl::StatusOr<eth::Address> ChallengeStore::Authorize(
    std::string_view header) {
  absl::StatusOr<AuthorizationHeader> h = ParseAuthorizationHeader(header);
  if (!h.ok()) return h.status();
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(h->address.ToLowerHex());
  if (it == pending_.end() || it->second.hash != h->hash ||
      clock_->Now() - it->second.created >= kChallengeLifetime)
    return absl::UnauthenticatedError(kNotValid);
  absl::StatusOr<eth::eip712::Digests> d =
      eth::eip712::HashTypedData(iexec::MarketChallengeTypedData(
          absl::StrCat(iexec::kMarketChallengePrefix, it->second.value),
          chain_id_));
  absl::StatusOr<eth::Bytes> sign = eth::FromHex(h->sign, "sign");
  if (!d.ok() || !sign.ok())
    return absl::UnauthenticatedError("Authorization check failed");
  absl::StatusOr<eth::Address> signer = eth::RecoverAddress(d->digest, *sign);
  if (!signer.ok())
    return absl::UnauthenticatedError("Authorization check failed");
  if (*signer != h->address)
    return absl::UnauthenticatedError(
        "Failed to verify signer, addresses mismatch.");
  pending_.erase(it);
  return h->address;
}

}  // namespace poolops::market
