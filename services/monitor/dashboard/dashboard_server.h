// The monitor's status page over HTTP (cpp-httplib): the pool list at /, a
// page per pool at /pools/NAME, their data under /api, live updates as
// server-sent events from the monitor's watch. Loopback only unless the
// operator says otherwise; requests naming another Host are refused (a
// page elsewhere cannot reach it through DNS rebinding); GET only, bodies
// refused, at most `max_streams` live streams; a strict Content Security
// Policy (this origin only, no inline script). It shows no secret: no
// probe evidence, URLs cut to their host (dashboard_json.h).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "services/monitor/dashboard/dashboard_json.h"
#include "services/monitor/monitor.h"

namespace httplib {
class Server;
}

namespace poolops::monitor {

// Where a pool's revisions come from (the orchestrator); tests fake it.
class RevisionSource {
 public:
  virtual ~RevisionSource() = default;
  virtual absl::StatusOr<std::vector<RevisionSummary>> Revisions(
      const std::string& pool) = 0;
};

struct DashboardOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT, port 0: any free one
  bool allow_public = false;           // a host other than loopback
  size_t max_streams = 8;              // live pages at once
  // How often a live stream says it is still there (and notices a page
  // that went away, or the server stopping).
  absl::Duration keepalive = absl::Seconds(1);
};

class DashboardServer {
 public:
  // Binds and serves in its own thread. InvalidArgument for a bad or
  // non-loopback listen address (without allow_public), Unavailable when
  // it cannot bind. `revisions` may be null (the page says so).
  static absl::StatusOr<std::unique_ptr<DashboardServer>> Start(
      Monitor* monitor, RevisionSource* revisions, DashboardOptions options);
  ~DashboardServer();

  // "http://127.0.0.1:PORT/".
  const std::string& url() const { return url_; }
  void Stop();

 private:
  DashboardServer(Monitor* monitor, RevisionSource* revisions,
                  DashboardOptions options);
  void Routes();

  Monitor* const monitor_;
  RevisionSource* const revisions_;
  const DashboardOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::string url_;
  std::vector<std::string> hosts_;  // accepted Host headers; empty: any
  std::atomic<size_t> streams_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace poolops::monitor
