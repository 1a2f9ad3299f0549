#include "devnet/simulators/images.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "devnet/simulators/roles.h"

namespace poolops::sim {
namespace {

class RealRunner : public CommandRunner {
 public:
  absl::StatusOr<std::string> Run(
      const std::vector<std::string>& argv) override {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return absl::InternalError(std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0) return absl::InternalError(std::strerror(errno));
    if (pid == 0) {
      ::dup2(pipe_fds[1], 1);
      ::dup2(pipe_fds[1], 2);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      ::setenv("DOCKER_BUILDKIT", "0", 1);
      std::vector<char*> args;
      for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    std::string output;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0) {
      output.append(buffer, static_cast<size_t>(n));
    }
    ::close(pipe_fds[0]);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "),
                                              " failed (status ", wstatus,
                                              "): ", output));
    }
    return output;
  }
};

}  // namespace

CommandRunner* CommandRunner::Real() {
  static RealRunner* runner = new RealRunner();
  return runner;
}

std::string SimulatorImageName(const std::string& role,
                               const std::string& tag) {
  return absl::StrCat("poolops-sim/", role, ":", tag);
}

absl::Status BuildSimulatorImages(const ImageBuildOptions& options,
                                  CommandRunner* runner) {
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
  for (size_t i = 0; status.ok() && i < roles.size(); ++i) {
    absl::StatusOr<std::string> out = runner->Run(
        {options.docker, "build", "--quiet", "--build-arg",
         absl::StrCat("ROLE=", roles[i]), "--build-arg",
         absl::StrCat("VERSION=", options.tag), "-t",
         SimulatorImageName(roles[i], options.tag), context.string()});
    if (!out.ok()) status = out.status();
  }
  fs::remove_all(context, ec);
  return status;
}

}  // namespace poolops::sim
