#include "libs/common/home.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"

namespace poolops {

std::filesystem::path Home::Resolve(std::string_view flag) {
  if (!flag.empty()) return std::filesystem::absolute(std::string(flag));
  if (const char* env = std::getenv("POOLOPS_HOME"); env && *env) {
    return std::filesystem::absolute(env);
  }
  const char* user_home = std::getenv("HOME");
  if (user_home == nullptr || *user_home == '\0') {
    // No $HOME (daemons, cron): ask the password database.
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) {
      user_home = pw->pw_dir;
    }
  }
  return std::filesystem::path(user_home ? user_home : ".") / ".poolops";
}

absl::StatusOr<Home> Home::Open(const std::filesystem::path& root) {
  if (root.empty()) return absl::InvalidArgumentError("home folder is empty");
  Home home(std::filesystem::absolute(root));
  // The root may be a folder the operator chose: checked, never chmod-ed.
  if (absl::Status s = files::EnsureOwnDir(home.root()); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("home folder ", s.message()));
  }
  for (const std::filesystem::path& dir :
       {home.keystore_dir(), home.run_dir(), home.logs_dir(), home.chains_dir(),
        home.devnet_dir()}) {
    if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  }
  return home;
}

std::filesystem::path Home::socket_path(std::string_view service) const {
  return run_dir() / absl::StrCat(std::string(service), ".sock");
}

}  // namespace poolops
