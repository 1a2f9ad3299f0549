// monitor: 1,000 HTTP targets on loopback probed per round (target <= 2 s on
// 2 cores) and the service's memory with them (target < 50 MB RSS).
//
// The targets are 250 pools x (core /metrics, core /actuator/health, adapter
// /config/chain, grafana /api/health), served by a forked child: a
// single-threaded epoll server on 50 loopback ports (Connection: close, as
// the monitor never reuses connections across targets).
//   BM_MonitorRound1000Targets   in-process Monitor::RunRound, real curl prober
//   BM_MonitorService1000Targets the poolops-monitor binary with the same
//                                pools: its round duration gauge and VmRSS
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/health_client.h"
#include "libs/common/suite.h"
#include "poolops/monitor/v1/monitor.grpc.pb.h"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/monitor.h"

namespace {

namespace mon = poolops::monitor;
constexpr int kPools = 250;
constexpr int kPorts = 50;

std::string Response(const std::string& request) {
  std::string body;
  if (absl::StrContains(request, "/metrics")) {
    body =
        R"({"aliveWorkers":2,"aliveTotalCpu":4,"aliveAvailableCpu":4,"aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":0})";
  } else if (absl::StrContains(request, "/actuator/health")) {
    body = R"({"status":"UP"})";
  } else if (absl::StrContains(request, "/config/chain")) {
    body =
        R"({"chainId":65535,"sidechain":true,"chainNodeUrl":"http://127.0.0.1:8545","iexecHubContractAddress":"0xBF6B2B07e47326B7c8bfCb4A5460bef9f0Fd2002","blockTime":"PT1S"})";
  } else {
    body = R"({"commit":"bench","database":"ok","version":"bench"})";
  }
  return absl::StrCat(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      "Content-Length: ",
      body.size(), "\r\nConnection: close\r\n\r\n", body);
}

// Serves until killed. Returns the ports through `ports_pipe`.
[[noreturn]] void ServeTargets(int ports_pipe) {
  int ep = ::epoll_create1(0);
  std::vector<int> ports;
  std::map<int, bool> listeners;
  for (int i = 0; i < kPorts; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd, 4096);
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ports.push_back(ntohs(addr.sin_port));
    listeners[fd] = true;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  (void)!::write(ports_pipe, ports.data(), ports.size() * sizeof(int));
  ::close(ports_pipe);
  std::map<int, std::string> pending;
  epoll_event events[256];
  while (true) {
    int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (listeners.count(fd)) {
        while (true) {
          int c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
        continue;
      }
      char buf[4096];
      ssize_t got = ::read(fd, buf, sizeof(buf));
      if (got <= 0) {
        pending.erase(fd);
        ::close(fd);
        continue;
      }
      std::string& req = pending[fd];
      req.append(buf, got);
      if (req.find("\r\n\r\n") == std::string::npos) continue;
      std::string resp = Response(req);
      (void)!::write(fd, resp.data(), resp.size());  // small: one write
      pending.erase(fd);
      ::close(fd);
    }
  }
}

struct Targets {
  pid_t pid = 0;
  std::vector<int> ports;
  Targets() {
    int p[2];
    (void)!::pipe(p);
    pid = ::fork();
    if (pid == 0) {
      ::close(p[0]);
      ServeTargets(p[1]);
    }
    ::close(p[1]);
    ports.resize(kPorts);
    (void)!::read(p[0], ports.data(), ports.size() * sizeof(int));
    ::close(p[0]);
  }
  ~Targets() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  std::vector<mon::v1::PoolTargets> Pools() const {
    std::vector<mon::v1::PoolTargets> out;
    for (int i = 0; i < kPools; ++i) {
      std::string base =
          absl::StrCat("http://127.0.0.1:", ports[i % kPorts], "/p", i);
      mon::v1::PoolTargets t;
      t.set_pool(absl::StrCat("bench-", i));
      t.set_core(base);
      t.set_adapter(base);
      t.set_grafana(base);
      t.set_expected_workers(2);
      out.push_back(std::move(t));
    }
    return out;
  }
};

void BM_MonitorRound1000Targets(benchmark::State& state) {
  Targets targets;
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              absl::StrCat("mon-bench-", ::getpid());
  mon::EndpointsStore store(dir / "targets.json");
  auto http = mon::NewCurlHttpProber();
  mon::FakeChainHeads heads;
  mon::FakeChainResolver chains;
  mon::FakeBalanceSource balances;
  mon::MonitorOptions options;
  options.interval = absl::Seconds(15);
  options.probe_timeout = absl::Seconds(5);
  auto monitor = mon::Monitor::Create(
      options, {&store, http.get(), &heads, &chains, &balances,
                poolops::Clock::Real(), nullptr});
  for (auto& t : targets.Pools()) (void)(*monitor)->SetPool(t);
  int ok_pools = 0;
  for (auto _ : state) {
    (*monitor)->RunRound();
  }
  for (auto& t : targets.Pools()) {
    auto s = (*monitor)->GetStatus(t.pool());
    ok_pools += s.ok() && s->overall() == mon::v1::HEALTH_OK;
  }
  state.counters["targets"] = kPools * 4;
  state.counters["ok_pools"] = ok_pools;
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_MonitorRound1000Targets)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

long RssKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// A gauge's value from a Prometheus text exposition.
double Gauge(const std::string& text, const std::string& name) {
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  size_t end = text.find('\n', at + 1);
  double v = -1;
  (void)absl::SimpleAtod(
      text.substr(at + name.size() + 2, end - at - name.size() - 2), &v);
  return v;
}

std::string HttpGet(const std::string& url) {
  mon::HttpProbeRequest r;
  r.url = url;
  r.max_body_bytes = 4 << 20;
  return mon::NewCurlHttpProber()->Run({r})[0].body;
}

void BM_MonitorService1000Targets(benchmark::State& state) {
  Targets targets;
  char tmpl[] = "/tmp/pmon-bench-XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(POOLOPS_MONITOR_BINARY, POOLOPS_MONITOR_BINARY, "--home",
            home.c_str(), "--interval", "3s", "--probe-timeout", "2s",
            "--log-level", "warn", nullptr);
    ::_exit(127);
  }
  absl::StatusOr<poolops::RunInfo> info;
  for (int i = 0; i < 200; ++i) {
    info = poolops::ReadRunInfo(std::filesystem::path(home) / "run", "monitor");
    if (info.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  long idle_kb = RssKb(pid);
  auto stub = mon::v1::Monitor::NewStub(poolops::LocalChannel(info->address));
  for (auto& t : targets.Pools()) {
    grpc::ClientContext ctx;
    mon::v1::PoolTargets out;
    (void)stub->SetPoolTargets(&ctx, t, &out);
  }
  double round_s = -1, rounds = 0;
  long peak_kb = 0;
  for (auto _ : state) {
    // Let the loop run a few full rounds over every pool.
    for (int i = 0; i < 4; ++i) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      std::string text = HttpGet(info->metrics);
      double r = Gauge(text, "poolops_monitor_round_duration_seconds");
      if (Gauge(text, "poolops_monitor_pools") == kPools && r > round_s) {
        round_s = r;  // the slowest full round seen
      }
      rounds = Gauge(text, "poolops_monitor_rounds_total");
      peak_kb = std::max(peak_kb, RssKb(pid));
    }
  }
  state.counters["round_s"] = round_s;
  state.counters["rss_mb"] = peak_kb / 1024.0;
  state.counters["idle_rss_mb"] = idle_kb / 1024.0;
  state.counters["rounds"] = rounds;
  state.counters["targets"] = kPools * 4;
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  std::filesystem::remove_all(home);
}
BENCHMARK(BM_MonitorService1000Targets)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
