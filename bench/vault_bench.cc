// Vault signing throughput: in-process (Vault::SignTransaction, the path the
// gRPC adapter calls) and through gRPC over a unix socket with concurrent
// clients, with the real fsync'd audit log in a temporary home (group
// commit: "per_fsync" counts the records each fsync carried). Compare with
// BM_RawLibsecp256k1SignRecoverable (eth_sign_bench) and ethers (bench/run).
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

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
    // As ServiceMain runs the services.
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
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

// The process's CPU time (every thread: clients, server, audit log).
absl::Duration ProcessCpu() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return absl::DurationFromTimeval(u.ru_utime) +
         absl::DurationFromTimeval(u.ru_stime);
}

// Records per fsync over a run, from the fixture's fsync count, and the
// process's CPU time per record: on a machine whose other load makes the
// rate noisy, cpu_us (clients and server together) is the steadier figure,
// and 2 cores / cpu_us is the rate it allows.
class FsyncCounter {
 public:
  explicit FsyncCounter(Fixture& f)
      : f_(f), start_(f.files.syncs()), cpu_start_(ProcessCpu()) {}
  void Report(benchmark::State& state, int64_t records) {
    int syncs = f_.files.syncs() - start_;
    state.counters["per_fsync"] =
        syncs > 0 ? static_cast<double>(records) / syncs : 0;
    state.counters["cpu_us"] =
        records > 0
            ? absl::ToDoubleMicroseconds(ProcessCpu() - cpu_start_) / records
            : 0;
  }

 private:
  Fixture& f_;
  const int start_;
  const absl::Duration cpu_start_;
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

v1::SignTransactionRequest SignRequest(uint64_t nonce) {
  v1::SignTransactionRequest request;
  request.set_wallet("bench");
  TxFields tx = Tx(nonce);
  v1::TransactionFields* f = request.mutable_transaction();
  f->set_chain_id(tx.chain_id);
  f->set_nonce(tx.nonce);
  f->set_to(tx.to);
  f->set_value(tx.value);
  f->set_data(tx.data);
  f->set_gas(tx.gas);
  f->set_gas_price(tx.gas_price);
  return request;
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
    v1::SignTransactionRequest request = SignRequest(nonce++);
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

// N clients with a call in flight each, driven from one thread through a
// completion queue, as gRPC's own QPS benchmarks and ghz drive load: the
// load generator's thread switches do not eat the 2 cores the vault runs on.
// Returns how many of `total` signatures failed.
int64_t RunInFlight(v1::WalletVault::Stub* stub, int clients, int64_t total) {
  struct Call {
    grpc::ClientContext context;
    v1::SignTransactionResponse response;
    grpc::Status status;
    std::unique_ptr<
        grpc::ClientAsyncResponseReader<v1::SignTransactionResponse>>
        reader;
  };
  static std::atomic<uint64_t> nonce{0};
  grpc::CompletionQueue cq;
  int64_t started = 0, failed = 0;
  auto start = [&] {
    auto* call = new Call;
    call->reader =
        stub->AsyncSignTransaction(&call->context, SignRequest(nonce++), &cq);
    call->reader->Finish(&call->response, &call->status, call);
    ++started;
  };
  for (int i = 0; i < clients && started < total; ++i) start();
  for (int64_t done = 0; done < total; ++done) {
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok)) break;
    auto* call = static_cast<Call*>(tag);
    if (!ok || !call->status.ok()) ++failed;
    delete call;
    if (started < total) start();
  }
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) delete static_cast<Call*>(tag);
  return failed;
}

void BM_VaultSignTransactionGrpcInFlight(benchmark::State& state) {
  static GrpcFixture fixture;
  auto stub = v1::WalletVault::NewStub(fixture.channel);
  FsyncCounter fsyncs(fixture.base);
  constexpr int64_t kBatch = 2000;
  int64_t signed_count = 0;
  for (auto _ : state) {
    if (RunInFlight(stub.get(), state.range(0), kBatch) != 0) {
      state.SkipWithError("some signatures failed");
    }
    signed_count += kBatch;
  }
  state.SetItemsProcessed(signed_count);
  fsyncs.Report(state, signed_count);
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
