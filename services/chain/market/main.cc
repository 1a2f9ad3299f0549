// poolops-devnet-market: the devnet's local market (the iExec market API for
// workerpool orders) on loopback, checking its rules against the devnet chain.
// Flags: --rpc URL --hub ADDR --chain-id N [--port N (0: free)] [--port-file F]
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "libs/common/files.h"
#include "services/chain/market/http_server.h"
#include "services/chain/rpc/http_transport.h"
#include "services/chain/rpc/json_rpc_client.h"

namespace {
httplib::Server* g_server = nullptr;
void Stop(int) {
  if (g_server != nullptr) g_server->stop();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"poolops-devnet-market: the devnet's local iExec market API"};
  std::string rpc, hub_text, port_file;
  uint64_t chain_id = 65535;
  int port = 0;
  app.add_option("--rpc", rpc, "The devnet's JSON-RPC URL")->required();
  app.add_option("--hub", hub_text, "The PoCo hub address")->required();
  app.add_option("--chain-id", chain_id, "Chain id");
  app.add_option("--port", port, "Port on 127.0.0.1 (0: a free one)");
  app.add_option("--port-file", port_file, "Where to write the bound port");
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<poolops::eth::Address> hub =
      poolops::eth::Address::Parse(hub_text, "--hub");
  if (!hub.ok()) {
    std::fprintf(stderr, "poolops-devnet-market: %s\n",
                 hub.status().ToString().c_str());
    return 2;
  }
  auto client = poolops::chain::JsonRpcClient::Create(
      {rpc}, poolops::chain::NewCurlHttpTransport());
  if (!client.ok()) {
    std::fprintf(stderr, "poolops-devnet-market: %s\n",
                 client.status().ToString().c_str());
    return 2;
  }
  poolops::chain::EthApi api(client->get());
  poolops::market::RpcChainView chain(&api, *hub);
  poolops::market::Market market({chain_id, *hub, 50}, &chain);
  std::unique_ptr<httplib::Server> server =
      poolops::market::NewMarketHttpServer(&market);
  int bound = port == 0 ? server->bind_to_any_port("127.0.0.1")
                        : (server->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(
        stderr, "poolops-devnet-market: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  if (!port_file.empty()) {
    absl::Status s =
        poolops::files::WriteFileAtomic(port_file, std::to_string(bound), 0600);
    if (!s.ok()) {
      std::fprintf(stderr, "poolops-devnet-market: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  g_server = server.get();
  signal(SIGTERM, Stop);
  signal(SIGINT, Stop);
  std::fprintf(stderr,
               "poolops-devnet-market: serving on http://127.0.0.1:%d (chain "
               "%llu, hub %s)\n",
               bound, static_cast<unsigned long long>(chain_id),
               hub->ToChecksum().c_str());
  server->listen_after_bind();
  return 0;
}
