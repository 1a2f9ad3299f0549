#include "services/chain/tx/key_signer.h"

#include "absl/strings/str_cat.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::chain {

absl::StatusOr<eth::Address> KeySigner::Add(const std::string& name,
                                            std::string_view private_key_hex) {
  absl::StatusOr<eth::Bytes> secret =
      eth::FromHexFixed(private_key_hex, 32, "private key");
  if (!secret.ok()) return secret.status();
  absl::StatusOr<eth::Address> address = eth::AddressOf(*secret);
  if (!address.ok()) return address.status();
  absl::MutexLock lock(&mu_);
  keys_.push_back({name, *address, *std::move(secret)});
  return *address;
}

absl::StatusOr<KeySigner::Key> KeySigner::Find(std::string_view wallet) {
  absl::StatusOr<eth::Address> as_address = eth::Address::Parse(wallet);
  absl::MutexLock lock(&mu_);
  for (const Key& key : keys_) {
    if (key.name == wallet || (as_address.ok() && key.address == *as_address))
      return key;
  }
  return absl::NotFoundError(
      absl::StrCat("wallet ", std::string(wallet), " not found"));
}

absl::StatusOr<eth::Address> KeySigner::Resolve(std::string_view wallet) {
  absl::StatusOr<Key> key = Find(wallet);
  if (!key.ok()) return key.status();
  return key->address;
}

std::vector<std::string> KeySigner::purposes() {
  absl::MutexLock lock(&mu_);
  return purposes_;
}

absl::StatusOr<SignedTx> KeySigner::SignTransaction(std::string_view wallet,
                                                    const eth::Transaction& tx,
                                                    std::string_view purpose) {
  {
    absl::MutexLock lock(&mu_);
    purposes_.emplace_back(purpose);
  }
  absl::StatusOr<Key> key = Find(wallet);
  if (!key.ok()) return key.status();
  if (absl::Status s = tx.Validate(); !s.ok()) return s;
  absl::StatusOr<eth::RecoverableSignature> sig =
      eth::SignDigest(key->secret, tx.SigningHash());
  if (!sig.ok()) return sig.status();
  SignedTx out;
  out.raw = tx.EncodeSigned(*sig);
  out.hash = eth::Keccak(out.raw);
  out.from = key->address;
  return out;
}

absl::StatusOr<TypedDataSignature> KeySigner::SignTypedData(
    std::string_view wallet, const nlohmann::json& typed_data,
    std::string_view purpose) {
  {
    absl::MutexLock lock(&mu_);
    purposes_.emplace_back(purpose);
  }
  absl::StatusOr<Key> key = Find(wallet);
  if (!key.ok()) return key.status();
  absl::StatusOr<eth::eip712::Digests> digests =
      eth::eip712::HashTypedData(typed_data);
  if (!digests.ok()) return digests.status();
  absl::StatusOr<eth::RecoverableSignature> sig =
      eth::SignDigest(key->secret, digests->digest);
  if (!sig.ok()) return sig.status();
  return TypedDataSignature{sig->ToRsv(), digests->digest, key->address};
}

}  // namespace poolops::chain
