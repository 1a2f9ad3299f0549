// The poolctl front (cli/CMakeLists.txt): one static file, the devnet's
// lifecycle handed to poolctl-full with the same words and exit codes, a
// missing poolctl-full named, and a service that does not answer named
// without the health round trip the front no longer makes.
#include <elf.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/containers/exec.h"

namespace {

namespace fs = std::filesystem;

using poolops::test::EnvChanges;
using poolops::test::Exec;
using poolops::test::Result;
using poolops::test::Slurp;

class FrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-front-XXXXXX";
    home_ = ::mkdtemp(tmpl.data());
    ::unsetenv("POOLOPS_HOME");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  // `binary --home HOME --json <args...>` with `env` changes.
  Result Run(const std::string& binary, std::vector<std::string> args,
             const EnvChanges& env = {}) {
    std::vector<std::string> argv = {binary, "--home", home_.string(),
                                     "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return Exec(home_, argv, env);
  }

  fs::path home_;
  const std::string front_ = POOLCTL_PATH;
  const std::string full_ =
      (fs::path(POOLCTL_PATH).parent_path() / "poolctl-full").string();
};

#if POOLOPS_STATIC_POOLCTL
// No interpreter, no dynamic section: nothing for a loader to map or
// relocate at start-up (a shared library added to the front's link would
// bring both back).
TEST_F(FrontTest, TheFrontIsOneStaticFile) {
  std::string elf = Slurp(front_);
  ASSERT_GE(elf.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  ASSERT_EQ(std::string(reinterpret_cast<const char*>(eh.e_ident), 4),
            std::string(ELFMAG, 4));
  ASSERT_LE(eh.e_phoff + size_t{eh.e_phnum} * sizeof(Elf64_Phdr), elf.size());
  int eh_frame_hdr = 0;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, elf.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    EXPECT_NE(ph.p_type, static_cast<Elf64_Word>(PT_INTERP));
    EXPECT_NE(ph.p_type, static_cast<Elf64_Word>(PT_DYNAMIC));
    if (ph.p_type == PT_GNU_EH_FRAME) ++eh_frame_hdr;
  }
  // The unwinder's binary-search table (cmake/StaticLink.cmake): without
  // it the first exception (--help) sorts every FDE of the program.
  EXPECT_EQ(eh_frame_hdr, 1);
}

// The generated code in the front registers its descriptors on first use
// (cmake/LazyDescriptors.cmake): protoc's start-up registrar, a static
// named dynamic_init_dummy_<file>, is in the symbol table for protobuf's own
// files and for none of ours.
TEST_F(FrontTest, OurProtosRegisterNothingAtStartUp) {
  std::string elf = Slurp(front_);
  ASSERT_GE(elf.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  ASSERT_LE(eh.e_shoff + size_t{eh.e_shnum} * sizeof(Elf64_Shdr), elf.size());
  auto section = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    return sh;
  };
  int protobufs = 0;
  std::vector<std::string> ours;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr symtab = section(i);
    if (symtab.sh_type != SHT_SYMTAB) continue;
    Elf64_Shdr strtab = section(symtab.sh_link);
    ASSERT_LE(symtab.sh_offset + symtab.sh_size, elf.size());
    ASSERT_LE(strtab.sh_offset + strtab.sh_size, elf.size());
    for (size_t at = 0; at + sizeof(Elf64_Sym) <= symtab.sh_size;
         at += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, elf.data() + symtab.sh_offset + at, sizeof sym);
      if (sym.st_name >= strtab.sh_size) continue;
      std::string name(elf.data() + strtab.sh_offset + sym.st_name,
                       ::strnlen(elf.data() + strtab.sh_offset + sym.st_name,
                                 strtab.sh_size - sym.st_name));
      if (name.find("dynamic_init_dummy_google") != std::string::npos) {
        ++protobufs;
      }
      if (name.find("dynamic_init_dummy_poolops") != std::string::npos) {
        ours.push_back(name);
      }
    }
  }
  // Protobuf's own registrars show the symbol table is there to be read.
  EXPECT_GT(protobufs, 0);
  EXPECT_TRUE(ours.empty()) << absl::StrJoin(ours, ", ");
}
#endif

// The same command line answered by the front (through poolctl-full) and
// by poolctl-full itself: same stdout, same exit code.
TEST_F(FrontTest, DevnetCommandsAnswerAsPoolctlFullDoes) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"devnet", "status"},
           {"devnet", "down"},
           {"devnet", "up", "--flavour", "nope"},
           {"devnet", "traffic", "--pool", "p", "--deals", "1"}}) {
    std::string line = absl::StrJoin(args, " ");
    Result front = Run(front_, args);
    Result full = Run(full_, args);
    EXPECT_EQ(front.code, full.code) << line << ": " << front.err;
    EXPECT_EQ(front.out, full.out) << line;
    EXPECT_FALSE(front.json.is_null()) << line << ": " << front.out;
  }
  // Nothing to stop is a success, said the same way.
  Result down = Run(front_, {"devnet", "down"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_EQ(down.json.value("running", true), false) << down.out;
}

TEST_F(FrontTest, AMissingPoolctlFullIsNamed) {
  fs::path alone = home_ / "bin";
  fs::create_directories(alone);
  fs::copy_file(front_, alone / "poolctl");
  Result r = Run((alone / "poolctl").string(), {"devnet", "status"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;  // FAILED_PRECONDITION
  ASSERT_TRUE(r.json.contains("error")) << r.out;
  std::string message = r.json["error"].value("message", "");
  EXPECT_NE(message.find((alone / "poolctl-full").string()), std::string::npos)
      << message;
  EXPECT_NE(message.find("cannot run"), std::string::npos) << message;
  // Commands that are the front's own still work without it.
  EXPECT_EQ(Run((alone / "poolctl").string(), {"commands"}).code, 0);
}

// A service set explicitly that is not there: Unavailable naming it and the
// setting, at once (no suite is started for an explicit address).
TEST_F(FrontTest, AnExplicitServiceThatDoesNotAnswerIsNamed) {
  std::string sock = (home_ / "nobody.sock").string();
  Result r = Run(front_, {"wallet", "list"},
                 {{"POOLOPS_WALLET_VAULT_ADDRESS", "unix:" + sock}});
  EXPECT_EQ(r.code, 6) << r.out << r.err;  // UNAVAILABLE
  std::string message = r.json["error"].value("message", "");
  EXPECT_NE(message.find("wallet-vault at unix:" + sock), std::string::npos)
      << message;
  EXPECT_NE(message.find("POOLOPS_WALLET_VAULT_ADDRESS"), std::string::npos)
      << message;
  EXPECT_NE(message.find("does not answer"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(home_ / "run")) << "nothing was started";
}

}  // namespace
