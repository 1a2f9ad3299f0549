// Transactions and the operator's chain operations on a real devnet:
// balances, RLC transfers, stake, workerpool registration, reverts,
// concurrency, failover and a node restart.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "services/chain/chains/devnet_gateway_test_support.h"
#include "services/chain/tx/tx_sender.h"

namespace poolops::chain {
namespace {

using testing::DevnetGateway;

class ChainOpsDevnet : public ::testing::TestWithParam<devnet::Flavour> {
 protected:
  void SetUp() override {
    POOLOPS_REQUIRE_NPM_ASSETS();
    absl::Status s = d_.Start(GetParam());
    ASSERT_TRUE(s.ok()) << s;
  }
  DevnetGateway d_;
};

TEST_P(ChainOpsDevnet, BalancesDepositWithdrawAndSend) {
  ChainOps& ops = d_.ops();
  absl::StatusOr<WalletBalances> b = ops.Balances("", "acct1");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->address, d_.Address(1));
  EXPECT_FALSE(b->rlc_nrlc.IsZero());
  EXPECT_TRUE(b->stake_nrlc.IsZero());
  if (GetParam() == devnet::Flavour::kNative)
    EXPECT_EQ(b->rlc_nrlc, b->native_wei / eth::U256(1'000'000'000));

  std::vector<TxProgress::Stage> stages;
  absl::StatusOr<StakeOutcome> dep =
      ops.Deposit("", "acct1", 100,
                  [&](const TxProgress& p) { stages.push_back(p.stage); });
  ASSERT_TRUE(dep.ok()) << dep.status();
  EXPECT_EQ(dep->stake_nrlc, eth::U256(100));
  EXPECT_TRUE(dep->tx.receipt.success);
  ASSERT_GE(stages.size(), 3u);
  EXPECT_EQ(stages.back(), TxProgress::Stage::kMined);
  // The signer is told which operation signs (the vault's audit log).
  std::vector<std::string> purposes = d_.signer().purposes();
  ASSERT_FALSE(purposes.empty());
  EXPECT_EQ(purposes.back().rfind("tx deposit ", 0), 0u) << purposes.back();

  absl::StatusOr<StakeOutcome> wd = ops.Withdraw("", "acct1", 40, nullptr);
  ASSERT_TRUE(wd.ok()) << wd.status();
  EXPECT_EQ(wd->stake_nrlc, eth::U256(60));
  absl::Status too_much = ops.Withdraw("", "acct1", 61, nullptr).status();
  EXPECT_EQ(too_much.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(too_much.message().find("stake"), std::string::npos) << too_much;

  // By address works too (no vault lookup needed for reads).
  absl::StatusOr<EscrowAccount> acct =
      ops.Account("", d_.Address(1).ToChecksum());
  ASSERT_TRUE(acct.ok());
  EXPECT_EQ(acct->stake, eth::U256(60));

  absl::StatusOr<WalletBalances> before = ops.Balances("", "acct3");
  ASSERT_TRUE(before.ok());
  eth::U256 half_rlc = 500'000'000;  // 0.5 RLC in nRLC
  absl::StatusOr<TxOutcome> sent =
      ops.SendRlc("", "acct2", d_.Address(3), half_rlc, nullptr);
  ASSERT_TRUE(sent.ok()) << sent.status();
  absl::StatusOr<WalletBalances> after = ops.Balances("", "acct3");
  EXPECT_EQ(after->rlc_nrlc, before->rlc_nrlc + half_rlc);
}

TEST_P(ChainOpsDevnet, DepositBeyondTheWalletIsRefusedBeforeSending) {
  absl::StatusOr<WalletBalances> b = d_.ops().Balances("", "acct4");
  ASSERT_TRUE(b.ok());
  absl::Status s =
      d_.ops()
          .Deposit("", "acct4", b->rlc_nrlc + eth::U256(1), nullptr)
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("holds"), std::string::npos) << s;
  EXPECT_EQ(d_.ops().Deposit("", "nobody", 1, nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ChainOpsDevnet, RegistersAWorkerpoolOnceAndReadsItBack) {
  absl::StatusOr<DeployOutcome> dep =
      d_.ops().DeployWorkerpool("", "acct1", "my-workerpool", nullptr);
  ASSERT_TRUE(dep.ok()) << dep.status();
  // PoCo 5.5's registry on the devnet (the reference deployment's address);
  // PoCo 6's is at its Arbitrum address, so its pools land elsewhere.
  if (GetParam() != devnet::Flavour::kArbitrum) {
    EXPECT_EQ(dep->workerpool.ToChecksum(),
              "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  }
  absl::Status again =
      d_.ops().DeployWorkerpool("", "acct1", "my-workerpool", nullptr).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find(dep->workerpool.ToChecksum()),
            std::string::npos);
  absl::StatusOr<WorkerpoolInfo> w =
      d_.ops().GetWorkerpool("", dep->workerpool);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->owner, d_.Address(1));
  EXPECT_EQ(w->description, "my-workerpool");
  EXPECT_EQ(w->worker_stake_ratio, eth::U256(30));
  EXPECT_EQ(w->scheduler_reward_ratio, eth::U256(1));
  ASSERT_TRUE(d_.ops().DeployWorkerpool("", "acct1", "second", nullptr).ok());
  absl::StatusOr<std::vector<WorkerpoolInfo>> list =
      d_.ops().ListWorkerpools("", "acct1");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(d_.ops().ListWorkerpools("", "acct5")->empty());
}

// Read from the hub, not the chain's name: the PoCo 6 Diamond's loupe
// answers, PoCo 5.5's native hub (fallback) and token hub (revert) do not.
TEST_P(ChainOpsDevnet, ReadsWhichPocoTheHubRuns) {
  absl::StatusOr<PocoGeneration> g = d_.session().poco().Generation();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(*g, GetParam() == devnet::Flavour::kArbitrum
                    ? PocoGeneration::kPoco6
                    : PocoGeneration::kPoco5);
}

INSTANTIATE_TEST_SUITE_P(Flavours, ChainOpsDevnet,
                         ::testing::Values(devnet::Flavour::kNative,
                                           devnet::Flavour::kToken,
                                           devnet::Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(devnet::FlavourName(info.param));
                         });

TEST(TxSenderDevnet, RevertsComeBackWithTheReason) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  ChainSession& c = d.session();
  TxIntent intent;
  intent.wallet = "acct1";
  intent.to = c.config().hub;
  intent.data = PocoClient::WithdrawCall(eth::U256(1'000'000));  // no stake
  intent.label = "withdraw";
  // Estimation catches it first...
  absl::Status est = c.tx().Send(intent).status();
  EXPECT_EQ(est.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(est.message().find("would fail"), std::string::npos) << est;
  // ...and with a fixed gas limit it is mined, reverted, explained.
  intent.gas = 300'000;
  absl::Status mined = c.tx().Send(intent).status();
  EXPECT_EQ(mined.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(mined.message().find("reverted (transaction 0x"), std::string::npos)
      << mined;
  // The nonce was used: the next transaction goes through.
  intent.data = PocoClient::DepositCall();
  intent.value = 1'000'000'000;
  intent.gas.reset();
  EXPECT_TRUE(c.tx().Send(intent).ok());
}

TEST(TxSenderDevnet, TwoHundredConcurrentTransactionsFromOneAccount) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  ChainSession& c = d.session();
  uint64_t start = *c.eth().GetTransactionCount(d.Address(1), "latest");
  constexpr int kTx = 200, kThreads = 20;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<eth::Hash32> hashes;
  std::atomic<int> failures{0};
  std::vector<std::string> why;  // each failure, for the log
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kTx / kThreads; ++i) {
        TxIntent intent;
        intent.wallet = "acct1";
        intent.to = d.Address(6);
        intent.value = 1;
        intent.gas = 21'000;
        absl::StatusOr<TxOutcome> out = c.tx().Send(intent);
        if (!out.ok() || !out->receipt.success) {
          ++failures;
          std::lock_guard<std::mutex> lock(mu);
          why.push_back(out.ok() ? "reverted" : out.status().ToString());
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        hashes.insert(out->tx_hash);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << absl::StrJoin(why, "\n");
  EXPECT_EQ(hashes.size(), static_cast<size_t>(kTx));  // none doubled
  // Contiguous: the account's nonce moved by exactly kTx, none pending.
  EXPECT_EQ(*c.eth().GetTransactionCount(d.Address(1), "latest"), start + kTx);
  EXPECT_EQ(*c.eth().GetTransactionCount(d.Address(1), "pending"), start + kTx);
}

TEST(TxSenderDevnet, FailsOverToTheNextEndpointAndNamesDeadOnes) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  ChainConfig dead_first = *d.registry().Get("devnet");
  dead_first.name = "failover";
  // Port 9 (discard) on loopback refuses connections.
  dead_first.rpcs = {"http://127.0.0.1:9", d.state().rpc};
  ASSERT_TRUE(d.registry().Add(dead_first, false).ok());
  absl::StatusOr<WalletBalances> b = d.ops().Balances("failover", "acct1");
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<StakeOutcome> dep =
      d.ops().Deposit("failover", "acct1", 5, nullptr);
  ASSERT_TRUE(dep.ok()) << dep.status();

  ChainConfig all_dead = dead_first;
  all_dead.name = "alldead";
  all_dead.rpcs = {"http://127.0.0.1:9"};
  ASSERT_TRUE(d.registry().Add(all_dead, false).ok());
  JsonRpcClientOptions quick;
  quick.rounds = 1;
  Gateway g(&d.registry(), &d.signer(), http::NewCurlClient(), {}, quick);
  ChainOps ops(&g);
  absl::Status s = ops.Balances("alldead", "acct1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("127.0.0.1:9"), std::string::npos) << s;
}

TEST(TxSenderDevnet, KeepsWorkingAcrossANodeRestart) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  ASSERT_TRUE(d.ops().Deposit("", "acct1", 10, nullptr).ok());
  // devnet down saves the chain; up restores it (maybe on another port:
  // the registry's chain changes and the gateway opens a new session).
  ASSERT_TRUE(devnet::DevnetDown(d.home()).ok());
  devnet::DevnetOptions options;
  options.home = d.home();
  absl::StatusOr<devnet::DevnetState> again = devnet::DevnetUp(options);
  ASSERT_TRUE(again.ok()) << again.status();
  absl::StatusOr<StakeOutcome> dep = d.ops().Deposit("", "acct1", 10, nullptr);
  ASSERT_TRUE(dep.ok()) << dep.status();
  EXPECT_EQ(dep->stake_nrlc, eth::U256(20));  // the first deposit survived
  testing::KillAndWait(again->market_pid);
  testing::KillAndWait(again->pid);
}

}  // namespace
}  // namespace poolops::chain

namespace poolops::chain {
namespace {

// The node restarts while a transaction waits in its pool (not mined yet):
// the restarted node has forgotten it, and the sender broadcasts it again.
TEST(TxSenderDevnet, ResendsATransactionTheNodeLostInARestart) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  testing::DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  ChainSession& c = d.session();
  ASSERT_TRUE(
      c.rpc().Call("evm_setAutomine", nlohmann::json::array({false})).ok());
  uint64_t mined_before = *c.eth().GetTransactionCount(d.Address(1), "latest");
  absl::StatusOr<TxOutcome> result = absl::UnknownError("not run");
  std::thread sender([&] {
    TxIntent intent;
    intent.wallet = "acct1";
    intent.to = d.Address(8);
    intent.value = 12345;
    intent.gas = 21'000;
    result = c.tx().Send(intent);
  });
  // Wait until it sits in the pool.
  for (int i = 0; i < 500; ++i) {
    absl::StatusOr<uint64_t> pending =
        c.eth().GetTransactionCount(d.Address(1), "pending");
    if (pending.ok() && *pending > mined_before) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  // Down saves the chain (not the pool); up restores it on the same port
  // with automining.
  ASSERT_TRUE(devnet::DevnetDown(d.home()).ok());
  devnet::DevnetOptions options;
  options.home = d.home();
  options.port = d.state().port;
  // The sender keeps dialling the port while the node is down: one of its
  // connects (or another test's) may hold the port for a moment.
  absl::StatusOr<devnet::DevnetState> again = devnet::DevnetUp(options);
  for (int i = 0; i < 50 && absl::IsAlreadyExists(again.status()); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    again = devnet::DevnetUp(options);
  }
  ASSERT_TRUE(again.ok()) << again.status();
  sender.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->receipt.success);
  EXPECT_EQ(*c.eth().GetTransactionCount(d.Address(1), "latest"),
            mined_before + 1);
  testing::KillAndWait(again->market_pid);
  testing::KillAndWait(again->pid);
}

}  // namespace
}  // namespace poolops::chain
