#include "devnet/simulators/images.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "devnet/simulators/roles.h"

namespace poolops::sim {
std::string SimulatorImageName(const std::string& role,
                               const std::string& tag) {
  return absl::StrCat("poolops-sim/", role, ":", tag);
}

absl::Status BuildSimulatorImages(const ImageBuildOptions& options,
                                  proc::ProcessRunner* runner) {
  namespace fs = std::filesystem;
  std::vector<std::string> roles = options.roles;
  if (roles.empty()) {
    for (const RoleSpec& r : AllRoles()) roles.push_back(r.name);
  }
  for (const std::string& role : roles) {
    absl::StatusOr<RoleSpec> spec = FindRole(role);
    if (!spec.ok()) return spec.status();
  }
  std::string pattern =
      (fs::temp_directory_path() / "poolops-sim-ctx.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  fs::path context(pattern);
  std::error_code ec;
  fs::copy_file(options.binary, context / "poolops-stack-sim", ec);
  if (!ec) fs::copy_file(options.dockerfile, context / "Dockerfile", ec);
  absl::Status status = absl::OkStatus();
  if (ec) {
    status = absl::NotFoundError(
        absl::StrCat("staging the image context: ", ec.message()));
  }
  proc::RunOptions run;
  run.env = {{"DOCKER_BUILDKIT", "0"}};
  run.merge_stderr = true;
  for (size_t i = 0; status.ok() && i < roles.size(); ++i) {
    const std::vector<std::string> argv = {
        options.docker,
        "build",
        "--quiet",
        "--build-arg",
        absl::StrCat("ROLE=", roles[i]),
        "--build-arg",
        absl::StrCat("VERSION=", options.tag),
        "-t",
        SimulatorImageName(roles[i], options.tag),
        context.string()};
    absl::StatusOr<proc::RunResult> out = runner->Run(argv, run);
    if (!out.ok()) {
      status = out.status();
    } else if (out->exit_code != 0) {
      status = absl::InternalError(
          absl::StrCat(absl::StrJoin(argv, " "), " failed (exit ",
                       out->exit_code, "): ", out->output));
    }
  }
  fs::remove_all(context, ec);
  return status;
}

}  // namespace poolops::sim
