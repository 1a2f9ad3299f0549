// Vault signing throughput: in-process (Vault::SignTransaction, the path the
// gRPC adapter calls) and through gRPC over a unix socket with concurrent
// clients, with the real fsync'd audit log in a temporary home (group
// commit: "per_fsync" counts the records each fsync carried). Compare with
// BM_RawLibsecp256k1SignRecoverable (eth_sign_bench) and ethers (bench/run).
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "libs/common/server.h"
#include "poolops/wallet/v1/wallet.grpc.pb.h"
#include "services/wallet/test_audit_files.h"
#include "services/wallet/vault.h"
#include "services/wallet/wallet_service.h"

namespace poolops::wallet {
namespace {

constexpr char kKey[] =
    "4646464646464646464646464646464646464646464646464646464646464646";

// An audit sink that keeps nothing: isolates the signing path from fsync.
class DiscardAudit : public AuditSink {
 public:
  absl::Status Append(const AuditRecord&) override { return absl::OkStatus(); }
};

struct Fixture {
  std::filesystem::path home;
  test::FaultyAuditFiles files;  // no faults: counts the fsyncs
  std::unique_ptr<FileAuditLog> log;
  std::unique_ptr<Vault> vault;

  // `audit` null: the real audit log, <home>/audit.log, fsync'd.
  explicit Fixture(AuditSink* audit) {
    spdlog::set_level(spdlog::level::warn);  // keep stdout for the results
    char tmpl[] = "/tmp/poolops-bench-XXXXXX";
    home = mkdtemp(tmpl);
    if (audit == nullptr) {
      log = *FileAuditLog::Open(home / "audit.log", &files);
      audit = log.get();
    }
    VaultOptions options;
    options.home = home;
    options.encrypt.scrypt_n = 1024;  // creation cost is not what is measured
    options.audit = audit;
    vault = *Vault::Open(options);
    (void)vault->ImportPrivateKey("bench", kKey, "pw");
    (void)vault->Unlock("bench", "pw", absl::Hours(1));
  }
  ~Fixture() {
    vault.reset();
    log.reset();
    std::filesystem::remove_all(home);
  }
};

// Records per fsync over a run, from the fixture's fsync count.
class FsyncCounter {
 public:
  explicit FsyncCounter(Fixture& f) : f_(f), start_(f.files.syncs()) {}
  void Report(benchmark::State& state, int64_t records) {
    int syncs = f_.files.syncs() - start_;
    state.counters["per_fsync"] =
        syncs > 0 ? static_cast<double>(records) / syncs : 0;
  }

 private:
  Fixture& f_;
  const int start_;
};

TxFields Tx(uint64_t nonce) {
  TxFields tx;
  tx.chain_id = "134";
  tx.nonce = std::to_string(nonce);
  tx.to = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
  tx.value = "1000000000000000000";
  tx.data = std::string("\xd0\xe3\x0d\xb0", 4);
  tx.gas = "100000";
  tx.gas_price = "0";
  return tx;
}

void SignInProcess(benchmark::State& state, Vault* vault) {
  uint64_t nonce = 0;
  for (auto _ : state) {
    auto signed_tx = vault->SignTransaction("bench", Tx(nonce++), "bench");
    if (!signed_tx.ok())
      state.SkipWithError(signed_tx.status().ToString().c_str());
    benchmark::DoNotOptimize(signed_tx);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VaultSignTransactionInProcess(benchmark::State& state) {
  static DiscardAudit audit;
  static Fixture fixture(&audit);
  SignInProcess(state, fixture.vault.get());
}
BENCHMARK(BM_VaultSignTransactionInProcess);

// EIP-191 messages: the signing path without transaction parsing/encoding.
void BM_VaultSignMessageInProcess(benchmark::State& state) {
  static DiscardAudit audit;
  static Fixture fixture(&audit);
  uint64_t n = 0;
  for (auto _ : state) {
    std::string message = "poolops " + std::to_string(n++);
    auto sig = fixture.vault->SignMessage(
        "bench",
        eth::ByteView(reinterpret_cast<const uint8_t*>(message.data()),
                      message.size()),
        "bench");
    if (!sig.ok()) state.SkipWithError(sig.status().ToString().c_str());
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VaultSignMessageInProcess);

void BM_VaultSignTransactionInProcessFileAudit(benchmark::State& state) {
  static Fixture fixture(nullptr);  // <home>/audit.log, fsync
  std::optional<FsyncCounter> fsyncs;
  if (state.thread_index() == 0) fsyncs.emplace(fixture);
  SignInProcess(state, fixture.vault.get());
  if (fsyncs) fsyncs->Report(state, state.iterations() * state.threads());
}
BENCHMARK(BM_VaultSignTransactionInProcessFileAudit)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

// The vault service on a unix socket, as poolops runs it.
struct GrpcFixture {
  Fixture base{nullptr};
  WalletServiceImpl service{base.vault.get()};
  ServerControl control;
  std::thread thread;
  std::shared_ptr<grpc::Channel> channel;

  GrpcFixture() {
    ServerOptions options;
    options.service_name = "wallet-vault";
    options.home = base.home.string();
    options.listen = "unix:" + (base.home / "v.sock").string();
    options.metrics_listen = "";
    options.handle_signals = false;
    thread = std::thread([this, options] {
      (void)RunServer(options, {&service}, nullptr, &control);
    });
    control.WaitUntilServing(absl::Seconds(10));
    channel = grpc::CreateChannel(control.address(),
                                  grpc::InsecureChannelCredentials());
  }
  ~GrpcFixture() {
    control.Stop();
    thread.join();
  }
};

void BM_VaultSignTransactionGrpc(benchmark::State& state) {
  static GrpcFixture fixture;
  static std::atomic<uint64_t> nonce{0};
  std::optional<FsyncCounter> fsyncs;
  if (state.thread_index() == 0) fsyncs.emplace(fixture.base);
  auto stub = v1::WalletVault::NewStub(fixture.channel);
  for (auto _ : state) {
    v1::SignTransactionRequest request;
    request.set_wallet("bench");
    TxFields tx = Tx(nonce++);
    v1::TransactionFields* f = request.mutable_transaction();
    f->set_chain_id(tx.chain_id);
    f->set_nonce(tx.nonce);
    f->set_to(tx.to);
    f->set_value(tx.value);
    f->set_data(tx.data);
    f->set_gas(tx.gas);
    f->set_gas_price(tx.gas_price);
    v1::SignTransactionResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub->SignTransaction(&context, request, &response);
    if (!status.ok()) state.SkipWithError(status.error_message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (fsyncs) fsyncs->Report(state, state.iterations() * state.threads());
}
BENCHMARK(BM_VaultSignTransactionGrpc)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

// 64 (or N) clients in flight at once, driven by gRPC's callback client
// API on one thread, as gRPC's own QPS benchmarks drive load: the load
// generator's own thread switches do not eat the 2 cores the vault runs on.
class InFlightClients {
 public:
  // Runs `total` signatures, `clients` at a time; returns how many failed.
  static int64_t Run(v1::WalletVault::Stub* stub, int clients,
                     int64_t total) {
    // Shared with the callbacks: the last one may still hold it after Run
    // has seen the count reach zero.
    auto state = std::make_shared<State>(stub, total);
    for (int i = 0; i < clients; ++i) Start(state);
    absl::MutexLock lock(&state->mu);
    state->mu.Await(absl::Condition(
        +[](State* s) { return s->active == 0 && s->remaining == 0; },
        state.get()));
    return state->failed;
  }

 private:
  struct State {
    State(v1::WalletVault::Stub* stub, int64_t total)
        : stub(stub), remaining(total) {}
    v1::WalletVault::Stub* const stub;
    std::atomic<uint64_t> nonce{0};
    absl::Mutex mu;
    int64_t remaining ABSL_GUARDED_BY(mu);
    int active ABSL_GUARDED_BY(mu) = 0;
    int64_t failed ABSL_GUARDED_BY(mu) = 0;
  };
  struct Call {
    grpc::ClientContext context;
    v1::SignTransactionRequest request;
    v1::SignTransactionResponse response;
  };

  static void Start(std::shared_ptr<State> state) {
    {
      absl::MutexLock lock(&state->mu);
      if (state->remaining == 0) return;
      --state->remaining;
      ++state->active;
    }
    auto* call = new Call;
    call->request.set_wallet("bench");
    TxFields tx = Tx(state->nonce++);
    v1::TransactionFields* f = call->request.mutable_transaction();
    f->set_chain_id(tx.chain_id);
    f->set_nonce(tx.nonce);
    f->set_to(tx.to);
    f->set_value(tx.value);
    f->set_data(tx.data);
    f->set_gas(tx.gas);
    f->set_gas_price(tx.gas_price);
    state->stub->async()->SignTransaction(
        &call->context, &call->request, &call->response,
        [state, call](grpc::Status status) {
          delete call;
          {
            absl::MutexLock lock(&state->mu);
            --state->active;
            if (!status.ok()) ++state->failed;
          }
          Start(state);
        });
  }
};

void BM_VaultSignTransactionGrpcInFlight(benchmark::State& state) {
  static GrpcFixture fixture;
  auto stub = v1::WalletVault::NewStub(fixture.channel);
  FsyncCounter fsyncs(fixture.base);
  constexpr int64_t kBatch = 2000;
  int64_t signed_count = 0;
  for (auto _ : state) {
    if (InFlightClients::Run(stub.get(), state.range(0), kBatch) != 0) {
      state.SkipWithError("some signatures failed");
    }
    signed_count += kBatch;
  }
  state.SetItemsProcessed(signed_count);
  fsyncs.Report(state, signed_count);
  state.counters["records"] = signed_count;
}
BENCHMARK(BM_VaultSignTransactionGrpcInFlight)
    ->ArgName("clients")
    ->Arg(1)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace poolops::wallet

BENCHMARK_MAIN();
