#include "services/chain/market/http_server.h"

#include <httplib.h>

namespace poolops::market {
namespace {

using nlohmann::json;

Query QueryOf(const httplib::Request& req) {
  Query q;
  for (const auto& [k, v] : req.params) q[k] = v;
  return q;
}

void Reply(httplib::Response& res, const absl::StatusOr<json>& body) {
  if (body.ok()) {
    res.status = 200;
    res.set_content(body->dump(), "application/json; charset=utf-8");
    return;
  }
  switch (body.status().code()) {
    case absl::StatusCode::kUnauthenticated:
      res.status = 401;
      break;
    case absl::StatusCode::kNotFound:
      res.status = 404;
      break;
    case absl::StatusCode::kInvalidArgument:
      res.status = 400;
      break;
    default:
      res.status = 500;
  }
  json error = {{"ok", false}, {"error", std::string(body.status().message())}};
  res.set_content(error.dump(), "application/json; charset=utf-8");
}

absl::StatusOr<json> Body(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded())
    return absl::InvalidArgumentError("body must be JSON");
  return body;
}

}  // namespace

std::unique_ptr<httplib::Server> NewMarketHttpServer(Market* market) {
  auto server = std::make_unique<httplib::Server>();
  server->set_payload_max_length(1 << 20);
  server->Get("/version",
              [market](const httplib::Request&, httplib::Response& res) {
                Reply(res, market->Version());
              });
  server->Get("/challenge",
              [market](const httplib::Request& req, httplib::Response& res) {
                Reply(res, market->Challenge(QueryOf(req)));
              });
  server->Post("/workerpoolorders", [market](const httplib::Request& req,
                                             httplib::Response& res) {
    absl::StatusOr<json> body = Body(req);
    Reply(res, body.ok() ? market->Publish(
                               QueryOf(req),
                               req.get_header_value("authorization"), *body)
                         : body);
  });
  server->Put("/workerpoolorders", [market](const httplib::Request& req,
                                            httplib::Response& res) {
    absl::StatusOr<json> body = Body(req);
    Reply(res, body.ok() ? market->Unpublish(
                               QueryOf(req),
                               req.get_header_value("authorization"), *body)
                         : body);
  });
  server->Get("/workerpoolorders",
              [market](const httplib::Request& req, httplib::Response& res) {
                Reply(res, market->Orderbook(QueryOf(req)));
              });
  server->Get(R"(/workerpoolorders/(0x[0-9a-fA-F]{64}))",
              [market](const httplib::Request& req, httplib::Response& res) {
                Reply(res, market->GetOrder(req.matches[1], QueryOf(req)));
              });
  return server;
}

}  // namespace poolops::market
