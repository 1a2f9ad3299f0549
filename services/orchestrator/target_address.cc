#include "services/orchestrator/target_address.h"

#include <arpa/inet.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/spec_text.h"

namespace poolops::orchestrator {
namespace {

constexpr size_t kMaxPathBytes = 4096;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

// Login names as useradd takes them (letters, digits, . _ -), never "-x".
bool IsUser(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(IsAlnum(s[0]) || s[0] == '_')) {
    return false;
  }
  for (char c : s) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// DNS names, IPv4 literals and ~/.ssh/config aliases: labels of letters,
// digits, _ and -, each starting and ending with a letter, digit or _.
bool IsHost(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string::npos) end = s.size();
    std::string_view label(s.data() + start, end - start);
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '_' && c != '-') return false;
    }
    if (label.front() == '-' || label.back() == '-') return false;
    start = end + 1;
  }
  return true;
}

bool IsIpv6(const std::string& s) {
  in6_addr addr;
  return s.size() < INET6_ADDRSTRLEN &&
         ::inet_pton(AF_INET6, s.c_str(), &addr) == 1;
}

// A folder path, which a shell only ever sees quoted (ShellQuote): valid
// UTF-8 without control characters (newlines included); no spaces on SSH
// targets either (`ssh://` has never taken them).
absl::Status CheckPath(const std::string& text, const std::string& path,
                       bool spaces) {
  if (path.size() > kMaxPathBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("target '", PrintableText(text), "': path longer than ",
                     kMaxPathBytes, " bytes"));
  }
  if (InvalidUtf8At(path) != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target '", PrintableText(text), "': the path is not UTF-8 text"));
  }
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7F || (c == ' ' && !spaces)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target '", PrintableText(text),
          spaces ? "': the path holds a newline or control character"
                 : "': the path holds a space, newline or control character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TargetAddress> ParseSsh(const std::string& text) {
  const std::string named = absl::StrCat("target '", PrintableText(text), "'");
  const std::string usage =
      absl::StrCat(named,
                   ": want ssh://user@host[:port]/absolute/path (IPv6: "
                   "ssh://user@[::1]:22/path)");
  TargetAddress t;
  t.kind = TargetAddress::Kind::kSsh;
  std::string rest = text.substr(6);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(usage, ": needs a folder path after the host"));
  }
  std::string authority = rest.substr(0, slash);
  t.path = rest.substr(slash);
  if (size_t at = authority.find('@'); at != std::string::npos) {
    t.user = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (!IsUser(t.user)) {
      return absl::InvalidArgumentError(absl::StrCat(
          named, ": user '", PrintableText(t.user),
          "' is not a login name (letters, digits, . _ -, not starting with "
          "- or .)"));
    }
  }
  std::string port;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(usage, ": '[' without ']' around the IPv6 address"));
    }
    t.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return absl::InvalidArgumentError(usage);
      port = after.substr(1);
      if (port.empty()) return absl::InvalidArgumentError(usage);
    }
    if (!IsIpv6(t.host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          named, ": '", PrintableText(t.host), "' is not an IPv6 address"));
    }
  } else {
    size_t colon = authority.find(':');
    t.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return absl::InvalidArgumentError(usage);
    }
    if (!IsHost(t.host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          named, ": host '", PrintableText(t.host),
          "' is not a host name or IPv4 address (letters, digits, . _ -, not "
          "starting with -)"));
    }
  }
  if (!port.empty()) {
    int n = 0;
    if (port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos ||
        !absl::SimpleAtoi(port, &n) || n < 1 || n > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat(named, ": port '", PrintableText(port),
                       "' is not a number from 1 to 65535"));
    }
    t.port = n;
  }
  if (t.path.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(usage, ": needs a folder path after the host"));
  }
  if (absl::Status s = CheckPath(text, t.path, /*spaces=*/false); !s.ok()) {
    return s;
  }
  return t;
}

// "swarm://local", "swarm+unix:///abs/docker.sock" or
// "swarm+ssh://[user@]host[:port]": the authority checked as ssh's.
absl::StatusOr<TargetAddress> ParseSwarm(const std::string& text) {
  const std::string usage =
      absl::StrCat("target '", PrintableText(text),
                   "': want swarm://local, swarm+unix:///path/docker.sock or "
                   "swarm+ssh://user@manager[:port]");
  TargetAddress t;
  t.kind = TargetAddress::Kind::kSwarm;
  if (text == "swarm://local") return t;
  if (absl::StartsWith(text, "swarm+unix://")) {
    t.path = text.substr(13);
    if (!absl::StartsWith(t.path, "/") || t.path.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(usage, ": the socket path must be absolute"));
    }
    // Unix socket paths end at 108 bytes (sun_path).
    if (t.path.size() > 107) {
      return absl::InvalidArgumentError(
          absl::StrCat(usage, ": a socket path has at most 107 bytes"));
    }
    if (absl::Status s = CheckPath(text, t.path, /*spaces=*/false); !s.ok()) {
      return s;
    }
    t.docker_host = absl::StrCat("unix://", t.path);
    return t;
  }
  if (absl::StartsWith(text, "swarm+ssh://")) {
    std::string authority = text.substr(12);
    if (absl::EndsWith(authority, "/")) authority.pop_back();
    if (authority.empty() || absl::StrContains(authority, "/")) {
      return absl::InvalidArgumentError(
          absl::StrCat(usage, ": no path after the manager"));
    }
    absl::StatusOr<TargetAddress> ssh =
        ParseSsh(absl::StrCat("ssh://", authority, "/-"));
    if (!ssh.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          usage, ": ",
          absl::StripPrefix(
              ssh.status().message(),
              absl::StrCat("target 'ssh://", authority, "/-': "))));
    }
    t.user = ssh->user;
    t.host = ssh->host;
    t.port = ssh->port;
    std::string host =
        t.host.find(':') == std::string::npos ? t.host : "[" + t.host + "]";
    t.docker_host =
        absl::StrCat("ssh://", t.user.empty() ? "" : t.user + "@", host,
                     t.port == 22 ? "" : absl::StrCat(":", t.port));
    return t;
  }
  return absl::InvalidArgumentError(usage);
}

}  // namespace

std::string TargetAddress::ToString() const {
  if (kind == Kind::kLocal) return absl::StrCat("local:", path);
  if (kind == Kind::kSwarm) {
    if (docker_host.empty()) return "swarm://local";
    return absl::StrCat("swarm+", docker_host);
  }
  std::string host_part =
      host.find(':') == std::string::npos ? host : absl::StrCat("[", host, "]");
  return absl::StrCat("ssh://", user.empty() ? "" : user + "@", host_part,
                      port == 22 ? "" : absl::StrCat(":", port), path);
}

absl::StatusOr<TargetAddress> ParseTarget(const std::string& text) {
  if (absl::StartsWith(text, "local:")) {
    TargetAddress t;
    t.path = text.substr(6);
    if (t.path.empty()) {
      return absl::InvalidArgumentError(
          "local target needs a path: local:/opt");
    }
    if (absl::Status s = CheckPath(text, t.path, /*spaces=*/true); !s.ok()) {
      return s;
    }
    return t;
  }
  if (absl::StartsWith(text, "ssh://")) return ParseSsh(text);
  if (absl::StartsWith(text, "swarm")) return ParseSwarm(text);
  return absl::InvalidArgumentError(absl::StrCat(
      "target '", PrintableText(text),
      "': want local:/path, ssh://user@host[:port]/absolute/path or a "
      "swarm (swarm://local, swarm+unix:///path, swarm+ssh://user@host)"));
}

}  // namespace poolops::orchestrator
