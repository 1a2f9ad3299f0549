// Rendering a pool of 1 core + N workers (target: 100 workers in < 1 s),
// from the YAML text to every bundle's files, with fake wallets.
#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "services/orchestrator/orchestrator.h"

namespace poolops::orchestrator {
namespace {

std::string PoolYaml(int workers) {
  std::string yaml =
      "name: bench\nchain: bellecour\nworkerpool: {owner_wallet: core, "
      "description: bench pool}\ncore: {target: 'ssh://root@core.example/opt', "
      "host: core.example, features: [rev-proxy-https, tee], letsencrypt_email: "
      "ops@example.org, tee: {scontain_username: u, scontain_password_file: "
      "/etc/hostname}}\nworkers:\n";
  for (int i = 0; i < workers; ++i) {
    absl::StrAppend(&yaml, "  - {name: w", i, ", target: 'ssh://root@w", i % 10,
                    ".example/opt', wallet: wallet", i, ", cpu: 4, tee: ",
                    i % 3 == 0 ? "true" : "false", "}\n");
  }
  return yaml;
}

void BM_RenderPool(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  FakeWalletSource vault;
  MemorySecretStore secrets;
  Dependencies deps;
  deps.wallets = &vault;
  deps.secrets = &secrets;
  Orchestrator orchestrator(std::move(deps));
  v1::SpecSource source;
  source.set_yaml(PoolYaml(workers));
  source.set_path("/tmp/bench.yaml");
  // The client sends the secrets of *_file fields (the orchestrator reads no
  // file a spec names).
  v1::SecretFile* scontain = source.add_secret_files();
  scontain->set_path("/etc/hostname");
  scontain->set_secret("bench-scontain-password");
  // Wallets and secrets exist after the first render (as after `pool up`).
  {
    auto loaded = orchestrator.LoadValid(source);
    absl::Status s = loaded.ok() ? orchestrator.Render(*loaded, true).status()
                                 : loaded.status();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  size_t files = 0;
  for (auto _ : state) {
    auto loaded = orchestrator.LoadValid(source);
    auto r = orchestrator.Render(*loaded, false);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    files = 0;
    for (const Bundle& b : r->bundles) files += b.files.size();
    benchmark::DoNotOptimize(files);
  }
  state.counters["files"] = static_cast<double>(files);
}
BENCHMARK(BM_RenderPool)->Arg(1)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace poolops::orchestrator

BENCHMARK_MAIN();
