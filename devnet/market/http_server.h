// The devnet market's HTTP face (cpp-httplib), a thin adapter: routes of the
// iExec market API to MarketApi, bodies parsed here (nlohmann exceptions stop
// here), JSON responses always (the SDK refuses other content types), errors
// as {"ok":false,"error":"..."} with the API's statuses. Loopback only.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "devnet/market/market_api.h"

namespace httplib {
class Server;
}

namespace poolops::market {

class MarketHttpServer {
 public:
  // `api` must outlive the server.
  explicit MarketHttpServer(MarketApi* api);
  ~MarketHttpServer();  // stops and joins

  // Binds `host` (127.0.0.1, ::1 or localhost only) on `port` (0: a free
  // one) and returns the bound port.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Serves until Stop(); blocking.
  absl::Status Serve();
  // Serves on a background thread (for tests and embedding).
  void ServeInBackground();
  // Whether it is serving now.
  bool Running() const;
  // Stops serving (no effect before serving starts); safe from another
  // thread.
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace poolops::market
