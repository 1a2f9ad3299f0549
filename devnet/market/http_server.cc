#include "devnet/market/http_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"

namespace poolops::market {
namespace {

using nlohmann::json;

constexpr char kJson[] = "application/json; charset=utf-8";

Query QueryOf(const httplib::Request& req) {
  Query q;
  for (const auto& [k, v] : req.params) q.emplace(k, v);  // first value wins
  return q;
}

void Send(const httplib::Request& req, httplib::Response& res,
          const absl::StatusOr<json>& result) {
  ApiReply reply = ToReply(result);
  if (!result.ok())
    std::fprintf(stderr, "poolops-devnet-market: %s %s -> %d: %s\n",
                 req.method.c_str(), req.path.c_str(), reply.status,
                 result.status().ToString().c_str());
  res.status = reply.status;
  res.set_content(DumpJson(reply.body), kJson);
}

// The request body as JSON; an empty body is {} (as koa-bodyparser gives).
absl::StatusOr<json> Body(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  // A client's body: bounded before parsing (a deep one would crash us).
  absl::StatusOr<json> body =
      ParseBoundedJson(req.body, {.max_bytes = 1 << 20, .max_depth = 16}, "");
  if (!body.ok()) return absl::InvalidArgumentError("invalid JSON body");
  return body;
}

// Runs a handler, turning any escaped exception into the API's 500.
template <typename F>
httplib::Server::Handler Guard(F f) {
  return [f](const httplib::Request& req, httplib::Response& res) {
    try {
      Send(req, res, f(req));
    } catch (const std::exception& e) {
      Send(req, res, absl::InternalError(e.what()));
    }
  };
}

}  // namespace

MarketHttpServer::MarketHttpServer(MarketApi* api)
    : server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.set_payload_max_length(1 << 20);
  // Head and body go out in two writes: without it Nagle holds the body
  // until the client ACKs (40 ms) on a kept-alive connection.
  s.set_tcp_nodelay(true);
  s.Get("/version",
        Guard([api](const httplib::Request&) { return api->Version(); }));
  s.Get("/challenge", Guard([api](const httplib::Request& req) {
          return api->Challenge(QueryOf(req));
        }));
  s.Post("/workerpoolorders", Guard([api](const httplib::Request& req) {
           absl::StatusOr<json> body = Body(req);
           if (!body.ok()) return body;
           return api->PublishWorkerpoolOrder(
               QueryOf(req), req.get_header_value("authorization"), *body);
         }));
  s.Put("/workerpoolorders", Guard([api](const httplib::Request& req) {
          absl::StatusOr<json> body = Body(req);
          if (!body.ok()) return body;
          return api->UnpublishWorkerpoolOrders(
              QueryOf(req), req.get_header_value("authorization"), *body);
        }));
  s.Get("/workerpoolorders", Guard([api](const httplib::Request& req) {
          return api->WorkerpoolOrderbook(QueryOf(req));
        }));
  s.Get(R"(/workerpoolorders/([^/]+))",
        Guard([api](const httplib::Request& req) {
          return api->GetWorkerpoolOrder(std::string(req.matches[1]),
                                         QueryOf(req));
        }));
  // Unknown routes and methods: JSON too.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    json body = {
        {"ok", false},
        {"error", res.status == 404 ? std::string("Not Found")
                                    : absl::StrCat("HTTP error ", res.status)}};
    res.set_content(body.dump(), kJson);
  });
}

MarketHttpServer::~MarketHttpServer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> MarketHttpServer::Bind(const std::string& host, int port) {
  if (host != "127.0.0.1" && host != "::1" && host != "localhost")
    return absl::InvalidArgumentError(absl::StrCat(
        "the devnet market listens on loopback only, not on ", host));
  if (port < 0 || port > 65535)
    return absl::InvalidArgumentError(absl::StrCat("invalid port ", port));
  int bound = port == 0 ? server_->bind_to_any_port(host)
                        : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", host, ":", port, " (in use or not allowed)"));
  return bound;
}

absl::Status MarketHttpServer::Serve() {
  if (!server_->listen_after_bind())
    return absl::InternalError("the market's HTTP server stopped on an error");
  return absl::OkStatus();
}

void MarketHttpServer::ServeInBackground() {
  thread_ = std::thread([this] { (void)server_->listen_after_bind(); });
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

bool MarketHttpServer::Running() const { return server_->is_running(); }

void MarketHttpServer::Stop() { server_->stop(); }

}  // namespace poolops::market
