#include "devnet/simulators/answer_wait.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/http_client.h"

namespace poolops::sim {

absl::StatusOr<AnswerWait> AnswerWaitFromEnv(const Env& env,
                                             const std::string& role,
                                             absl::Notification* stop) {
  absl::StatusOr<int> ms = EnvInt(env, "POOLOPS_SIM_CONFIG_WAIT_MS", 30000);
  if (!ms.ok()) return ms.status();
  if (*ms < 0) {
    return absl::InvalidArgumentError(
        "POOLOPS_SIM_CONFIG_WAIT_MS must be >= 0");
  }
  AnswerWait wait;
  wait.wait = absl::Milliseconds(*ms);
  wait.clock = Clock::Real();
  wait.stop = stop;
  wait.log_prefix = absl::StrCat("[", role, " simulator]");
  return wait;
}

HttpGet RealHttpGet() {
  return [](const std::string& url) -> absl::StatusOr<HttpResponse> {
    absl::StatusOr<HttpUrl> parsed = ParseHttpUrl(url);
    if (!parsed.ok()) return parsed.status();
    return HttpCall("GET", parsed->host, parsed->port, parsed->path, "",
                    absl::Seconds(5));
  };
}

absl::StatusOr<HttpResponse> GetWhenAnswered(const std::string& url,
                                             const HttpGet& get,
                                             const AnswerWait& wait) {
  Clock* clock = wait.clock != nullptr ? wait.clock : Clock::Real();
  const absl::Duration deadline = clock->Monotonic() + wait.wait;
  int attempts = 0;
  while (true) {
    ++attempts;
    absl::StatusOr<HttpResponse> r = get(url);
    std::string why;
    if (r.ok()) {
      if (r->status != 502 && r->status != 503 && r->status != 504) return r;
      why = absl::StrCat("HTTP ", r->status);
    } else if (absl::IsUnavailable(r.status()) ||
               absl::IsDeadlineExceeded(r.status())) {
      why = std::string(r.status().message());
    } else {
      return r.status();  // a bad URL or host name: waiting will not help
    }
    if (clock->Monotonic() + wait.interval > deadline) {
      return absl::UnavailableError(
          absl::StrCat("no answer from ", url, " after ", attempts,
                       " attempt(s) in ", absl::FormatDuration(wait.wait),
                       " (POOLOPS_SIM_CONFIG_WAIT_MS): ", why));
    }
    if (attempts == 1) {
      std::fprintf(stderr, "%s waiting for %s (%s)\n", wait.log_prefix.c_str(),
                   url.c_str(), why.c_str());
    }
    if (wait.stop == nullptr) {
      clock->SleepFor(wait.interval);
    } else if (wait.stop->WaitForNotificationWithTimeout(wait.interval)) {
      return absl::CancelledError(absl::StrCat("stopped waiting for ", url));
    }
  }
}

absl::StatusOr<std::string> GetBodyWhenAnswered(const std::string& url,
                                                const HttpGet& get,
                                                const AnswerWait& wait) {
  absl::StatusOr<HttpResponse> r = GetWhenAnswered(url, get, wait);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("GET ", url, " answered HTTP ", r->status, ": ",
                     r->body.substr(0, 200)));
  }
  return std::move(r->body);
}

}  // namespace poolops::sim
