// Values that reach rendered files (.env, compose files, the platform
// registry config): what each may hold, and how a value is written in a
// .env file so that docker-compose v1 (python-dotenv) and v2 (compose-go)
// both read back exactly the bytes given. A value that no quoting keeps
// intact is refused with the reason, never altered.
//
// What the two readers do (checked with docker-compose 1.29 and the
// compose-go dotenv parser):
//  - bare values: v2 cuts at '#' and expands $VAR; both trim spaces.
//  - '...': v1 expands ${NAME} (even here, with no escape) and turns \\ and
//    \' into \ and '; v2 keeps every byte and ends at the first ' that
//    does not follow a backslash.
//  - "...": both expand variables and decode backslash escapes.
// Hence: bare for [A-Za-z0-9_./:@,+=-]; single quotes unless the value has
// ', \\ or a trailing \; double quotes for values with ' but no \, $ or ";
// ${ and control characters never.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/stack_catalog.h"

namespace poolops::orchestrator {

// "NAME=value\n" (quoted as above), or InvalidArgument saying why `value`
// cannot be written (the message does not repeat the value: it may be a
// password).
absl::StatusOr<std::string> EnvLine(const std::string& name,
                                    const std::string& value);

// A value of an operator's .env line as compose reads it: without one pair
// of matching single or double quotes around it.
std::string UnquoteEnvValue(absl::string_view value);

// [A-Za-z_][A-Za-z0-9_]*, at most 128 characters: a name compose and the
// services read as one environment variable.
bool IsEnvName(const std::string& name);

// What a value reaching a rendered file must look like.
enum class ValueKind {
  kText,      // one line of printable UTF-8 that EnvLine can write
  kSecret,    // a password: as kText; messages never show it
  kUrl,       // http(s)://host[:port][/path]
  kHost,      // DNS name, IPv4 or [IPv6], optional :port
  kAddress,   // 0x + 40 hex digits
  kDecimal,   // digits
  kBool,      // true | false
  kName,      // identifier: letters, digits, . _ -
  kImageRef,  // registry/namespace, tag: [A-Za-z0-9._:/-]
  kEmail,
  kPath,  // absolute or relative file path: [A-Za-z0-9._/-]
};

// OK, or InvalidArgument saying what `value` should be (quoting it unless
// the kind is kSecret). Empty values are OK (the caller decides if required).
absl::Status CheckValue(ValueKind kind, const std::string& value);

// The kind of every variable the compose templates read; kText for any
// other name.
ValueKind KindOfVariable(const std::string& name);
// True when `name` has an entry in the table (tests: every variable the
// templates read must have one).
bool IsKnownVariable(const std::string& name);

// Violations of the spec's fields that reach rendered files (chain_params
// URLs and hosts, registry address and user, free text), one per field.
std::vector<v1::Violation> ValidateRenderedValues(const v1::PoolSpec& spec,
                                                  const SpecLocations& loc);

// Values of a resolved chain (a preset, what chain-gateway says of it, the
// spec's chain_params): InvalidArgument naming the first bad key. chain_id
// becomes a file name (platform-registry-config/application-<id>.yml).
absl::Status CheckChainInfo(const ChainInfo& chain);

}  // namespace poolops::orchestrator
