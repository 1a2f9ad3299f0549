#include "services/monitor/dashboard/dashboard_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/net.h"
#include "services/monitor/dashboard/dashboard_assets.h"

namespace poolops::monitor {
namespace {

using json = nlohmann::json;

// Pool names as the monitor stores them; anything else is not a pool.
bool PlausiblePool(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
         });
}

int HttpCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

void Json(httplib::Response& res, int code, const json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

void Error(httplib::Response& res, const absl::Status& s) {
  Json(res, HttpCode(s), {{"error", RedactUrls(std::string(s.message()))}});
}

void Asset(httplib::Response& res, std::string_view name) {
  const DashboardAsset* a = FindDashboardAsset(name);
  if (a == nullptr) {
    res.status = 404;
    return;
  }
  res.set_content(std::string(a->body), std::string(a->content_type));
}

}  // namespace

DashboardServer::DashboardServer(Monitor* monitor, RevisionSource* revisions,
                                 DashboardOptions options)
    : monitor_(monitor),
      revisions_(revisions),
      options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()) {}

DashboardServer::~DashboardServer() { Stop(); }

void DashboardServer::Stop() {
  stopping_ = true;
  // Start returned once the server ran (or its loop ended): stop() reaches it.
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<DashboardServer>> DashboardServer::Start(
    Monitor* monitor, RevisionSource* revisions, DashboardOptions options) {
  absl::StatusOr<net::HostPort> hp =
      net::ParseHostPort("--dashboard-listen", options.listen);
  if (!hp.ok()) return hp.status();
  if (!options.allow_public && !net::IsLoopbackHost(hp->host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dashboard-listen ", options.listen,
        ": the status page is served on loopback only (127.0.0.1, [::1]); "
        "add --dashboard-public to serve it on ",
        hp->host,
        " (it shows the pools' state to anyone who reaches it), or reach it "
        "through an SSH tunnel"));
  }
  std::string host = hp->host;
  if (host.size() >= 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  std::unique_ptr<DashboardServer> server(
      new DashboardServer(monitor, revisions, std::move(options)));
  httplib::Server& http = *server->http_;
  // Live streams hold a thread each: room for them and for plain requests.
  const size_t threads = server->options_.max_streams + 8;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(1024);
  http.set_keep_alive_max_count(100);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // server (another process) share the port: only SO_REUSEADDR here.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int port = hp->port;
  if (port == 0) {
    port = http.bind_to_any_port(host);
    if (port < 0) port = 0;
  } else if (!http.bind_to_port(host, port)) {
    port = 0;
  }
  if (port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve the status page on ", server->options_.listen,
        " (address in use or not this machine's)"));
  }
  const std::string url_host =
      hp->host.find(':') != std::string::npos && hp->host.front() != '['
          ? absl::StrCat("[", hp->host, "]")
          : hp->host;
  server->url_ = absl::StrCat("http://", url_host, ":", port, "/");
  if (!server->options_.allow_public) {
    for (std::string h : {std::string("127.0.0.1"), std::string("localhost"),
                          std::string("[::1]"), url_host})
      server->hosts_.push_back(absl::StrCat(h, ":", port));
  }
  server->Routes();
  auto ended = std::make_shared<std::atomic<bool>>(false);
  server->thread_ = std::thread([s = server.get(), ended] {
    s->http_->listen_after_bind();
    *ended = true;
  });
  // Until it runs, a stop() would not reach the loop.
  while (!http.is_running() && !*ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return server;
}

void DashboardServer::Routes() {
  httplib::Server& http = *http_;
  // A page on another site may make the browser resolve its own name to
  // 127.0.0.1 (DNS rebinding): the Host header still names that site.
  http.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::string host = req.get_header_value("Host");
        if (!hosts_.empty() &&
            std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) {
          Json(res, 403,
               {{"error", "this page answers to " + hosts_[0] + " only"}});
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  http.set_post_routing_handler(
      [](const httplib::Request&, httplib::Response& res) {
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src "
                       "'self'; connect-src 'self'; img-src 'self'; "
                       "base-uri 'none'; form-action 'none'; "
                       "frame-ancestors 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Cross-Origin-Resource-Policy", "same-origin");
        res.set_header("Cache-Control", "no-store");
      });

  auto page = [](const httplib::Request&, httplib::Response& res) {
    Asset(res, "index.html");
  };
  http.Get("/", page);
  http.Get(R"(/pools/([^/]+))", page);
  http.Get("/app.js", [](const httplib::Request&, httplib::Response& res) {
    Asset(res, "app.js");
  });
  http.Get("/style.css", [](const httplib::Request&, httplib::Response& res) {
    Asset(res, "style.css");
  });

  http.Get(
      "/api/pools", [this](const httplib::Request&, httplib::Response& res) {
        json pools = json::array();
        for (const PoolEndpoints& p : monitor_->ListPools()) {
          json entry = {{"name", p.pool()}};
          absl::StatusOr<v1::PoolStatus> s = monitor_->GetStatus(p.pool());
          entry["overall"] =
              s.ok() ? v1::Health_Name(s->overall()) : "HEALTH_UNSPECIFIED";
          entry["updatedAt"] = s.ok() ? s->updated_at() : "";
          if (s.ok()) {
            for (const v1::Component& c : s->components())
              if (c.name() == "workers")
                entry["workers"] = RedactUrls(c.detail());
          }
          pools.push_back(std::move(entry));
        }
        Json(res, 200, {{"pools", std::move(pools)}});
      });

  // The pool's name, or an error answered.
  auto pool_of = [](const httplib::Request& req, httplib::Response& res,
                    std::string* pool) {
    *pool = req.matches[1];
    if (!PlausiblePool(*pool)) {
      Json(res, 404, {{"error", "no such pool"}});
      return false;
    }
    return true;
  };

  http.Get(R"(/api/pools/([^/]+))", [this, pool_of](const httplib::Request& req,
                                                    httplib::Response& res) {
    std::string pool;
    if (!pool_of(req, res, &pool)) return;
    absl::StatusOr<v1::PoolStatus> s = monitor_->GetStatus(pool);
    if (!s.ok()) return Error(res, s.status());
    Json(res, 200, {{"status", StatusJson(*s)}});
  });

  http.Get(
      R"(/api/pools/([^/]+)/stats)",
      [this, pool_of](const httplib::Request& req, httplib::Response& res) {
        std::string pool;
        if (!pool_of(req, res, &pool)) return;
        absl::StatusOr<PoolStats> s =
            monitor_->GetPoolStats(pool, absl::ZeroDuration());
        if (!s.ok()) return Error(res, s.status());
        Json(res, 200, {{"stats", StatsJson(*s)}});
      });

  http.Get(R"(/api/pools/([^/]+)/revisions)", [this, pool_of](
                                                  const httplib::Request& req,
                                                  httplib::Response& res) {
    std::string pool;
    if (!pool_of(req, res, &pool)) return;
    if (revisions_ == nullptr)
      return Error(res, absl::UnimplementedError(
                            "this monitor does not reach the orchestrator"));
    absl::StatusOr<std::vector<RevisionSummary>> r =
        revisions_->Revisions(pool);
    if (!r.ok()) return Error(res, r.status());
    Json(res, 200, {{"revisions", RevisionsJson(*r)}});
  });

  http.Get(
      R"(/api/pools/([^/]+)/events)",
      [this, pool_of](const httplib::Request& req, httplib::Response& res) {
        std::string pool;
        if (!pool_of(req, res, &pool)) return;
        if (streams_.fetch_add(1) >= options_.max_streams) {
          streams_.fetch_sub(1);
          return Json(res, 503, {{"error", "too many live pages open"}});
        }
        absl::StatusOr<std::shared_ptr<StatusWatch>> watch =
            monitor_->Watch(pool, /*changes_only=*/false);
        if (!watch.ok()) {
          streams_.fetch_sub(1);
          return Error(res, watch.status());
        }
        res.set_chunked_content_provider(
            "text/event-stream",
            [this, w = *watch](size_t, httplib::DataSink& sink) {
              v1::PoolStatus s;
              std::string chunk;
              if (stopping_ || w->closed()) {
                sink.done();
                return true;
              }
              if (w->Next(&s, options_.keepalive)) {
                chunk = absl::StrCat(
                    "event: status\ndata: ", StatusJson(s).dump(), "\n\n");
              } else {
                chunk = ": still here\n\n";
              }
              return sink.write(chunk.data(), chunk.size());
            },
            [this](bool) { streams_.fetch_sub(1); });
      });
}

}  // namespace poolops::monitor
