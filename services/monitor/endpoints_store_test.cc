#include "services/monitor/endpoints_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace poolops::monitor {
namespace {

PoolEndpoints Valid() {
  PoolEndpoints t;
  t.set_pool("pool-1");
  t.set_core("http://127.0.0.1:7001/");
  auto* w = t.add_workers();
  w->set_name("worker-1");
  w->set_health_url("http://127.0.0.1:13100/actuator/health");
  auto* wallet = t.add_wallets();
  wallet->set_name("core");
  wallet->set_role("scheduler");
  wallet->set_min_stake("1000");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  return t;
}

TEST(EndpointsStoreTest, ValidateNormalises) {
  PoolEndpoints t = Valid();
  ASSERT_TRUE(ValidateEndpoints(&t).ok());
  EXPECT_EQ(t.core(), "http://127.0.0.1:7001");
  EXPECT_EQ(t.adapter_path(), "/config/chain");
}

// The config server is a base URL; one pasted with its path works too.
TEST(EndpointsStoreTest, ConfigServerIsABaseUrl) {
  for (const char* given :
       {"http://10.0.0.2:8888", "http://10.0.0.2:8888/",
        "http://10.0.0.2:8888/config/chain", " http://10.0.0.2:8888/ "}) {
    PoolEndpoints t = Valid();
    t.set_config_server(given);
    ASSERT_TRUE(ValidateEndpoints(&t).ok()) << given;
    EXPECT_EQ(t.config_server(), "http://10.0.0.2:8888") << given;
  }
  auto t = PoolEndpointsFromJson(
      R"({"pool":"p","core":"http://h:7001","configServer":"http://h:8888"})",
      "f.json");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->config_server(), "http://h:8888");
}

TEST(EndpointsStoreTest, ValidateNamesTheFieldAtFault) {
  struct Case {
    std::function<void(PoolEndpoints*)> change;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](PoolEndpoints* t) { t->set_pool("bad name"); }, "pool"},
      {[](PoolEndpoints* t) { t->clear_core(); }, "--core"},
      {[](PoolEndpoints* t) { t->set_core("ftp://x"); }, "--core"},
      {[](PoolEndpoints* t) { t->set_grafana("grafana:3000"); }, "--grafana"},
      {[](PoolEndpoints* t) { t->set_workerpool("0x12"); }, "--workerpool"},
      {[](PoolEndpoints* t) { t->add_workers()->set_name("worker-1"); },
       "--worker worker-1"},
      {[](PoolEndpoints* t) { t->mutable_wallets(0)->set_role("boss"); },
       "--wallet core"},
      {[](PoolEndpoints* t) { t->mutable_wallets(0)->set_min_stake("1e9"); },
       "--wallet core"},
      {[](PoolEndpoints* t) { t->set_chain_id("0x86"); }, "--chain-id"},
      {[](PoolEndpoints* t) { t->set_config_server("core:8888"); },
       "--config-server"},
  };
  for (const Case& c : cases) {
    PoolEndpoints t = Valid();
    c.change(&t);
    absl::Status s = ValidateEndpoints(&t);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << c.field;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
  }
}

TEST(EndpointsStoreTest, SavesWith0600AndLoadsBack) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "mon-store" / "monitor";
  std::filesystem::remove_all(dir.parent_path());
  EndpointsStore store(dir / "targets.json");
  auto empty = store.Load();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  PoolEndpoints t = Valid();
  ASSERT_TRUE(ValidateEndpoints(&t).ok());
  ASSERT_TRUE(store.Save({t}).ok());
  struct stat st;
  ASSERT_EQ(::stat(store.file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].SerializeAsString(), t.SerializeAsString());
}

TEST(EndpointsStoreTest, BrokenFileIsAnErrorNamingIt) {
  std::filesystem::path file =
      std::filesystem::path(::testing::TempDir()) / "mon-broken.json";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("{not json", f);
  std::fclose(f);
  auto loaded = EndpointsStore(file).Load();
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(file.string()), std::string::npos);
}

TEST(EndpointsStoreTest, FromJsonUsesTheProtoJsonNames) {
  auto t = PoolEndpointsFromJson(
      R"({"pool":"p","core":"http://h:7001","workers":[{"name":"w1","healthUrl":"http://h:1/a"}],"expectedWorkers":3})",
      "f.json");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->workers(0).health_url(), "http://h:1/a");
  EXPECT_EQ(t->expected_workers(), 3u);
  EXPECT_FALSE(PoolEndpointsFromJson("[1]", "f.json").ok());
}

}  // namespace
}  // namespace poolops::monitor

namespace poolops::monitor {
namespace {

// Swarm stacks reach a shell script and a child's DOCKER_HOST: names only.
TEST(EndpointsStoreTest, SwarmStacksAreCheckedBeforeTheyAreKept) {
  auto with = [](const std::string& host, const std::string& project,
                 const std::string& role) {
    PoolEndpoints t = Valid();
    v1::SwarmStack* s = t.add_swarm_stacks();
    s->set_docker_host(host);
    s->set_project(project);
    s->set_role(role);
    return ValidateEndpoints(&t);
  };
  EXPECT_TRUE(with("", "p-core", "core").ok());
  EXPECT_TRUE(with("unix:///run/docker-2.sock", "p-w0", "worker").ok());
  EXPECT_TRUE(with("ssh://deploy@manager.example:2222", "p-w0", "worker").ok());
  EXPECT_TRUE(with("ssh://root@[::1]", "p-w0", "worker").ok());
  for (const char* bad :
       {"tcp://10.0.0.1:2375", "unix://relative", "ssh://-oProxyCommand=x",
        "unix:///a;rm -rf /", "ssh://h\n"}) {
    absl::Status s = with(bad, "p-core", "core");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(with("", "p core; rm", "core").ok());
  EXPECT_FALSE(with("", "p-core", "scheduler").ok());
}

}  // namespace
}  // namespace poolops::monitor
