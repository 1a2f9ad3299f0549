#include "services/chain/tx/vault_signer.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/common/status_grpc.h"
#include "libs/eth/hex.h"

namespace poolops::chain {
namespace wv1 = ::poolops::wallet::v1;

namespace {

absl::Status VaultError(const grpc::Status& status) {
  absl::Status s = FromGrpc(status);
  if (s.code() == absl::StatusCode::kUnavailable)
    return absl::UnavailableError(absl::StrCat("wallet-vault: ", s.message()));
  return s;
}

// Who asks and why, for the vault's audit log: "x-poolops-client" names
// this service, "x-poolops-purpose" the operation. Metadata values must be
// printable ASCII, so anything else (a workerpool description) becomes '?'.
void Declare(grpc::ClientContext& ctx, std::string_view purpose) {
  constexpr size_t kMaxPurpose = 200;
  std::string value;
  for (char c : purpose.substr(0, kMaxPurpose)) {
    value += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  ctx.AddMetadata("x-poolops-client", "chain-gateway");
  if (!value.empty()) ctx.AddMetadata("x-poolops-purpose", value);
}

}  // namespace

VaultSigner::VaultSigner(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration deadline)
    : stub_(wv1::WalletVault::NewStub(std::move(channel))),
      deadline_(deadline) {}

absl::StatusOr<eth::Address> VaultSigner::Resolve(std::string_view wallet) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  wv1::GetWalletRequest req;
  req.set_wallet(std::string(wallet));
  wv1::Wallet reply;
  grpc::Status st = stub_->GetWallet(&ctx, req, &reply);
  if (!st.ok()) return VaultError(st);
  return eth::Address::Parse(reply.address(), "vault wallet address");
}

absl::StatusOr<std::string> VaultSigner::LockedBecause(
    std::string_view wallet) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  wv1::GetWalletRequest req;
  req.set_wallet(std::string(wallet));
  wv1::Wallet w;
  grpc::Status st = stub_->GetWallet(&ctx, req, &w);
  if (!st.ok()) return VaultError(st);
  if (!w.locked()) return std::string();
  std::string who = absl::StrCat("wallet ", w.name(), " (", w.address(), ")");
  if (w.lock_reason() == "operator") {
    return absl::StrCat(who, " was locked by the operator at ", w.locked_at(),
                        "; `poolctl wallet unlock ", w.name(), "` resumes");
  }
  if (w.lock_reason() == "expired") {
    return absl::StrCat(who, " is locked: its unlock expired");
  }
  return absl::StrCat(who, " is locked: not unlocked since the vault started");
}

absl::StatusOr<SignedTx> VaultSigner::SignTransaction(
    std::string_view wallet, const eth::Transaction& tx,
    std::string_view purpose) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  Declare(ctx, purpose);
  wv1::SignTransactionRequest req;
  req.set_wallet(std::string(wallet));
  wv1::TransactionFields* f = req.mutable_transaction();
  bool legacy = tx.type == eth::Transaction::Type::kLegacy;
  f->set_type(legacy ? wv1::TRANSACTION_TYPE_LEGACY
                     : wv1::TRANSACTION_TYPE_EIP1559);
  f->set_chain_id(tx.chain_id.ToDecimal());
  f->set_nonce(tx.nonce.ToDecimal());
  if (tx.to) f->set_to(tx.to->ToChecksum());
  f->set_value(tx.value.ToDecimal());
  f->set_data(std::string(tx.data.begin(), tx.data.end()));
  f->set_gas(tx.gas.ToDecimal());
  if (legacy) {
    f->set_gas_price(tx.gas_price.ToDecimal());
  } else {
    f->set_max_fee_per_gas(tx.max_fee_per_gas.ToDecimal());
    f->set_max_priority_fee_per_gas(tx.max_priority_fee_per_gas.ToDecimal());
  }
  wv1::SignTransactionResponse reply;
  grpc::Status st = stub_->SignTransaction(&ctx, req, &reply);
  if (!st.ok()) return VaultError(st);
  SignedTx out;
  absl::StatusOr<eth::Bytes> raw = eth::FromHex(reply.raw(), "vault raw");
  absl::StatusOr<eth::Bytes> hash =
      eth::FromHexFixed(reply.hash(), 32, "vault tx hash");
  absl::StatusOr<eth::Address> from =
      eth::Address::Parse(reply.from(), "vault signer");
  if (!raw.ok()) return raw.status();
  if (!hash.ok()) return hash.status();
  if (!from.ok()) return from.status();
  out.raw = *std::move(raw);
  std::copy(hash->begin(), hash->end(), out.hash.begin());
  out.from = *from;
  return out;
}

absl::StatusOr<TypedDataSignature> VaultSigner::SignTypedData(
    std::string_view wallet, const nlohmann::json& typed_data,
    std::string_view purpose) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  Declare(ctx, purpose);
  wv1::SignTypedDataRequest req;
  req.set_wallet(std::string(wallet));
  req.set_typed_data_json(typed_data.dump());
  wv1::SignatureResponse reply;
  grpc::Status st = stub_->SignTypedData(&ctx, req, &reply);
  if (!st.ok()) return VaultError(st);
  absl::StatusOr<eth::Bytes> sig =
      eth::FromHexFixed(reply.signature(), 65, "vault signature");
  absl::StatusOr<eth::Bytes> digest =
      eth::FromHexFixed(reply.digest(), 32, "vault digest");
  absl::StatusOr<eth::Address> signer =
      eth::Address::Parse(reply.signer(), "vault signer");
  if (!sig.ok()) return sig.status();
  if (!digest.ok()) return digest.status();
  if (!signer.ok()) return signer.status();
  TypedDataSignature out;
  out.signature = *std::move(sig);
  std::copy(digest->begin(), digest->end(), out.digest.begin());
  out.signer = *signer;
  return out;
}

}  // namespace poolops::chain
