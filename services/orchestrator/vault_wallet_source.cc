// WalletSource over the wallet-vault's gRPC API.
#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/status_grpc.h"
#include "poolops/wallet/v1/wallet.grpc.pb.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {
namespace {

namespace wv1 = ::poolops::wallet::v1;

class VaultWalletSource : public WalletSource {
 public:
  explicit VaultWalletSource(std::shared_ptr<grpc::Channel> channel)
      : stub_(wv1::WalletVault::NewStub(channel)) {}

  absl::StatusOr<std::optional<WalletKeystore>> Find(
      const std::string& name) override {
    wv1::GetWalletRequest get;
    get.set_wallet(name);
    wv1::Wallet w;
    auto ctx = Context(std::chrono::seconds(10));
    grpc::Status s = stub_->GetWallet(ctx.get(), get, &w);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
    if (!s.ok()) return FromGrpc(s);
    return Export(name);
  }

  absl::StatusOr<WalletKeystore> Create(const std::string& name,
                                        const std::string& password) override {
    wv1::CreateWalletRequest req;
    req.set_name(name);
    req.set_password(password);
    wv1::Wallet w;
    // Key derivation (scrypt N=2^17) takes a while on a loaded machine.
    auto ctx = Context(std::chrono::seconds(120));
    grpc::Status s = stub_->CreateWallet(ctx.get(), req, &w);
    std::fill(req.mutable_password()->begin(), req.mutable_password()->end(),
              0);
    if (!s.ok()) return FromGrpc(s);
    return Export(name);
  }

  absl::Status Import(const std::string& name, const std::string& keystore_json,
                      const std::string& password) override {
    wv1::ImportKeystoreRequest req;
    req.set_name(name);
    req.set_keystore_json(keystore_json);
    req.set_password(password);
    wv1::Wallet w;
    auto ctx = Context(std::chrono::seconds(120));  // scrypt, as Create
    grpc::Status s = stub_->ImportKeystore(ctx.get(), req, &w);
    std::fill(req.mutable_password()->begin(), req.mutable_password()->end(),
              0);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

  absl::Status Unlock(const std::string& name, const std::string& password,
                      uint64_t ttl_seconds) override {
    wv1::UnlockRequest req;
    req.set_wallet(name);
    req.set_password(password);
    req.set_ttl_seconds(ttl_seconds);
    // Never undo an operator's `wallet lock`: the vault refuses instead.
    req.set_respect_operator_lock(true);
    wv1::Wallet w;
    auto ctx = Context(std::chrono::seconds(120));
    grpc::Status s = stub_->Unlock(ctx.get(), req, &w);
    std::fill(req.mutable_password()->begin(), req.mutable_password()->end(),
              0);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

  absl::StatusOr<absl::Time> UnlockedUntil(const std::string& name) override {
    wv1::GetWalletRequest get;
    get.set_wallet(name);
    wv1::Wallet w;
    auto ctx = Context(std::chrono::seconds(10));
    grpc::Status s = stub_->GetWallet(ctx.get(), get, &w);
    if (!s.ok()) return FromGrpc(s);
    if (w.unlocked_until().empty()) return absl::InfinitePast();
    absl::Time until;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, w.unlocked_until(), &until,
                         &err)) {
      return absl::DataLossError(
          absl::StrCat("wallet ", name, ": bad unlocked_until: ", err));
    }
    return until;
  }

  absl::StatusOr<wv1::Policy> GetPolicy(const std::string& name) override {
    wv1::GetPolicyRequest req;
    req.set_wallet(name);
    wv1::WalletPolicy reply;
    auto ctx = Context(std::chrono::seconds(10));
    grpc::Status s = stub_->GetPolicy(ctx.get(), req, &reply);
    if (!s.ok()) return FromGrpc(s);
    return reply.policy();
  }

  absl::Status SetPolicy(const std::string& name,
                         const wv1::Policy& policy) override {
    wv1::SetPolicyRequest req;
    req.set_wallet(name);
    *req.mutable_policy() = policy;
    wv1::WalletPolicy reply;
    auto ctx = Context(std::chrono::seconds(10));
    grpc::Status s = stub_->SetPolicy(ctx.get(), req, &reply);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

 private:
  absl::StatusOr<WalletKeystore> Export(const std::string& name) {
    wv1::ExportKeystoreRequest req;
    req.set_wallet(name);
    wv1::ExportKeystoreResponse ks;
    auto ctx = Context(std::chrono::seconds(30));
    grpc::Status s = stub_->ExportKeystore(ctx.get(), req, &ks);
    if (!s.ok()) return FromGrpc(s);
    return WalletKeystore{name, ks.address(), ks.keystore_json()};
  }

  static std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::seconds timeout) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + timeout);
    ctx->AddMetadata("x-poolops-client", "orchestrator");
    return ctx;
  }

  std::unique_ptr<wv1::WalletVault::Stub> stub_;
};

}  // namespace

std::unique_ptr<WalletSource> NewVaultWalletSource(
    std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<VaultWalletSource>(std::move(channel));
}

}  // namespace poolops::orchestrator
