// poolops-devnet-market: the devnet's local market, an implementation of the
// iExec market API (workerpool orders) for the local devnet, on loopback,
// checking the API's rules against the devnet chain.
//
// Flags: --rpc URL --hub ADDR [--chain-id N] [--listen 127.0.0.1:PORT]
// (PORT 0: a free one) [--port N] [--port-file FILE] [--state FILE]
// [--max-open-orders N]. Prints "listening on http://HOST:PORT" once bound
// and writes PORT to --port-file. --state keeps the published orders across
// restarts. SIGTERM or SIGINT stops it cleanly.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "devnet/market/chain_view_rpc.h"
#include "devnet/market/http_server.h"
#include "devnet/market/market_api.h"
#include "devnet/market/order_book.h"
#include "libs/common/files.h"
#include "devnet/market/chain_view_rpc.h"
#include "devnet/market/http_server.h"
#include "devnet/market/market_api.h"
#include "devnet/market/order_book.h"
#include "libs/common/http_client.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace {

constexpr char kName[] = "poolops-devnet-market";

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", kName, message.c_str());
  return code;
}

// "HOST:PORT" (HOST may be [::1]).
bool ParseListen(const std::string& text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return absl::SimpleAtoi(text.substr(colon + 1), &port) && port >= 0 &&
         port <= 65535;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "poolops-devnet-market: the devnet's local market (the iExec market "
      "API for workerpool orders)"};
  std::string rpc, hub_text, listen = "127.0.0.1:0", port_file, state;
  uint64_t chain_id = 65535;
  int port = -1;
  size_t max_open = 50;
  app.add_option("--rpc", rpc, "The devnet's JSON-RPC URL")->required();
  app.add_option("--hub", hub_text, "The PoCo hub address")->required();
  app.add_option("--chain-id", chain_id, "The devnet's chain id");
  app.add_option("--listen", listen,
                 "HOST:PORT on loopback (PORT 0: a free one)");
  app.add_option("--port", port, "Port on the --listen host (overrides it)");
  app.add_option("--port-file", port_file, "Where to write the bound port");
  app.add_option("--state", state,
                 "JSON file keeping published orders across restarts");
  app.add_option("--max-open-orders", max_open,
                 "Open orders allowed per signer");
  CLI11_PARSE(app, argc, argv);

  std::string host;
  int listen_port = 0;
  if (!ParseListen(listen, host, listen_port))
    return Fail(2, absl::StrCat("--listen must be HOST:PORT, not ", listen));
  if (port >= 0) listen_port = port;
  absl::StatusOr<poolops::eth::Address> hub =
      poolops::eth::Address::Parse(hub_text, "--hub");
  if (!hub.ok()) return Fail(2, hub.status().ToString());

  // SIGTERM/SIGINT are taken by a thread of their own (blocked everywhere
  // else), so stopping runs outside a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  poolops::chain::JsonRpcClientOptions rpc_options;
  rpc_options.max_total = absl::Seconds(15);
  auto client = poolops::chain::JsonRpcClient::Create(
      {rpc}, poolops::http::NewCurlClient(), rpc_options);
  if (!client.ok()) return Fail(2, client.status().ToString());
  poolops::chain::EthApi api(client->get());
  poolops::market::RpcChainView chain(&api, *hub);

  poolops::iexec::OrderDomain domain{chain_id, *hub};
  poolops::market::OrderBook book(domain, state);
  if (absl::Status s = book.Load(); !s.ok())
    std::fprintf(stderr, "%s: warning: %s\n", kName, s.ToString().c_str());
  poolops::market::MarketApi market({domain, max_open}, &chain, &book);
  poolops::market::MarketHttpServer server(&market);
  absl::StatusOr<int> bound = server.Bind(host, listen_port);
  if (!bound.ok()) return Fail(1, bound.status().ToString());
  if (!port_file.empty()) {
    absl::Status s = poolops::files::WriteFileAtomic(
        port_file, std::to_string(*bound), 0600);
    if (!s.ok()) return Fail(1, s.ToString());
  }

  std::atomic<bool> done{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (done) return;
    std::fprintf(stderr, "%s: stopping (signal %d)\n", kName, sig);
    while (!done) {  // Stop() is a no-op until serving has started
      server.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  std::printf("%s: listening on http://%s:%d (chain %llu, hub %s)\n", kName,
              host.c_str(), *bound, static_cast<unsigned long long>(chain_id),
              hub->ToChecksum().c_str());
  std::fflush(stdout);
  absl::Status served = server.Serve();
  done = true;
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes its sigwait
  stopper.join();
  if (!served.ok()) return Fail(1, served.ToString());
  return 0;
}
