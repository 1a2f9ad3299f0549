// Durations as the 9.x services (Spring Boot) read them: ISO-8601
// ("PT5S", "PT0.25S", "PT1M30S") or the simple form ("250ms", "5s"). A
// bare number is milliseconds to Spring, which turns the v8 habit
// IEXEC_BLOCK_TIME=5 (seconds) into 5 ms: refused here with the fix.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::orchestrator {

// InvalidArgument naming `what` when `text` is not such a duration (or is a
// bare number, or negative).
absl::StatusOr<absl::Duration> ParseSpringDuration(const std::string& text,
                                                   const std::string& what);

// ISO-8601 in seconds, as the config server and IEXEC_BLOCK_TIME carry it:
// 1 s -> "PT1S", 250 ms -> "PT0.25S".
std::string IsoSeconds(absl::Duration d);

// OK when `d` is a block time core 9.3 accepts (100 ms to 20 s), else
// InvalidArgument naming `what`.
absl::Status CheckV9BlockTime(absl::Duration d, const std::string& what);

}  // namespace poolops::orchestrator
