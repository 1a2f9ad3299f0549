// Apply time of a pool with 1 worker vs 10 workers on local docker (target:
// 10 workers <= 2x one worker, by deploying workers in parallel). Real: the
// orchestrator's applier, docker-compose and a dockerd (DOCKER_HOST from
// scripts/dockerd.sh) on the host network, local: targets. Not real: the
// containers run the devnet's stack simulator images, not iExec's core and
// worker, and the chain, the vault and the secret store are in-memory fakes
// (FakeChainClient, FakeWalletSource, MemorySecretStore), so no transaction
// is sent: the figure is what the orchestrator and docker take, not a
// registration on a chain. Prints one JSON object.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "bench/docker_pool_bench.h"

namespace orch = poolops::orchestrator;

namespace {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Seconds for `up` of a fresh pool of `workers` workers, then down.
double ApplySeconds(int workers) {
  orch::ApplyOptions opts;
  opts.poll_interval = absl::Milliseconds(100);
  poolops::bench::DockerPool p(opts);
  const auto& dir = p.dir;
  auto& orchestrator = *p.orchestrator;
  auto& applier = *p.applier;
  std::string pool = absl::StrCat("bench", workers, "x", ::getpid());
  std::string yaml = absl::StrCat(
      "name: ", pool, "\nchain: devnet\nnetwork_mode: host\n",
      "chain_params: {rpc: 'http://127.0.0.1:8545', hub: "
      "'0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', chain_id: '65535'}\n",
      "workerpool: {owner_wallet: core, description: bench}\n",
      "images: {simulators: true, simulator_tag: bench}\n",
      "core: {target: 'local:", (dir.path() / "hosts").string(),
      "', host: 127.0.0.1, core_port: ", FreePort(),
      ", chain_adapter_port: ", FreePort(), ", grafana_port: ", FreePort(),
      "}\n", "orders: {publisher: none}\nworkers:\n");
  for (int i = 0; i < workers; ++i) {
    absl::StrAppend(&yaml, "  - {name: w", i,
                    ", target: 'local:", (dir.path() / "hosts").string(),
                    "', wallet: wallet", i, ", cpu: 1, results_dir: ",
                    (dir.path() / "results").string(), "}\n");
  }
  orch::v1::SpecSource src;
  src.set_yaml(yaml);
  src.set_path((dir.path() / "pool.yaml").string());
  auto loaded = orchestrator.LoadValid(src);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return -1;
  }
  auto start = std::chrono::steady_clock::now();
  auto r = applier.Up(*loaded, nullptr);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!r.ok()) {
    std::fprintf(stderr, "up failed: %s\n", r.status().ToString().c_str());
    seconds = -1;
  }
  applier.Down(pool, true).IgnoreError();
  return seconds;
}

}  // namespace

int main() {
  if (int built = poolops::bench::BuildBenchImages("pool_apply_bench"))
    return built;
  double one = ApplySeconds(1);
  double ten = ApplySeconds(10);
  std::printf(
      "{\"apply_1_worker_s\": %.2f, \"apply_10_workers_s\": %.2f, \"ratio\": "
      "%.2f}\n",
      one, ten, one > 0 ? ten / one : -1.0);
  return one > 0 && ten > 0 ? 0 : 1;
}
