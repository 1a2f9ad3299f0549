// Calls a service that may not be up yet, as the 9.x core and worker do at
// start (their Spring context fails, docker restarts them): the simulator
// retries every second while nothing answers, for at most
// POOLOPS_SIM_CONFIG_WAIT_MS (30 s by default), then gives up.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"
#include "libs/common/clock.h"

namespace poolops::sim {

struct AnswerWait {
  absl::Duration wait = absl::Seconds(30);
  absl::Duration interval = absl::Seconds(1);
  Clock* clock = nullptr;  // Clock::Real() when null
  // When set, the pauses wait on it (a SIGTERM ends the wait at once);
  // otherwise they are clock->SleepFor (a fake clock in tests).
  absl::Notification* stop = nullptr;
  std::string log_prefix = "[simulator]";  // "[core simulator]"
};

// POOLOPS_SIM_CONFIG_WAIT_MS (>= 0), sleeping on `stop` with the real clock;
// `role` names the simulator in the log.
absl::StatusOr<AnswerWait> AnswerWaitFromEnv(const Env& env,
                                             const std::string& role,
                                             absl::Notification* stop);

using HttpGet = std::function<absl::StatusOr<HttpResponse>(const std::string&)>;
// GET over the simulators' http client (5 s per call).
HttpGet RealHttpGet();

// GETs `url` until it answers: connection errors, timeouts and 502/503/504
// are retried; any other answer is returned as is. Unavailable naming `url`
// after the wait; Cancelled when stopped.
absl::StatusOr<HttpResponse> GetWhenAnswered(const std::string& url,
                                             const HttpGet& get,
                                             const AnswerWait& wait);

// GetWhenAnswered, then the body of an HTTP 200; any other status is
// FailedPrecondition naming `url`, the status and the body's start.
absl::StatusOr<std::string> GetBodyWhenAnswered(const std::string& url,
                                                const HttpGet& get,
                                                const AnswerWait& wait);

}  // namespace poolops::sim
