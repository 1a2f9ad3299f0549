#include "services/wallet/wallet_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/peer_identity.h"
#include "libs/common/secure_bytes.h"
#include "libs/common/status_grpc.h"
#include "libs/eth/hex.h"

namespace poolops::wallet {
namespace {

// What the caller declares about itself in metadata, recorded as such: at
// most `max` bytes, control characters dropped, other non-ASCII as '?'.
std::optional<std::string> Declared(const grpc::ServerContextBase& context,
                                    const char* key, size_t max) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  std::string value;
  for (char c : std::string_view(it->second.data(), it->second.size())) {
    if (value.size() == max) break;
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;
    value += u < 0x80 ? c : '?';
  }
  return value;
}

AuditCaller Caller(const grpc::ServerContextBase& context) {
  return AuditCaller(PeerIdentity(context),
                     Declared(context, "x-poolops-client", 64),
                     Declared(context, "x-poolops-purpose", 200));
}

void ToProto(const WalletInfo& info, v1::Wallet* out) {
  out->set_name(info.name);
  out->set_address(info.address.ToChecksum());
  out->set_keystore(info.keystore.string());
  out->set_locked(info.locked());
  out->set_unlocked_until(
      info.unlocked_until ? FormatRfc3339(*info.unlocked_until) : "");
  out->set_created(FormatRfc3339(info.created));
  out->set_lock_reason(info.lock_reason);
  out->set_locked_at(
      info.operator_locked_at ? FormatRfc3339(*info.operator_locked_at) : "");
}

// Wipes a request's password when the handler returns, so it does not
// linger in the heap: gRPC hands the request over const but it owns a
// mutable message, and the vault keeps its own copies in SecureBytes only.
template <typename Request>
class PasswordWipe {
 public:
  explicit PasswordWipe(const Request* request)
      : request_(const_cast<Request*>(request)) {}
  ~PasswordWipe() { WipeString(request_->mutable_password()); }
  PasswordWipe(const PasswordWipe&) = delete;
  PasswordWipe& operator=(const PasswordWipe&) = delete;

 private:
  Request* request_;
};

void ToProto(const WalletEntry& entry, const Policy& policy,
             v1::WalletPolicy* out) {
  out->set_name(entry.name);
  out->set_address(entry.address.ToChecksum());
  PolicyText text = PolicyToText(policy);
  v1::Policy* p = out->mutable_policy();
  for (auto& s : text.allowed_chain_ids) p->add_allowed_chain_ids(s);
  for (auto& s : text.allowed_to) p->add_allowed_to(s);
  p->set_max_value_wei(text.max_value_wei);
  for (auto& s : text.allowed_domain_names) p->add_allowed_domain_names(s);
  for (auto& s : text.allowed_verifying_contracts) {
    p->add_allowed_verifying_contracts(s);
  }
  for (const TypedDataRuleText& r : text.typed_data_rules) {
    v1::TypedDataRule* rule = p->add_typed_data_rules();
    rule->set_primary_type(r.primary_type);
    rule->set_domain_name(r.domain_name);
    rule->set_domain_version(r.domain_version);
    rule->set_domain_chain_id(r.domain_chain_id);
    rule->set_domain_verifying_contract(r.domain_verifying_contract);
    rule->set_encode_type(r.encode_type);
    for (const auto& [k, v] : r.message) (*rule->mutable_message())[k] = v;
  }
  p->set_allow_messages(text.allow_messages);
}

grpc::Status Reply(const absl::StatusOr<WalletInfo>& info, v1::Wallet* out) {
  if (!info.ok()) return ToGrpc(info.status());
  ToProto(*info, out);
  return grpc::Status::OK;
}

void ToProto(const SignatureResult& r, v1::SignatureResponse* out) {
  out->set_signature(eth::ToHex(r.signature));
  out->set_digest(eth::ToHex(r.digest));
  out->set_signer(r.signer.ToChecksum());
}

}  // namespace

grpc::Status WalletServiceImpl::CreateWallet(
    grpc::ServerContext*, const v1::CreateWalletRequest* request,
    v1::Wallet* response) {
  PasswordWipe wipe(request);
  return Reply(vault_->Create(request->name(), request->password()), response);
}

grpc::Status WalletServiceImpl::ImportPrivateKey(
    grpc::ServerContext*, const v1::ImportPrivateKeyRequest* request,
    v1::Wallet* response) {
  PasswordWipe wipe(request);
  // The private key is a secret too.
  ScopedWipe wipe_key(const_cast<v1::ImportPrivateKeyRequest*>(request)
                          ->mutable_private_key_hex());
  return Reply(
      vault_->ImportPrivateKey(request->name(), request->private_key_hex(),
                               request->password()),
      response);
}

grpc::Status WalletServiceImpl::ImportKeystore(
    grpc::ServerContext*, const v1::ImportKeystoreRequest* request,
    v1::Wallet* response) {
  PasswordWipe wipe(request);
  return Reply(vault_->ImportKeystore(request->name(), request->keystore_json(),
                                      request->password()),
               response);
}

grpc::Status WalletServiceImpl::ExportKeystore(
    grpc::ServerContext*, const v1::ExportKeystoreRequest* request,
    v1::ExportKeystoreResponse* response) {
  absl::StatusOr<ExportedKeystore> exported = vault_->Export(request->wallet());
  if (!exported.ok()) return ToGrpc(exported.status());
  response->set_keystore_json(std::move(exported->json));
  response->set_file_name(exported->file_name);
  response->set_address(exported->address.ToChecksum());
  return grpc::Status::OK;
}

grpc::Status WalletServiceImpl::ListWallets(grpc::ServerContext*,
                                            const v1::ListWalletsRequest*,
                                            v1::ListWalletsResponse* response) {
  for (const WalletInfo& info : vault_->List()) {
    ToProto(info, response->add_wallets());
  }
  return grpc::Status::OK;
}

grpc::Status WalletServiceImpl::GetWallet(grpc::ServerContext*,
                                          const v1::GetWalletRequest* request,
                                          v1::Wallet* response) {
  return Reply(vault_->Get(request->wallet()), response);
}

grpc::Status WalletServiceImpl::Unlock(grpc::ServerContext*,
                                       const v1::UnlockRequest* request,
                                       v1::Wallet* response) {
  PasswordWipe wipe(request);
  std::optional<absl::Duration> ttl;
  if (request->ttl_seconds() != 0) {
    // Clamp absurd values before they overflow; the vault checks the bounds.
    ttl = absl::Seconds(std::min<uint64_t>(request->ttl_seconds(), 1ull << 40));
  }
  return Reply(
      vault_->Unlock(request->wallet(), request->password(), ttl,
                     request->respect_operator_lock() ? UnlockBy::kAutomation
                                                      : UnlockBy::kOperator),
      response);
}

grpc::Status WalletServiceImpl::Lock(grpc::ServerContext*,
                                     const v1::LockRequest* request,
                                     v1::Wallet* response) {
  return Reply(vault_->Lock(request->wallet()), response);
}

// The signing methods use gRPC's callback API: no server thread waits while
// the signature's audit record joins the next group commit; the vault's
// answer finishes the call from the audit log's thread.
grpc::ServerUnaryReactor* WalletServiceImpl::SignTransaction(
    grpc::CallbackServerContext* context,
    const v1::SignTransactionRequest* request,
    v1::SignTransactionResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const v1::TransactionFields& t = request->transaction();
  TxFields fields;
  switch (t.type()) {
    case v1::TRANSACTION_TYPE_LEGACY:
      fields.type = TxFields::Type::kLegacy;
      break;
    case v1::TRANSACTION_TYPE_EIP1559:
      fields.type = TxFields::Type::kEip1559;
      break;
    case v1::TRANSACTION_TYPE_UNSPECIFIED:
      break;
    default:
      reactor->Finish(ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("transaction.type: unknown value ", t.type()))));
      return reactor;
  }
  fields.chain_id = t.chain_id();
  fields.nonce = t.nonce();
  fields.to = t.to();
  fields.value = t.value();
  fields.data = t.data();
  fields.gas = t.gas();
  fields.gas_price = t.gas_price();
  fields.max_fee_per_gas = t.max_fee_per_gas();
  fields.max_priority_fee_per_gas = t.max_priority_fee_per_gas();
  vault_->SignTransactionAsync(
      request->wallet(), fields, Caller(*context),
      [reactor, response](absl::StatusOr<SignedTransaction> signed_tx) {
        if (!signed_tx.ok()) {
          return reactor->Finish(ToGrpc(signed_tx.status()));
        }
        response->set_raw(eth::ToHex(signed_tx->raw));
        response->set_hash(eth::ToHex(signed_tx->hash));
        response->set_from(signed_tx->from.ToChecksum());
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

namespace {

Vault::Done<SignatureResult> Answer(grpc::ServerUnaryReactor* reactor,
                                    v1::SignatureResponse* response) {
  return [reactor, response](absl::StatusOr<SignatureResult> r) {
    if (!r.ok()) return reactor->Finish(ToGrpc(r.status()));
    ToProto(*r, response);
    reactor->Finish(grpc::Status::OK);
  };
}

}  // namespace

grpc::ServerUnaryReactor* WalletServiceImpl::SignTypedData(
    grpc::CallbackServerContext* context,
    const v1::SignTypedDataRequest* request, v1::SignatureResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  vault_->SignTypedDataAsync(request->wallet(), request->typed_data_json(),
                             Caller(*context), Answer(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* WalletServiceImpl::SignMessage(
    grpc::CallbackServerContext* context, const v1::SignMessageRequest* request,
    v1::SignatureResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::string& message = request->message();
  vault_->SignMessageAsync(
      request->wallet(),
      eth::ByteView(reinterpret_cast<const uint8_t*>(message.data()),
                    message.size()),
      Caller(*context), Answer(reactor, response));
  return reactor;
}

grpc::Status WalletServiceImpl::SetPolicy(grpc::ServerContext*,
                                          const v1::SetPolicyRequest* request,
                                          v1::WalletPolicy* response) {
  const v1::Policy& p = request->policy();
  PolicyText text;
  text.allowed_chain_ids.assign(p.allowed_chain_ids().begin(),
                                p.allowed_chain_ids().end());
  text.allowed_to.assign(p.allowed_to().begin(), p.allowed_to().end());
  text.max_value_wei = p.max_value_wei();
  text.allowed_domain_names.assign(p.allowed_domain_names().begin(),
                                   p.allowed_domain_names().end());
  text.allowed_verifying_contracts.assign(
      p.allowed_verifying_contracts().begin(),
      p.allowed_verifying_contracts().end());
  for (const v1::TypedDataRule& r : p.typed_data_rules()) {
    TypedDataRuleText& rule = text.typed_data_rules.emplace_back();
    rule.primary_type = r.primary_type();
    rule.domain_name = r.domain_name();
    rule.domain_version = r.domain_version();
    rule.domain_chain_id = r.domain_chain_id();
    rule.domain_verifying_contract = r.domain_verifying_contract();
    rule.encode_type = r.encode_type();
    rule.message.assign(r.message().begin(), r.message().end());
  }
  text.allow_messages = p.allow_messages();
  absl::StatusOr<Policy> policy = PolicyFromText(text);
  if (!policy.ok()) return ToGrpc(policy.status());
  absl::StatusOr<WalletEntry> entry = vault_->Resolve(request->wallet());
  if (!entry.ok()) return ToGrpc(entry.status());
  absl::StatusOr<Policy> stored =
      vault_->SetPolicy(request->wallet(), *std::move(policy));
  if (!stored.ok()) return ToGrpc(stored.status());
  ToProto(*entry, *stored, response);
  return grpc::Status::OK;
}

grpc::Status WalletServiceImpl::GetPolicy(grpc::ServerContext*,
                                          const v1::GetPolicyRequest* request,
                                          v1::WalletPolicy* response) {
  absl::StatusOr<WalletEntry> entry = vault_->Resolve(request->wallet());
  if (!entry.ok()) return ToGrpc(entry.status());
  ToProto(*entry, entry->policy, response);
  return grpc::Status::OK;
}

}  // namespace poolops::wallet
