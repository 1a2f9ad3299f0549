// Values as the iExec 9.x Spring Boot services read them from their
// environment: durations (ISO-8601, or Spring's "5s" / bare milliseconds),
// decimals, Ethereum addresses and URLs. Each error names the variable.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

// java.time.Duration.parse: [+-]P[nD][T[nH][nM][n[.fraction]S]], any case,
// e.g. PT5S, PT0.25S, PT1M30S, P1D.
absl::StatusOr<absl::Duration> ParseIsoDuration(const std::string& text);

// Spring Boot's DurationStyle: ISO-8601, or a number with a unit (ns, us,
// ms, s, m, h, d), or a bare number, which is milliseconds.
struct SpringDuration {
  absl::Duration value;
  bool bare_number = false;  // "5": 5 ms, the trap of a v8 render
};
absl::StatusOr<SpringDuration> ParseSpringDuration(const std::string& text);

// 9.x ChainConfig: @DurationMin(millis = 100) @DurationMax(seconds = 20).
inline constexpr absl::Duration kMinBlockTime = absl::Milliseconds(100);
inline constexpr absl::Duration kMaxBlockTime = absl::Seconds(20);
// OK when block_time is within [kMinBlockTime, kMaxBlockTime]; `what`
// names the value in the error ("IEXEC_BLOCK_TIME=5", "blockTime 'PT30S'").
absl::Status CheckBlockTime(const std::string& what, absl::Duration block_time);

// A Spring duration variable holding a block time; a bare number is refused
// with the ISO-8601 spelling it probably meant (5 -> PT5S).
absl::StatusOr<absl::Duration> EnvBlockTime(const Env& env,
                                            const std::string& name,
                                            absl::Duration fallback);

// A decimal (Java float) strictly greater than 0, e.g. a gas price
// multiplier.
absl::StatusOr<double> EnvPositiveDecimal(const Env& env,
                                          const std::string& name,
                                          double fallback);
// A decimal integer (Java long) greater than or equal to 0.
absl::StatusOr<int64_t> EnvNonNegativeInt64(const Env& env,
                                            const std::string& name,
                                            int64_t fallback);

// "0x" (or "0X") and 40 hex digits.
bool IsEthAddress(const std::string& s);
bool IsZeroAddress(const std::string& s);  // an address of 40 zeros
// The variable's address, which must not be the zero address; an empty
// fallback makes it required.
absl::StatusOr<std::string> EnvNonZeroAddress(const Env& env,
                                              const std::string& name,
                                              const std::string& fallback);

enum class UrlSchemes { kHttpOnly, kHttpOrHttps };
// Checks scheme, host and port; kHttpOnly is for URLs the simulator itself
// calls (it has no TLS).
absl::Status CheckUrl(const std::string& what, const std::string& url,
                      UrlSchemes schemes);
// The variable's URL, checked; an empty fallback makes it required.
absl::StatusOr<std::string> EnvUrl(const Env& env, const std::string& name,
                                   const std::string& fallback,
                                   UrlSchemes schemes);

}  // namespace poolops::sim
