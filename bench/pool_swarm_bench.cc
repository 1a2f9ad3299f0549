// `pool up` of 1 core + N workers (default 20) to every worker alive at the
// core, on the two-node swarm of scripts/swarm.sh (swarm://local: one stack
// for the core on node 1, one for the workers, half placed on each node) and
// on local compose on node 1's daemon (one local target for the workers).
// Real: the orchestrator's applier with its gates, docker stack deploy and
// docker-compose, both daemons, the host network. Not real: the stack
// simulator images (built on node 1, loaded into node 2), the chain, vault
// and secrets (in-memory fakes). `--quick`: 2 workers. Prints one JSON
// object; exit 2 without the swarm.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/docker_pool_bench.h"
#include "libs/common/net.h"

namespace orch = poolops::orchestrator;
namespace fs = std::filesystem;

namespace {

std::string Sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[256];
  while (p != nullptr && std::fgets(buf, sizeof(buf), p)) out += buf;
  if (p != nullptr) ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Seconds from `pool up` to its return (every worker alive), -1 on failure.
double UpTime(bool swarm, int workers, const std::string& node1,
              const std::string& node2) {
  orch::ApplyOptions opts;
  opts.poll_interval = absl::Milliseconds(200);
  opts.core_healthy_timeout = absl::Minutes(3);
  opts.workers_alive_timeout = absl::Minutes(3);
  poolops::bench::DockerPool p(opts);
  const std::string pool = absl::StrCat(swarm ? "bsw" : "bco", ::getpid());
  const std::string results = (p.dir.path() / "results").string();
  const std::string target =
      swarm ? std::string("swarm://local")
            : absl::StrCat("local:", (p.dir.path() / "hosts").string());
  std::string yaml = absl::StrCat(
      "name: ", pool,
      "\nchain: devnet\nnetwork_mode: host\nstack_version: v9.3\n"
      "chain_params: {rpc: 'http://127.0.0.1:8545', hub: "
      "'0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', chain_id: '65535'}\n"
      "workerpool: {owner_wallet: core, description: bench}\n"
      "images: {simulators: true, simulator_tag: bench}\n",
      "core: {target: '", target,
      "', host: 127.0.0.1, core_port: ", *poolops::net::FreeLoopbackPort(),
      ", chain_adapter_port: ", *poolops::net::FreeLoopbackPort(),
      ", grafana_port: ", *poolops::net::FreeLoopbackPort(),
      ", config_server_port: ", *poolops::net::FreeLoopbackPort(),
      swarm ? absl::StrCat(", placement: {node: ", node1, "}") : "",
      "}\norders: {publisher: poolops}\nworkers:\n");
  for (int i = 0; i < workers; ++i) {
    fs::create_directories(fs::path(results) / absl::StrCat("w", i));
    absl::StrAppend(
        &yaml, "  - {name: w", i, ", target: '", target, "', wallet: wallet", i,
        ", cpu: 1, results_dir: ", results,
        swarm ? absl::StrCat(", placement: {node: ", i % 2 ? node2 : node1, "}")
              : "",
        "}\n");
  }
  orch::v1::SpecSource src;
  src.set_yaml(yaml);
  src.set_path((p.dir.path() / "pool.yaml").string());
  auto spec = p.orchestrator->LoadValid(src);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", spec.status().ToString().c_str());
    return -1;
  }
  auto start = std::chrono::steady_clock::now();
  auto r = p.applier->Up(*spec, nullptr);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!r.ok()) {
    std::fprintf(stderr, "%s up: %s\n", swarm ? "swarm" : "compose",
                 r.status().ToString().c_str());
    seconds = -1;
  }
  p.applier->Down(pool, true).IgnoreError();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int workers = quick ? 2 : 20;
  const char* h1 = std::getenv("POOLOPS_SWARM_HOST");
  const char* h2 = std::getenv("POOLOPS_SWARM_HOST2");
  if (h1 == nullptr || h2 == nullptr) {
    std::fprintf(stderr,
                 "pool_swarm_bench: no swarm (source scripts/swarm.sh; "
                 "start_swarm)\n");
    return 2;
  }
  // Both engines on node 1's daemon: compose there, the swarm's manager.
  ::setenv("DOCKER_HOST", h1, 1);
  if (int rc = poolops::bench::BuildBenchImages("pool_swarm_bench"); rc != 0) {
    return rc;
  }
  if (std::system(absl::StrCat("docker save $(docker images --format "
                               "'{{.Repository}}:{{.Tag}}' | grep ':bench$') | "
                               "docker -H '",
                               h2, "' load -q >/dev/null")
                      .c_str()) != 0) {
    std::fprintf(stderr, "pool_swarm_bench: loading images into node 2\n");
    return 1;
  }
  const std::string node1 = Sh("docker info -f '{{.Swarm.NodeID}}'");
  const std::string node2 =
      Sh(absl::StrCat("docker -H '", h2, "' info -f '{{.Swarm.NodeID}}'"));
  const double compose = UpTime(false, workers, node1, node2);
  const double swarm = UpTime(true, workers, node1, node2);
  std::printf(
      "{\"workers\": %d, \"compose_seconds\": %s, \"swarm_seconds\": %s}\n",
      workers, absl::StrFormat("%.1f", compose).c_str(),
      absl::StrFormat("%.1f", swarm).c_str());
  return compose < 0 || swarm < 0 ? 1 : 0;
}
