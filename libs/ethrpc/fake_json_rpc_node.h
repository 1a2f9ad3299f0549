// Test double for a JSON-RPC node behind http::Client: scripted answers per
// URL, every request recorded. Header-only, for tests.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/http_client.h"
#include "nlohmann/json.hpp"

namespace poolops::chain::testing {

// Builds the answer to one request (the parsed request body is given, so
// answers can echo the id).
using Responder = std::function<absl::StatusOr<http::Response>(
    const nlohmann::json& request)>;

inline Responder Result(nlohmann::json result) {
  return [result](const nlohmann::json& req) -> absl::StatusOr<http::Response> {
    nlohmann::json r = {
        {"jsonrpc", "2.0"}, {"id", req.at("id")}, {"result", result}};
    return http::Response{200, "application/json", r.dump(), std::nullopt};
  };
}

inline Responder RpcError(int64_t code, std::string message,
                          nlohmann::json data = nullptr) {
  return [=](const nlohmann::json& req) -> absl::StatusOr<http::Response> {
    nlohmann::json e = {{"code", code}, {"message", message}};
    if (!data.is_null()) e["data"] = data;
    nlohmann::json r = {{"jsonrpc", "2.0"}, {"id", req.at("id")}, {"error", e}};
    return http::Response{200, "application/json", r.dump(), std::nullopt};
  };
}

inline Responder Http(
    int status, std::string body = "",
    std::optional<absl::Duration> retry_after = std::nullopt) {
  return [=](const nlohmann::json&) -> absl::StatusOr<http::Response> {
    return http::Response{status, "application/json", body, retry_after};
  };
}

inline Responder Fail(absl::Status status) {
  return [=](const nlohmann::json&) -> absl::StatusOr<http::Response> {
    return status;
  };
}

class FakeJsonRpcNode : public http::Client {
 public:
  struct Sent {
    std::string url;
    nlohmann::json request;
    absl::Duration timeout;
  };

  // Queues `r` for the next request to `url` (FIFO).
  void Push(const std::string& url, Responder r) {
    absl::MutexLock lock(&mu_);
    queues_[url].push_back(std::move(r));
  }
  // Answers requests to `url` once its queue is empty.
  void SetDefault(const std::string& url, Responder r) {
    absl::MutexLock lock(&mu_);
    defaults_[url] = std::move(r);
  }

  absl::StatusOr<http::Response> Send(const http::Request& req) override {
    const std::string& url = req.url;
    Responder r;
    nlohmann::json request = nlohmann::json::parse(req.body);
    {
      absl::MutexLock lock(&mu_);
      sent_.push_back({url, request, req.timeout});
      auto& q = queues_[url];
      if (!q.empty()) {
        r = std::move(q.front());
        q.pop_front();
      } else if (defaults_.count(url)) {
        r = defaults_[url];
      }
    }
    if (!r) return absl::UnavailableError("fake: nothing scripted");
    return r(request);
  }

  std::vector<Sent> sent() const {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::deque<Responder>> queues_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Responder> defaults_ ABSL_GUARDED_BY(mu_);
  std::vector<Sent> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain::testing
