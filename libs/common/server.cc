#include "libs/common/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/health_client.h"
#include "libs/common/home.h"
#include "libs/common/net.h"
#include "libs/common/suite.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "spdlog/spdlog.h"

namespace poolops {

void ServerControl::Stop() {
  absl::MutexLock lock(&mu_);
  stop_requested_ = true;
  if (wake_fd_ >= 0) {
    char c = 'x';
    (void)!::write(wake_fd_, &c, 1);
  }
}

bool ServerControl::WaitUntilServing(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return serving_ || finished_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return serving_;
}

std::string ServerControl::address() const {
  absl::MutexLock lock(&mu_);
  return address_;
}

std::string ServerControl::metrics_url() const {
  absl::MutexLock lock(&mu_);
  return metrics_url_;
}

namespace {

// The signal handler only writes a byte to the self-pipe of the running
// server (async-signal-safe); the server thread does the shutdown.
std::atomic<int> g_signal_wake_fd{-1};

extern "C" void OnStopSignal(int) {
  int saved_errno = errno;
  int fd = g_signal_wake_fd.load();
  if (fd >= 0) {
    char c = 's';
    (void)!::write(fd, &c, 1);
  }
  errno = saved_errno;
}

// grpc::Service does not expose its name; the builder's list of registered
// services does, through a plugin (the way the reflection plugin learns it).
class ServiceNamesPlugin : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::vector<std::string>* out) : out_(out) {}
  std::string name() override { return "poolops_service_names"; }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer* si) override {
    *out_ = *si->GetServiceList();
  }
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::vector<std::string>* out_;
};

class ServiceNamesOption : public grpc::ServerBuilderOption {
 public:
  explicit ServiceNamesOption(std::vector<std::string>* out) : out_(out) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->push_back(std::make_unique<ServiceNamesPlugin>(out_));
  }

 private:
  std::vector<std::string>* out_;
};

// Refuses to start over a live instance; removes a socket nobody answers on.
absl::Status ClaimSocket(const std::filesystem::path& path,
                         std::string_view service) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("cannot stat ", path.string()));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path.string(), " exists and is not a socket; move it away"));
  }
  auto channel = LocalChannel(absl::StrCat("unix:", path.string()));
  absl::StatusOr<HealthState> health =
      CheckHealth(*channel, "", absl::Seconds(1));
  bool answered = health.ok() || (!absl::IsUnavailable(health.status()) &&
                                  !absl::IsDeadlineExceeded(health.status()));
  if (answered) {
    return absl::FailedPreconditionError(absl::StrCat(
        "another ", std::string(service), " is already serving on unix:",
        path.string(), "; stop it first (poolctl services down)"));
  }
  spdlog::info("removing stale socket {}", path.string());
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot remove stale socket ", path.string()));
  }
  return absl::OkStatus();
}

// Mutual TLS, always: a TCP caller is whoever holds a key the suite's CA
// certified (its CN is the identity PeerIdentity reports), never anyone who
// can reach the port.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen ", options.listen,
        ": TCP needs --tls-cert and --tls-key (plain TCP is not offered; "
        "use a unix socket locally)"));
  }
  if (options.tls_client_ca_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen ", options.listen,
        ": TCP needs --tls-client-ca, the PEM CA that signs the clients' "
        "certificates (every TCP caller must show one: mutual TLS)"));
  }
  absl::StatusOr<std::string> cert = files::ReadFile(options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = files::ReadFile(options.tls_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = files::ReadFile(options.tls_client_ca_file);
  if (!ca.ok()) return ca.status();
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  ssl.pem_root_certs = *ca;
  return grpc::SslServerCredentials(ssl);
}

// Adds or removes the reflection service on one builder. The reflection
// library registers its plugin for every builder of the process when it is
// loaded, so "off" has to take it out again.
class ReflectionOption : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool on) : on_(on) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    grpc::reflection::ProtoServerReflectionPlugin probe;
    const std::string name = probe.name();
    auto found = std::find_if(plugins->begin(), plugins->end(),
                              [&](const auto& p) { return p->name() == name; });
    if (on_ && found == plugins->end()) {
      plugins->push_back(
          std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    } else if (!on_) {
      plugins->erase(
          std::remove_if(plugins->begin(), plugins->end(),
                         [&](const auto& p) { return p->name() == name; }),
          plugins->end());
    }
  }

 private:
  bool on_;
};


// Restores the previous SIGTERM/SIGINT dispositions when a run ends.
class SignalScope {
 public:
  explicit SignalScope(int wake_fd) {
    g_signal_wake_fd.store(wake_fd);
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, &old_term_);
    ::sigaction(SIGINT, &sa, &old_int_);
  }
  ~SignalScope() {
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    g_signal_wake_fd.store(-1);
  }

 private:
  struct sigaction old_term_ = {};
  struct sigaction old_int_ = {};
};

}  // namespace

// One RunServer call; a class so it can reach ServerControl's state.
class ServerRun {
 public:
  ServerRun(const ServerOptions& options, ServerControl* control)
      : options_(options), control_(control) {}
  ~ServerRun() {
    if (control_ != nullptr) {
      absl::MutexLock lock(&control_->mu_);
      control_->wake_fd_ = -1;
      control_->serving_ = false;
      control_->finished_ = true;
    }
    if (pipe_[0] >= 0) ::close(pipe_[0]);
    if (pipe_[1] >= 0) ::close(pipe_[1]);
  }

  absl::Status Run(const std::vector<grpc::Service*>& services,
                   std::shared_ptr<prometheus::Registry> registry);

 private:
  absl::Status Serve(const std::vector<grpc::Service*>& services,
                     std::shared_ptr<prometheus::Registry> registry);

  const ServerOptions& options_;
  ServerControl* control_;
  int pipe_[2] = {-1, -1};
};

absl::Status ServerRun::Run(const std::vector<grpc::Service*>& services,
                            std::shared_ptr<prometheus::Registry> registry) {
  if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError("cannot create the stop pipe");
  }
  // Blocking reads on our end; the writers never block.
  ::fcntl(pipe_[0], F_SETFL, 0);
  if (control_ != nullptr) {
    absl::MutexLock lock(&control_->mu_);
    control_->finished_ = false;
    control_->wake_fd_ = pipe_[1];
    if (control_->stop_requested_) {
      char c = 'x';
      (void)!::write(pipe_[1], &c, 1);
    }
  }
  std::optional<SignalScope> signals;
  if (options_.handle_signals) signals.emplace(pipe_[1]);
  return Serve(services, std::move(registry));
}

absl::Status ServerRun::Serve(const std::vector<grpc::Service*>& services,
                              std::shared_ptr<prometheus::Registry> registry) {
  if (options_.service_name.empty()) {
    return absl::InvalidArgumentError("service name is empty");
  }
  absl::StatusOr<Home> home = Home::Open(Home::Resolve(options_.home));
  if (!home.ok()) return home.status();
  const std::string& name = options_.service_name;

  // Where to listen, and how.
  std::string listen = options_.listen;
  if (listen.empty()) {
    listen = absl::StrCat("unix:", home->socket_path(name).string());
  }
  std::filesystem::path socket_path;
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::optional<net::HostPort> tcp;
  if (absl::StartsWith(listen, "unix:")) {
    socket_path = listen.substr(5);
    if (!socket_path.is_absolute()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--listen ", listen, ": want unix:/absolute/path"));
    }
    if (socket_path.string().size() >= sizeof(sockaddr_un::sun_path)) {
      return absl::InvalidArgumentError(
          absl::StrCat("socket path ", socket_path.string(), " is longer than ",
                       sizeof(sockaddr_un::sun_path) - 1,
                       " bytes (unix socket limit); use a shorter --home"));
    }
    if (absl::Status s = ClaimSocket(socket_path, name); !s.ok()) return s;
    credentials = grpc::InsecureServerCredentials();
  } else {
    absl::StatusOr<net::HostPort> hp = net::ParseHostPort("--listen", listen);
    if (!hp.ok()) return hp.status();
    tcp = *hp;
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls =
        TlsCredentials(options_);
    if (!tls.ok()) return tls.status();
    credentials = *tls;
  }
  std::optional<net::HostPort> metrics_hp;
  if (!options_.metrics_listen.empty()) {
    absl::StatusOr<net::HostPort> hp =
        net::ParseHostPort("--metrics-listen", options_.metrics_listen);
    if (!hp.ok()) return hp.status();
    if (!options_.metrics_public && !net::IsLoopbackHost(hp->host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--metrics-listen ", options_.metrics_listen,
          ": /metrics is served on loopback only (127.0.0.1, [::1]); add "
          "--metrics-public to serve it on ",
          hp->host, " (it shows the pools' state to anyone who reaches it)"));
    }
    metrics_hp = *hp;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen, credentials, tcp ? &bound_port : nullptr);
  for (grpc::Service* service : services) builder.RegisterService(service);
  // Reflection tells a caller every method: local callers only, unless
  // asked for on TCP (where callers are authenticated anyway).
  builder.SetOption(
      std::make_unique<ReflectionOption>(!tcp || options_.tcp_reflection));
  std::vector<std::string> service_names;
  builder.SetOption(std::make_unique<ServiceNamesOption>(&service_names));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (tcp && bound_port == 0)) {
    if (server) server->Shutdown();
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", listen, " (address in use or not local?)"));
  }
  std::string address = listen;
  if (tcp) address = absl::StrCat(tcp->host, ":", bound_port);
  if (!socket_path.empty()) ::chmod(socket_path.c_str(), 0600);

  // Cleans up whatever got created, on every way out from here.
  std::shared_ptr<prometheus::Registry> own_registry;  // outlives exposer
  std::unique_ptr<prometheus::Exposer> exposer;
  std::filesystem::path run_file = RunInfoPath(home->run_dir(), name);
  bool wrote_run_file = false;
  auto stop = [&]() {
    server->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
    server->Wait();
    exposer.reset();
    if (wrote_run_file) std::filesystem::remove(run_file);
    if (!socket_path.empty()) std::filesystem::remove(socket_path);
  };

  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const std::string& service_name : service_names) {
    health->SetServingStatus(service_name, true);
  }

  std::string metrics_url;
  if (metrics_hp) {
    // The exposition always carries poolops_service_info, so /metrics answers
    // 200 even before a service defines metrics of its own.
    own_registry = std::make_shared<prometheus::Registry>();
    prometheus::BuildGauge()
        .Name("poolops_service_info")
        .Help("Always 1; labels name the poolops service.")
        .Register(*own_registry)
        .Add({{"service", name}})
        .Set(1);
    try {
      exposer = std::make_unique<prometheus::Exposer>(options_.metrics_listen,
                                                      /*num_threads=*/1);
    } catch (const std::exception& e) {
      stop();
      return absl::UnavailableError(absl::StrCat(
          "cannot serve metrics on ", options_.metrics_listen, ": ", e.what()));
    }
    exposer->RegisterCollectable(own_registry);
    if (registry) exposer->RegisterCollectable(registry);
    std::vector<int> ports = exposer->GetListeningPorts();
    std::string host = metrics_hp->host;
    if (host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
    metrics_url =
        absl::StrCat("http://", host, ":",
                     ports.empty() ? metrics_hp->port : ports[0], "/metrics");
  }

  RunInfo info{static_cast<int>(::getpid()), address, metrics_url,
               options_.dashboard_url};
  if (absl::Status s =
          files::WriteFileAtomic(run_file, RunInfoToJson(info), 0600);
      !s.ok()) {
    stop();
    return s;
  }
  wrote_run_file = true;
  spdlog::info("{} serving on {} (metrics: {})", name, address,
               metrics_url.empty() ? "off" : metrics_url);
  if (control_ != nullptr) {
    absl::MutexLock lock(&control_->mu_);
    control_->address_ = address;
    control_->metrics_url_ = metrics_url;
    control_->serving_ = true;
  }

  char c;
  while (::read(pipe_[0], &c, 1) < 0 && errno == EINTR) {
  }
  spdlog::info("{} stopping", name);
  for (const std::string& service_name : service_names) {
    health->SetServingStatus(service_name, false);
  }
  stop();
  spdlog::info("{} stopped", name);
  return absl::OkStatus();
}

absl::Status RunServer(const ServerOptions& options,
                       const std::vector<grpc::Service*>& services,
                       std::shared_ptr<prometheus::Registry> registry,
                       ServerControl* control) {
  ServerRun run(options, control);
  return run.Run(services, std::move(registry));
}

absl::Status ParseServerFlags(int argc, char** argv, ServerOptions* options) {
  CLI::App app(absl::StrCat("poolops ", options->service_name, " service"),
               argc > 0 ? argv[0] : "poolops-service");
  std::string home;
  app.add_option("--home", home,
                 "poolops home (default: $POOLOPS_HOME, ~/.poolops)");
  app.add_option("--listen", options->listen,
                 "unix:/abs/path.sock (default run/<service>.sock in the "
                 "home) or HOST:PORT with TLS");
  app.add_option("--tls-cert", options->tls_cert_file,
                 "PEM certificate chain (TCP)");
  app.add_option("--tls-key", options->tls_key_file, "PEM private key (TCP)");
  app.add_option("--tls-client-ca", options->tls_client_ca_file,
                 "PEM CA that signs the clients' certificates (TCP: required, "
                 "mutual TLS)");
  app.add_flag("--reflection", options->tcp_reflection,
               "serve gRPC reflection on TCP too (always on unix sockets)");
  app.add_option("--metrics-listen", options->metrics_listen,
                 "HOST:PORT of /metrics (port 0 = any free; empty = off; "
                 "loopback only unless --metrics-public)")
      ->capture_default_str();
  app.add_flag("--metrics-public", options->metrics_public,
               "allow a non-loopback --metrics-listen (0.0.0.0, a public IP)");
  app.add_option("--log-level", options->log_level,
                 "trace|debug|info|warn|error|critical|off")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    std::exit(0);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\n%s", e.what(), app.help().c_str());
    return absl::InvalidArgumentError(e.what());
  }
  options->home = Home::Resolve(home).string();
  return absl::OkStatus();
}

}  // namespace poolops
