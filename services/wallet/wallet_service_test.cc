// The wallet-vault service through a real gRPC stack: RunServer on a unix
// socket in a temp home, a generated stub on the client side.
#include "services/wallet/wallet_service.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/health_client.h"
#include "libs/common/server.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"
#include "nlohmann/json.hpp"
#include "services/chain/tx/vault_signer.h"
#include "services/wallet/test_random.h"

namespace poolops::wallet {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::poolops::wallet::v1;

constexpr char kKey[] =
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr char kAddress[] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
constexpr char kPassword[] = "pw for the service test";

class WalletServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultOptions vo;
    vo.home = home_.path();
    vo.random = &random_;
    vo.encrypt.scrypt_n = 1024;
    absl::StatusOr<std::unique_ptr<Vault>> vault = Vault::Open(vo);
    ASSERT_TRUE(vault.ok()) << vault.status();
    vault_ = std::move(*vault);
    service_ = std::make_unique<WalletServiceImpl>(vault_.get());

    ServerOptions so;
    so.service_name = "wallet-vault";
    so.home = home_.path().string();
    so.listen = "unix:" + (home_.path() / "v.sock").string();
    so.metrics_listen = "";
    so.handle_signals = false;
    thread_ = std::thread([this, so] {
      server_status_ = RunServer(so, {service_.get()}, nullptr, &control_);
    });
    ASSERT_TRUE(control_.WaitUntilServing(absl::Seconds(10))) << server_status_;
    channel_ = grpc::CreateChannel(control_.address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::WalletVault::NewStub(channel_);
  }
  void TearDown() override {
    control_.Stop();
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(server_status_.ok()) << server_status_;
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    ctx->AddMetadata("x-poolops-client", "service-test");
    return ctx;
  }

  std::vector<nlohmann::json> AuditLines() {
    std::ifstream in(home_.path() / "audit.log");
    std::vector<nlohmann::json> out;
    std::string line;
    while (std::getline(in, line)) {
      EXPECT_EQ(CheckAuditLine(line), AuditLineState::kSealed) << line;
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

  void Unlock(const std::string& name) {
    v1::UnlockRequest unlock;
    unlock.set_wallet(name);
    unlock.set_password(kPassword);
    v1::Wallet w;
    grpc::Status s = stub_->Unlock(Ctx().get(), unlock, &w);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Wallet Import(const std::string& name) {
    v1::ImportPrivateKeyRequest req;
    req.set_name(name);
    req.set_private_key_hex(kKey);
    req.set_password(kPassword);
    v1::Wallet w;
    grpc::Status s = stub_->ImportPrivateKey(Ctx().get(), req, &w);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return w;
  }

  test::TempDir home_;
  test::DeterministicRandom random_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<WalletServiceImpl> service_;
  ServerControl control_;
  absl::Status server_status_;
  std::thread thread_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::WalletVault::Stub> stub_;
};

TEST_F(WalletServiceTest, ServesHealth) {
  absl::StatusOr<HealthState> h = CheckHealth(*channel_, "", absl::Seconds(5));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, HealthState::kServing);
}

TEST_F(WalletServiceTest, ImportUnlockSignLock) {
  v1::Wallet w = Import("core");
  EXPECT_EQ(w.name(), "core");
  EXPECT_EQ(w.address(), kAddress);
  EXPECT_TRUE(w.locked());
  EXPECT_EQ(w.unlocked_until(), "");
  EXPECT_THAT(w.keystore(), HasSubstr("/keystore/UTC--"));

  v1::ListWalletsResponse list;
  ASSERT_TRUE(stub_->ListWallets(Ctx().get(), {}, &list).ok());
  ASSERT_EQ(list.wallets_size(), 1);
  EXPECT_EQ(list.wallets(0).address(), kAddress);

  v1::UnlockRequest unlock;
  unlock.set_wallet(absl::AsciiStrToLower(kAddress));
  unlock.set_password(kPassword);
  unlock.set_ttl_seconds(120);
  v1::Wallet unlocked;
  grpc::Status s = stub_->Unlock(Ctx().get(), unlock, &unlocked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(unlocked.locked());
  EXPECT_THAT(unlocked.unlocked_until(), ::testing::EndsWith("Z"));

  v1::SignTransactionRequest tx;
  tx.set_wallet("core");
  v1::TransactionFields* f = tx.mutable_transaction();
  f->set_chain_id("134");
  f->set_nonce("1");
  f->set_to("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  f->set_value("0");
  f->set_data(std::string("\xd0\xe3\x0d\xb0", 4));
  f->set_gas("100000");
  f->set_gas_price("0");
  v1::SignTransactionResponse signed_tx;
  s = stub_->SignTransaction(Ctx().get(), tx, &signed_tx);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(signed_tx.from(), kAddress);
  absl::StatusOr<eth::Bytes> raw = eth::FromHex(signed_tx.raw());
  ASSERT_TRUE(raw.ok());
  absl::StatusOr<eth::SignedTransaction> decoded = eth::DecodeSigned(*raw);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->from.ToChecksum(), kAddress);
  EXPECT_EQ(eth::ToHex(decoded->hash), signed_tx.hash());

  v1::SignMessageRequest msg;
  msg.set_wallet("core");
  msg.set_message("hello");
  v1::SignatureResponse sig;
  s = stub_->SignMessage(Ctx().get(), msg, &sig);
  ASSERT_TRUE(s.ok()) << s.error_message();
  absl::StatusOr<eth::Bytes> rsv = eth::FromHex(sig.signature());
  absl::StatusOr<eth::Bytes> digest = eth::FromHex(sig.digest());
  ASSERT_TRUE(rsv.ok() && digest.ok());
  eth::Hash32 d;
  std::copy(digest->begin(), digest->end(), d.begin());
  EXPECT_EQ(eth::RecoverAddress(d, *rsv)->ToChecksum(), kAddress);

  v1::Wallet locked;
  v1::LockRequest lock;
  lock.set_wallet("core");
  ASSERT_TRUE(stub_->Lock(Ctx().get(), lock, &locked).ok());
  EXPECT_TRUE(locked.locked());
  s = stub_->SignMessage(Ctx().get(), msg, &sig);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "wallet core is locked; unlock it first");

  // The audit log names the peer and, apart, the client's own label.
  std::vector<nlohmann::json> lines = AuditLines();
  for (const nlohmann::json& j : lines) {
    EXPECT_EQ(j["caller"], "unix");
    EXPECT_EQ(j["client"], "service-test");
    EXPECT_TRUE(j["purpose"].is_null());
  }
  EXPECT_EQ(lines.size(), 3u);  // tx, message, locked refusal
}

TEST_F(WalletServiceTest, ErrorsKeepTheirCodes) {
  v1::GetWalletRequest get;
  get.set_wallet("nobody");
  v1::Wallet w;
  grpc::Status s = stub_->GetWallet(Ctx().get(), get, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("nobody"));

  Import("core");
  v1::ImportPrivateKeyRequest dup;
  dup.set_name("again");
  dup.set_private_key_hex(kKey);
  dup.set_password(kPassword);
  s = stub_->ImportPrivateKey(Ctx().get(), dup, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(kAddress));

  v1::UnlockRequest bad;
  bad.set_wallet("core");
  bad.set_password("wrong");
  s = stub_->Unlock(Ctx().get(), bad, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(), "incorrect password");

  v1::SignTransactionRequest tx;
  tx.set_wallet("core");
  tx.mutable_transaction()->set_chain_id("0");
  v1::SignTransactionResponse r;
  s = stub_->SignTransaction(Ctx().get(), tx, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("chain_id"));
}

TEST_F(WalletServiceTest, PolicyAndExport) {
  Import("core");
  v1::SetPolicyRequest set;
  set.set_wallet("core");
  set.mutable_policy()->add_allowed_chain_ids("134");
  set.mutable_policy()->add_allowed_to(
      "0x3eca1b216a7df1c7689aeb259ffb83adfb894e7f");
  set.mutable_policy()->set_max_value_wei("1000");
  v1::WalletPolicy got;
  grpc::Status s = stub_->SetPolicy(Ctx().get(), set, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.address(), kAddress);
  EXPECT_EQ(got.policy().allowed_to(0),
            "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  v1::GetPolicyRequest get;
  get.set_wallet("core");
  v1::WalletPolicy again;
  ASSERT_TRUE(stub_->GetPolicy(Ctx().get(), get, &again).ok());
  EXPECT_EQ(again.policy().max_value_wei(), "1000");
  EXPECT_EQ(again.policy().allowed_chain_ids(0), "134");

  set.mutable_policy()->add_allowed_to("0xnope");
  s = stub_->SetPolicy(Ctx().get(), set, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("allowed_to[1]"));

  v1::ExportKeystoreRequest exp;
  exp.set_wallet("core");
  v1::ExportKeystoreResponse ks;
  ASSERT_TRUE(stub_->ExportKeystore(Ctx().get(), exp, &ks).ok());
  EXPECT_EQ(ks.address(), kAddress);
  EXPECT_THAT(ks.file_name(), ::testing::StartsWith("UTC--"));
  nlohmann::json j = nlohmann::json::parse(ks.keystore_json());
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(ks.keystore_json().find(kKey), std::string::npos);
}

// chain-gateway's signer says who it is and which operation signs; the
// vault records that beside the peer it saw (bounded).
TEST_F(WalletServiceTest, TheGatewaysSignerDeclaresItsPurpose) {
  Import("core");
  Unlock("core");
  chain::VaultSigner signer(channel_);
  eth::Transaction tx;
  tx.chain_id = 134;
  tx.nonce = 3;
  tx.to = *eth::Address::Parse("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  tx.gas = 100000;
  ASSERT_TRUE(signer.SignTransaction("core", tx, "tx deposit 100 nRLC").ok());
  nlohmann::json typed = nlohmann::json::parse(R"({
    "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
              "Challenge": [{"name": "challenge", "type": "string"}]},
    "domain": {"name": "iExec Market"},
    "primaryType": "Challenge",
    "message": {"challenge": "abc"}})");
  ASSERT_TRUE(
      signer
          .SignTypedData("core", typed,
                         "market challenge \xc3\xa9 " + std::string(500, 'x'))
          .ok());
  std::vector<nlohmann::json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["caller"], "unix");  // the transport's word, not a claim
  EXPECT_EQ(lines[0]["client"], "chain-gateway");
  EXPECT_EQ(lines[0]["purpose"], "tx deposit 100 nRLC");
  std::string purpose = lines[1]["purpose"];
  EXPECT_EQ(purpose.substr(0, 20), "market challenge ?? ");
  EXPECT_EQ(purpose.size(), 200u);
}

// Many signers at once through the callback-served methods: every answer
// arrives and has its sealed record.
TEST_F(WalletServiceTest, ConcurrentSignersThroughGrpcAllGetRecords) {
  Import("core");
  Unlock("core");
  constexpr int kThreads = 16, kEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        v1::SignMessageRequest msg;
        msg.set_wallet("core");
        msg.set_message(absl::StrCat("m", t, "-", i));
        v1::SignatureResponse sig;
        if (!stub_->SignMessage(Ctx().get(), msg, &sig).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(AuditLines().size(), static_cast<size_t>(kThreads * kEach));
  absl::StatusOr<AuditLogReport> report =
      VerifyAuditLog(home_.path() / "audit.log");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// The unlock password does not linger in the request gRPC hands over: the
// handler wipes its bytes in place (a success or a failure alike), and the
// private key of an import too.
TEST_F(WalletServiceTest, HandlersWipeSecretsFromTheirRequests) {
  Import("core");
  for (const std::string password :
       {std::string(kPassword), std::string("a wrong but long password")}) {
    v1::UnlockRequest req;
    req.set_wallet("core");
    req.set_password(password);
    req.set_ttl_seconds(60);
    const char* bytes = req.password().data();
    const size_t size = req.password().size();
    ASSERT_GT(size, 16u) << "on the heap, not in the string itself";
    grpc::ServerContext ctx;
    v1::Wallet w;
    grpc::Status s = service_->Unlock(&ctx, &req, &w);
    EXPECT_EQ(s.ok(), password == kPassword) << s.error_message();
    EXPECT_TRUE(req.password().empty());
    EXPECT_EQ(req.password().data(), bytes) << "wiped in place";
    EXPECT_EQ(std::string_view(bytes, size), std::string(size, '\0'));
  }
  v1::ImportPrivateKeyRequest imp;
  imp.set_name("other");
  imp.set_private_key_hex(
      "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  imp.set_password(kPassword);
  grpc::ServerContext ctx;
  v1::Wallet w;
  ASSERT_TRUE(service_->ImportPrivateKey(&ctx, &imp, &w).ok());
  EXPECT_TRUE(imp.private_key_hex().empty());
  EXPECT_TRUE(imp.password().empty());
  v1::CreateWalletRequest create;
  create.set_name("fresh");
  create.set_password(kPassword);
  grpc::ServerContext ctx2;
  ASSERT_TRUE(service_->CreateWallet(&ctx2, &create, &w).ok());
  EXPECT_TRUE(create.password().empty());
}

TEST_F(WalletServiceTest, OperatorLockReasonAndAutomatedUnlocks) {
  Import("core");
  v1::Wallet w;
  v1::GetWalletRequest get;
  get.set_wallet("core");
  ASSERT_TRUE(stub_->GetWallet(Ctx().get(), get, &w).ok());
  EXPECT_EQ(w.lock_reason(), "not-unlocked");
  EXPECT_EQ(w.locked_at(), "");

  v1::LockRequest lock;
  lock.set_wallet("core");
  ASSERT_TRUE(stub_->Lock(Ctx().get(), lock, &w).ok());
  EXPECT_EQ(w.lock_reason(), "operator");
  EXPECT_THAT(w.locked_at(), ::testing::EndsWith("Z"));

  v1::UnlockRequest keeper;
  keeper.set_wallet("core");
  keeper.set_password(kPassword);
  keeper.set_respect_operator_lock(true);
  grpc::Status s = stub_->Unlock(Ctx().get(), keeper, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("locked by the operator"));

  v1::ListWalletsResponse list;
  ASSERT_TRUE(stub_->ListWallets(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.wallets(0).lock_reason(), "operator");

  v1::UnlockRequest op = keeper;
  op.set_respect_operator_lock(false);
  ASSERT_TRUE(stub_->Unlock(Ctx().get(), op, &w).ok());
  EXPECT_EQ(w.lock_reason(), "");
  EXPECT_EQ(w.locked_at(), "");
  ASSERT_TRUE(stub_->Unlock(Ctx().get(), keeper, &w).ok());
}

TEST_F(WalletServiceTest, TypedDataRulesAndMessagesThroughTheApi) {
  Import("core");
  v1::SetPolicyRequest set;
  set.set_wallet("core");
  v1::TypedDataRule* rule = set.mutable_policy()->add_typed_data_rules();
  rule->set_primary_type("Challenge");
  rule->set_domain_name("iExec Gateway");
  rule->set_domain_chain_id("134");
  rule->set_encode_type("Challenge(string challenge)");
  (*rule->mutable_message())["challenge"] = "abc";
  v1::WalletPolicy got;
  grpc::Status s = stub_->SetPolicy(Ctx().get(), set, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(got.policy().typed_data_rules_size(), 1);
  EXPECT_EQ(got.policy().typed_data_rules(0).message().at("challenge"), "abc");
  EXPECT_FALSE(got.policy().allow_messages());

  v1::UnlockRequest unlock;
  unlock.set_wallet("core");
  unlock.set_password(kPassword);
  v1::Wallet w;
  ASSERT_TRUE(stub_->Unlock(Ctx().get(), unlock, &w).ok());
  v1::SignMessageRequest msg;
  msg.set_wallet("core");
  msg.set_message("hello");
  v1::SignatureResponse sig;
  s = stub_->SignMessage(Ctx().get(), msg, &sig);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("policy allow_messages"));

  set.mutable_policy()->set_allow_messages(true);
  ASSERT_TRUE(stub_->SetPolicy(Ctx().get(), set, &got).ok());
  EXPECT_TRUE(stub_->SignMessage(Ctx().get(), msg, &sig).ok());

  rule->set_domain_verifying_contract("0xnope");
  s = stub_->SetPolicy(Ctx().get(), set, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("typed_data_rules[0].domain_verifying_contract"));
}

}  // namespace
}  // namespace poolops::wallet
