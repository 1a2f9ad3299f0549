// Tests only: an http::Client whose answers the test scripts per URL, every
// request recorded. Header-only, never linked into a service.
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

namespace poolops::test {

class FakeHttpClient : public http::Client {
 public:
  using Responder =
      std::function<absl::StatusOr<http::Response>(const http::Request&)>;

  // An answer with `status` and `body` (JSON unless told).
  static Responder Answer(int status, std::string body,
                          std::string content_type = "application/json") {
    return [=](const http::Request&) -> absl::StatusOr<http::Response> {
      return http::Response{status, content_type, body, std::nullopt};
    };
  }
  // No response at all (Unavailable, DeadlineExceeded, ...).
  static Responder Fail(absl::Status status) {
    return [=](const http::Request&) -> absl::StatusOr<http::Response> {
      return status;
    };
  }

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

  // Unscripted URLs are Unavailable (as a host nobody listens on).
  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    Responder r;
    {
      absl::MutexLock lock(&mu_);
      sent_.push_back(request);
      auto& q = queues_[request.url];
      if (!q.empty()) {
        r = std::move(q.front());
        q.pop_front();
      } else if (auto d = defaults_.find(request.url); d != defaults_.end()) {
        r = d->second;
      }
    }
    if (!r) return absl::UnavailableError("fake: nothing scripted");
    return r(request);
  }

  std::vector<http::Request> sent() const {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::deque<Responder>> queues_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Responder> defaults_ ABSL_GUARDED_BY(mu_);
  std::vector<http::Request> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::test
