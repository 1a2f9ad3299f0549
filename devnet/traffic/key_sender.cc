#include "devnet/traffic/key_sender.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"

namespace poolops::devnet {

absl::StatusOr<KeySender> KeySender::Create(chain::EthApi* api,
                                            uint64_t chain_id,
                                            eth::ByteView private_key) {
  absl::StatusOr<eth::Address> address = eth::AddressOf(private_key);
  if (!address.ok()) return address.status();
  return KeySender(api, chain_id,
                   eth::Bytes(private_key.begin(), private_key.end()),
                   *address);
}

absl::StatusOr<eth::Bytes> KeySender::SignDigest(
    const eth::Hash32& digest) const {
  absl::StatusOr<eth::RecoverableSignature> sig = eth::SignDigest(key_, digest);
  if (!sig.ok()) return sig.status();
  return sig->ToRsv();
}

absl::StatusOr<chain::Receipt> KeySender::Send(const eth::Address& to,
                                               eth::Bytes data,
                                               std::string_view label,
                                               const eth::U256& value) {
  auto fail = [&](const absl::Status& s) {
    return absl::Status(
        s.code(), absl::StrCat(std::string(label), " (from ",
                               address_.ToChecksum(), "): ", s.message()));
  };
  chain::CallRequest call;
  call.from = address_;
  call.to = to;
  call.value = value;
  call.data = data;
  // A call the hub refuses reverts here, with its reason, before anything
  // is signed.
  absl::StatusOr<uint64_t> gas = api_->EstimateGas(call);
  if (!gas.ok()) return fail(gas.status());
  absl::StatusOr<uint64_t> nonce = api_->GetTransactionCount(address_);
  if (!nonce.ok()) return fail(nonce.status());
  eth::Transaction tx;
  tx.chain_id = eth::U256(chain_id_);
  tx.nonce = eth::U256(*nonce);
  tx.to = to;
  tx.value = value;
  tx.data = std::move(data);
  tx.gas = eth::U256(*gas + *gas / 4);  // estimates miss refunds' ordering
  absl::StatusOr<eth::U256> base = api_->LatestBaseFee();
  if (base.ok()) {
    tx.type = eth::Transaction::Type::kEip1559;
    tx.max_priority_fee_per_gas = eth::U256(0);
    tx.max_fee_per_gas = *base * eth::U256(2) + eth::U256(1'000'000'000);
  } else if (absl::IsNotFound(base.status())) {
    tx.gas_price = eth::U256(0);  // pre-London chain: gas free as Bellecour
  } else {
    return fail(base.status());
  }
  absl::StatusOr<eth::RecoverableSignature> sig =
      eth::SignDigest(key_, tx.SigningHash());
  if (!sig.ok()) return fail(sig.status());
  absl::StatusOr<eth::Hash32> hash =
      api_->SendRawTransaction(tx.EncodeSigned(*sig));
  if (!hash.ok()) return fail(hash.status());
  // anvil mines on arrival: the receipt comes within milliseconds.
  absl::StatusOr<chain::Receipt> receipt =
      api_->WaitForReceipt(*hash, 1, absl::Seconds(60), absl::Milliseconds(5));
  if (!receipt.ok()) return fail(receipt.status());
  if (!receipt->success)
    return absl::AbortedError(absl::StrCat(std::string(label), " reverted"));
  return receipt;
}

}  // namespace poolops::devnet
