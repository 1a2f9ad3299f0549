#include "services/orchestrator/target.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace poolops::orchestrator {
std::string Base64Lines(const std::string& data) {
  std::string b64 = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) {
    absl::StrAppend(&out, b64.substr(i, 76), "\n");
  }
  return out;
}

namespace {

namespace fs = std::filesystem;

// The same script runs here (sh -s) and remotely (ssh ... sh -s), so the
// local and SSH targets behave alike.
class ScriptTarget : public Target {
 public:
  ScriptTarget(proc::ProcessRunner* runner, std::vector<std::string> prefix,
               std::string root, std::string describe)
      : runner_(runner),
        prefix_(std::move(prefix)),
        root_(std::move(root)),
        describe_(std::move(describe)) {}

  std::string Describe() const override { return describe_; }
  std::optional<std::string> SwarmHost() const override { return swarm_; }
  void SetSwarmHost(std::string docker_host) {
    swarm_ = std::move(docker_host);
  }

  using Target::WriteBundle;
  absl::Status WriteBundle(const std::string& bundle,
                           const std::vector<BundleFile>& files,
                           bool keep_backup) override {
    absl::StatusOr<CommandResult> r =
        Exec(WriteBundleScript(root_, bundle, files, keep_backup));
    if (!r.ok()) return r.status();
    if (r->exit_code != 0) {
      return absl::UnavailableError(absl::StrCat(
          describe_, ": writing bundle ", bundle, " failed: ", r->output));
    }
    return absl::OkStatus();
  }

  absl::Status RestoreBackup(const std::string& bundle) override {
    std::string dir = ShellQuote(root_ + "/" + bundle);
    std::string backup = ShellQuote(root_ + "/." + bundle + ".backup");
    absl::StatusOr<CommandResult> r =
        Exec(absl::StrCat("set -e\n[ -d ", backup, " ] || exit 3\nrm -rf ", dir,
                          "\ncp -a ", backup, " ", dir, "\n"));
    if (!r.ok()) return r.status();
    if (r->exit_code == 3) {
      return absl::NotFoundError(
          absl::StrCat(describe_, ": no backup of bundle ", bundle));
    }
    if (r->exit_code != 0) {
      return absl::UnavailableError(
          absl::StrCat(describe_, ": restoring ", bundle, ": ", r->output));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Exists(const std::string& bundle,
                              const std::string& file) override {
    absl::StatusOr<CommandResult> r = Exec(absl::StrCat(
        "[ -e ", ShellQuote(root_ + "/" + bundle + "/" + file), " ]\n"));
    if (!r.ok()) return r.status();
    if (r->exit_code == 255) {
      return absl::UnavailableError(absl::StrCat(describe_, ": ", r->output));
    }
    return r->exit_code == 0;
  }

  absl::StatusOr<CommandResult> Shell(const std::string& bundle,
                                      const std::string& script) override {
    if (bundle.empty()) return Exec(script);
    return Exec(absl::StrCat("cd ", ShellQuote(root_ + "/" + bundle),
                             " || exit 3\n", script));
  }

 private:
  absl::StatusOr<CommandResult> Exec(const std::string& script) {
    std::vector<std::string> argv = prefix_;
    argv.push_back("sh");
    argv.push_back("-s");
    proc::RunOptions options;
    options.input = script;  // files and secrets: never in argv
    options.timeout = kCommandTimeout;
    options.merge_stderr = true;
    absl::StatusOr<proc::RunResult> r = runner_->Run(argv, options);
    if (!r.ok()) return r.status();
    if (r->exit_code == 255 && prefix_.size() > 0 && prefix_[0] == "ssh") {
      return absl::UnavailableError(
          absl::StrCat(describe_, ": ssh failed: ", r->output));
    }
    return CommandResult{r->exit_code, std::move(r->output)};
  }

  proc::ProcessRunner* runner_;
  std::vector<std::string> prefix_;  // {} locally, {"ssh", ...} remotely
  std::string root_;
  std::string describe_;
  std::optional<std::string> swarm_;
};

// A swarm's bundles live with the orchestrator (docker stack deploy reads
// them here and sends them to the manager): one folder per manager and
// pool, so that two pools' "core" bundles never meet.
std::string SwarmFolderName(const TargetAddress& t) {
  if (t.docker_host.empty()) return "local";
  std::string out;
  for (char c : t.docker_host) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(keep ? c : '_');
  }
  return out;
}

class Factory : public TargetFactory {
 public:
  Factory(proc::ProcessRunner* runner, SshOptions ssh, fs::path swarm_root)
      : runner_(runner),
        ssh_(std::move(ssh)),
        swarm_root_(std::move(swarm_root)) {}

  absl::StatusOr<std::unique_ptr<Target>> Open(
      const std::string& text, const std::string& spec_dir,
      const std::string& pool) override {
    absl::StatusOr<TargetAddress> t = ParseTarget(text);
    if (!t.ok()) return t.status();
    if (t->kind == TargetAddress::Kind::kSwarm) {
      if (swarm_root_.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "target '", text,
            "': swarm targets need the orchestrator's home (--home)"));
      }
      if (pool.empty() || pool.find('/') != std::string::npos ||
          pool[0] == '.') {
        return absl::InvalidArgumentError(
            absl::StrCat("target '", text, "': no valid pool name"));
      }
      auto target = std::make_unique<ScriptTarget>(
          runner_, std::vector<std::string>{},
          (swarm_root_ / SwarmFolderName(*t) / pool).string(), text);
      target->SetSwarmHost(t->docker_host);
      return std::unique_ptr<Target>(std::move(target));
    }
    if (t->kind == TargetAddress::Kind::kLocal) {
      fs::path p(t->path);
      if (p.is_relative() && !spec_dir.empty()) p = fs::path(spec_dir) / p;
      std::error_code ec;
      fs::path abs = fs::absolute(p, ec);
      return std::unique_ptr<Target>(new ScriptTarget(
          runner_, {}, (ec ? p : abs).lexically_normal().string(), text));
    }
    std::vector<std::string> prefix = SshCommand(*t, ssh_);
    return std::unique_ptr<Target>(
        new ScriptTarget(runner_, std::move(prefix), t->path, text));
  }

 private:
  proc::ProcessRunner* runner_;
  SshOptions ssh_;
  fs::path swarm_root_;
};

}  // namespace

std::vector<std::string> SshCommand(const TargetAddress& t,
                                    const SshOptions& ssh) {
  std::vector<std::string> argv = {"ssh"};
  if (!ssh.config_file.empty()) {
    argv.push_back("-F");
    argv.push_back(ssh.config_file);
  }
  // A host that goes silent in the middle of a session (network cut,
  // frozen VM) ends it within a minute instead of hanging the apply.
  for (const std::string& o :
       {std::string("BatchMode=yes"),
        absl::StrCat("ConnectTimeout=", ssh.connect_timeout_seconds),
        std::string("ServerAliveInterval=15"),
        std::string("ServerAliveCountMax=4")}) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  if (!t.user.empty()) {
    argv.push_back("-l");
    argv.push_back(t.user);
  }
  argv.push_back("-p");
  argv.push_back(std::to_string(t.port));
  argv.push_back("--");
  argv.push_back(t.host);
  return argv;
}

std::string ShellQuote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string WriteBundleScript(const std::string& root,
                              const std::string& bundle,
                              const std::vector<BundleFile>& files,
                              bool keep_backup) {
  std::string dir = root + "/" + bundle;
  std::string backup = root + "/." + bundle + ".backup";
  std::string s = "set -e\numask 077\n";
  absl::StrAppend(&s, "mkdir -p ", ShellQuote(dir), "\n");
  // Backup of what runs now (if anything), then the new files.
  absl::StrAppend(
      &s, "if [ -f ", ShellQuote(dir + "/poolops-bundle.json"), " ]",
      keep_backup ? absl::StrCat(" && [ ! -d ", ShellQuote(backup), " ]") : "",
      "; then rm -rf ", ShellQuote(backup), "; cp -a ", ShellQuote(dir), " ",
      ShellQuote(backup), "; fi\n");
  absl::StrAppend(&s, "cd ", ShellQuote(dir), "\n");
  std::vector<std::string> keep;
  for (const BundleFile& f : files) {
    fs::path p(f.path);
    if (p.has_parent_path()) {
      absl::StrAppend(&s, "mkdir -p ", ShellQuote(p.parent_path().string()),
                      "\n");
    }
    std::string tmp = f.path + ".poolops-new";
    absl::StrAppend(&s, "base64 -d > ", ShellQuote(tmp), " <<'POOLOPS_EOF'\n",
                    Base64Lines(f.content), "POOLOPS_EOF\n");
    if (f.path == ".env") {
      // The operator's own variables (override.env, never written by
      // poolops) go last: compose takes the last value of a variable.
      absl::StrAppend(
          &s, "if [ -f override.env ]; then { printf '\\n# ",
          "operator overrides (override.env)\\n'; cat override.env; } >> ",
          ShellQuote(tmp), "; fi\n");
    }
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%o", f.mode);
    absl::StrAppend(&s, "chmod ", mode, " ", ShellQuote(tmp), "\nmv -f ",
                    ShellQuote(tmp), " ", ShellQuote(f.path), "\n");
    keep.push_back(f.path);  // renderer paths: [A-Za-z0-9._/-] only
  }
  // Files of the previous bundle that this one no longer has go (the
  // backup keeps them); files poolops did not write are never touched.
  absl::StrAppend(&s, "if [ -f .poolops-files ]; then while read -r f; do ",
                  "case \" ", absl::StrJoin(keep, " "),
                  " \" in *\" $f \"*) ;; *) rm -f \"./$f\" ;; esac; ",
                  "done < .poolops-files; fi\n");
  absl::StrAppend(&s, "cat > .poolops-files <<'POOLOPS_EOF'\n",
                  absl::StrJoin(keep, "\n"), "\nPOOLOPS_EOF\n");
  return s;
}

std::unique_ptr<TargetFactory> NewTargetFactory(
    proc::ProcessRunner* runner, SshOptions ssh,
    std::filesystem::path swarm_root) {
  return std::make_unique<Factory>(runner, std::move(ssh),
                                   std::move(swarm_root));
}

namespace {
bool IsOperatorFile(const std::string& file) {
  for (const char* f : kOperatorOwnedFiles) {
    if (file == f) return true;
  }
  return false;
}
}  // namespace

absl::StatusOr<std::optional<std::string>> ReadOperatorFile(
    Target* target, const std::string& bundle, const std::string& file) {
  if (!IsOperatorFile(file)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": not an operator file"));
  }
  absl::StatusOr<CommandResult> r = target->Shell(
      bundle, absl::StrCat("[ -f ", file, " ] || exit 4\nbase64 ", file, "\n"));
  if (!r.ok()) return r.status();
  if (r->exit_code == 3 || r->exit_code == 4) return std::nullopt;
  std::string encoded, out;
  for (char c : r->output) {
    if (c != '\n' && c != '\r') encoded.push_back(c);
  }
  if (r->exit_code != 0 || !absl::Base64Unescape(encoded, &out)) {
    return absl::UnavailableError(
        absl::StrCat(target->Describe(), ": cannot read ", bundle, "/", file,
                     ": ", r->output.substr(0, 200)));
  }
  return std::optional<std::string>(std::move(out));
}

absl::Status WriteOperatorFileIfAbsent(Target* target,
                                       const std::string& bundle,
                                       const std::string& file,
                                       const std::string& content) {
  if (!IsOperatorFile(file)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": not an operator file"));
  }
  absl::StatusOr<CommandResult> r = target->Shell(
      bundle,
      absl::StrCat("set -e\numask 077\n[ -e ", file, " ] && exit 0\n",
                   "base64 -d > ", file, ".poolops-new <<'POOLOPS_EOF'\n",
                   Base64Lines(content), "POOLOPS_EOF\nmv -f ", file,
                   ".poolops-new ", file, "\n"));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat(target->Describe(),
                                               ": cannot write ", bundle, "/",
                                               file, ": ", r->output));
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
