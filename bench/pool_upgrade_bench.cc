// An upgrade of 1 core + N workers (default 10) from v8.3 to v9.3 on local
// docker, with rollout.workers_at_once 1 and 5: the time `pool up` takes
// and the fewest workers the core counted alive while they were rolled
// (polled every 200 ms by a watcher, and as the rollout itself reports).
// Real: the orchestrator's applier with its default gates (a replaced
// worker settles 10 s; the last gate waits the core's one-minute alive
// window), docker-compose and a dockerd (DOCKER_HOST) on the host network,
// one local target per worker. Not real: the devnet's stack simulator
// images play core and workers (they ping every 10 s, as iexec-worker
// does), and the chain, the vault and the secret store are in-memory fakes.
// `--quick` (bench/run --quick): 2 workers, short gates; not a measurement.
// Prints one JSON object.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/docker_pool_bench.h"
#include "libs/common/net.h"

namespace orch = poolops::orchestrator;

namespace {

struct Run {
  int at_once = 0;
  double seconds = -1;
  int fewest_alive = -1;  // seen by the watcher while workers rolled
  std::string rollout;    // the roll-workers step's own account
};

// v8.3 up (not timed), then the timed v9.3 up, then down.
Run Upgrade(int workers, int at_once, bool quick) {
  Run out;
  out.at_once = at_once;
  orch::ApplyOptions opts;
  opts.poll_interval = absl::Milliseconds(200);
  if (quick) {
    opts.worker_settle = absl::Seconds(1);
    opts.core_alive_window = absl::Seconds(2);
  }
  poolops::bench::DockerPool p(opts);
  const auto& dir = p.dir;
  auto& orchestrator = *p.orchestrator;
  auto& applier = *p.applier;
  auto& health = p.health;
  const std::string pool = absl::StrCat("upg", at_once, "x", ::getpid());
  const int core_port = *poolops::net::FreeLoopbackPort();
  auto spec = [&](const std::string& stack) {
    std::string yaml = absl::StrCat(
        "name: ", pool,
        "\nchain: devnet\nnetwork_mode: host\nstack_version: ", stack,
        "\nchain_params: {rpc: 'http://127.0.0.1:8545', hub: "
        "'0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', chain_id: '65535'}\n",
        "workerpool: {owner_wallet: core, description: bench}\n",
        "images: {simulators: true, simulator_tag: bench}\n",
        "rollout: {workers_at_once: ", at_once, "}\n",
        "core: {target: 'local:", (dir.path() / "core").string(),
        "', host: 127.0.0.1, core_port: ", core_port,
        ", chain_adapter_port: ", *poolops::net::FreeLoopbackPort(),
        ", grafana_port: ", *poolops::net::FreeLoopbackPort(),
        ", config_server_port: ", *poolops::net::FreeLoopbackPort(), "}\n",
        "orders: {publisher: poolops}\nworkers:\n");
    for (int i = 0; i < workers; ++i) {
      absl::StrAppend(
          &yaml, "  - {name: w", i,
          ", target: 'local:", (dir.path() / absl::StrCat("h", i)).string(),
          "', wallet: wallet", i,
          ", cpu: 1, results_dir: ", (dir.path() / "results").string(), "}\n");
    }
    orch::v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir.path() / "pool.yaml").string());
    return orchestrator.LoadValid(src);
  };
  auto v8 = spec("v8.3");
  auto v9 = spec("v9.3");
  if (!v8.ok() || !v9.ok()) {
    std::fprintf(stderr, "%s\n",
                 (v8.ok() ? v9.status() : v8.status()).ToString().c_str());
    return out;
  }
  if (auto r = applier.Up(*v8, nullptr); !r.ok()) {
    std::fprintf(stderr, "v8.3 up: %s\n", r.status().ToString().c_str());
    applier.Down(pool, true).IgnoreError();
    return out;
  }
  std::atomic<bool> rolling{false}, done{false};
  std::atomic<int> fewest{workers};
  std::thread watcher([&] {
    while (!done) {
      if (rolling) {
        auto m = health->Core("127.0.0.1", core_port);
        if (m.ok() && m->alive_workers < fewest) fewest = m->alive_workers;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  });
  auto start = std::chrono::steady_clock::now();
  auto r = applier.Up(*v9, [&](const orch::v1::UpEvent& e) {
    if (!e.has_step() || e.step().action().step() != "roll-workers") return;
    if (e.step().state() == orch::v1::StepEvent::STATE_STARTED) rolling = true;
    if (e.step().state() == orch::v1::StepEvent::STATE_DONE) {
      rolling = false;
      out.rollout = e.step().message();
    }
  });
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  done = true;
  watcher.join();
  if (r.ok()) {
    out.seconds = seconds;
    out.fewest_alive = fewest;
  } else {
    std::fprintf(stderr, "v9.3 up: %s\n", r.status().ToString().c_str());
  }
  applier.Down(pool, true).IgnoreError();
  return out;
}

std::string Json(const Run& r) {
  std::string rollout;
  for (char c : r.rollout) {
    if (c == '"' || c == '\\') rollout += '\\';
    rollout += c;
  }
  return absl::StrCat("{\"at_once\": ", r.at_once,
                      ", \"seconds\": ", absl::StrFormat("%.1f", r.seconds),
                      ", \"fewest_alive\": ", r.fewest_alive,
                      ", \"rollout\": \"", rollout, "\"}");
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  if (int built = poolops::bench::BuildBenchImages("pool_upgrade_bench"))
    return built;
  const int workers = quick ? 2 : 10;
  Run one = Upgrade(workers, 1, quick);
  Run five = Upgrade(workers, quick ? 2 : 5, quick);
  std::printf("{\"workers\": %d, \"at_once_1\": %s, \"at_once_5\": %s}\n",
              workers, Json(one).c_str(), Json(five).c_str());
  return one.seconds > 0 && five.seconds > 0 ? 0 : 1;
}
