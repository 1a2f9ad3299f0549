#include "tests/browser/headless_chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace poolops::test {
namespace {

using json = nlohmann::json;

bool OnPath(const char* tool) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string p = dirs.substr(start, end - start) + "/" + tool;
    if (::access(p.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HeadlessChromium>> HeadlessChromium::Launch(
    std::filesystem::path profile_dir, int width, int height) {
  if (!OnPath("chromium"))
    return absl::NotFoundError(
        "chromium is not installed (scripts/test installs it)");
  std::filesystem::create_directories(profile_dir);
  int to[2], from[2];
  if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0)
    return absl::InternalError("pipe failed");
  std::vector<std::string> args = {
      "chromium",
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      "--remote-debugging-pipe",
      absl::StrCat("--user-data-dir=", profile_dir.string()),
      absl::StrCat("--window-size=", width, ",", height),
      "about:blank"};
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // fds 3 and 4 are the protocol's: commands in, answers out.
    ::dup2(to[0], 3);
    ::dup2(from[1], 4);
    int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("chromium", argv.data());
    ::_exit(127);
  }
  ::close(to[0]);
  ::close(from[1]);
  std::unique_ptr<HeadlessChromium> b(new HeadlessChromium());
  b->pid_ = pid;
  b->to_browser_ = to[1];
  b->from_browser_ = from[0];
  b->profile_ = std::move(profile_dir);
  // The browser answers once it is up.
  absl::StatusOr<json> version =
      b->Call("Browser.getVersion", json::object(),
              /*in_session=*/false, absl::Seconds(60));
  if (!version.ok()) return version.status();
  return b;
}

HeadlessChromium::~HeadlessChromium() {
  if (to_browser_ >= 0) ::close(to_browser_);
  if (from_browser_ >= 0) ::close(from_browser_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(50000);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  std::error_code ec;
  if (!profile_.empty()) std::filesystem::remove_all(profile_, ec);
}

absl::StatusOr<json> HeadlessChromium::Call(const std::string& method,
                                            json params, bool in_session,
                                            absl::Duration timeout) {
  const int id = next_id_++;
  json msg = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (in_session && !session_.empty()) msg["sessionId"] = session_;
  std::string out = msg.dump();
  out.push_back('\0');
  for (size_t done = 0; done < out.size();) {
    ssize_t n = ::write(to_browser_, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("chromium went away");
    done += n;
  }
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    // Whole messages in the buffer first; events (no id) are skipped.
    for (size_t end; (end = buffer_.find('\0')) != std::string::npos;) {
      json reply = json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (!reply.is_object() || reply.value("id", -1) != id) continue;
      if (reply.contains("error"))
        return absl::InternalError(
            absl::StrCat(method, ": ", reply["error"].dump()));
      return reply.value("result", json::object());
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration())
      return absl::DeadlineExceededError(
          absl::StrCat("chromium did not answer ", method));
    pollfd p{from_browser_, POLLIN, 0};
    int r =
        ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char chunk[65536];
    ssize_t n = ::read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("chromium went away");
    buffer_.append(chunk, n);
  }
}

absl::Status HeadlessChromium::Open(const std::string& url) {
  session_.clear();
  absl::StatusOr<json> target =
      Call("Target.createTarget", {{"url", "about:blank"}},
           /*in_session=*/false);
  if (!target.ok()) return target.status();
  absl::StatusOr<json> attached =
      Call("Target.attachToTarget",
           {{"targetId", (*target)["targetId"]}, {"flatten", true}}, false);
  if (!attached.ok()) return attached.status();
  session_ = (*attached)["sessionId"].get<std::string>();
  absl::StatusOr<json> nav = Call("Page.navigate", {{"url", url}});
  if (!nav.ok()) return nav.status();
  if (nav->contains("errorText"))
    return absl::UnavailableError(
        absl::StrCat(url, ": ", (*nav)["errorText"].get<std::string>()));
  return absl::OkStatus();
}

absl::StatusOr<json> HeadlessChromium::Eval(const std::string& expression) {
  absl::StatusOr<json> r = Call("Runtime.evaluate", {{"expression", expression},
                                                     {"returnByValue", true},
                                                     {"awaitPromise", true}});
  if (!r.ok()) return r.status();
  if (r->contains("exceptionDetails"))
    return absl::InvalidArgumentError(
        absl::StrCat(expression, ": ", (*r)["exceptionDetails"].dump()));
  return (*r)["result"].value("value", json());
}

absl::StatusOr<json> HeadlessChromium::WaitFor(const std::string& expression,
                                               absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  json last;
  while (true) {
    absl::StatusOr<json> v = Eval(expression);
    if (v.ok()) {
      last = *v;
      const bool truthy =
          !(v->is_null() || (v->is_boolean() && !v->get<bool>()) ||
            (v->is_string() && v->get<std::string>().empty()) ||
            (v->is_number() && v->get<double>() == 0));
      if (truthy) return *v;
    }
    if (absl::Now() > deadline)
      return absl::DeadlineExceededError(absl::StrCat(
          "the page never made true: ", expression, " (last value ",
          v.ok() ? last.dump() : std::string(v.status().message()), ")"));
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::Status HeadlessChromium::Screenshot(const std::filesystem::path& png) {
  absl::StatusOr<json> r =
      Call("Page.captureScreenshot",
           {{"format", "png"}, {"captureBeyondViewport", true}});
  if (!r.ok()) return r.status();
  std::string bytes;
  if (!absl::Base64Unescape((*r)["data"].get<std::string>(), &bytes))
    return absl::InternalError("chromium sent a screenshot that is not base64");
  std::filesystem::create_directories(png.parent_path());
  std::ofstream(png, std::ios::binary) << bytes;
  return absl::OkStatus();
}

}  // namespace poolops::test
