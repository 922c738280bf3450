#include "store/testing/throwaway_postgres.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace payvox::testing {
namespace {

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(text.str()));
}

}  // namespace

ThrowawayPostgres::ThrowawayPostgres() {
  char pattern[] = "/tmp/payvox-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    status_ = absl::InternalError("cannot make a temporary directory");
    return;
  }
  directory_ = pattern;
  // The server may run as another user (postgres, when the tests run as
  // root): it must reach its directory.
  std::filesystem::permissions(directory_, std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  status_ = Start();
  if (status_.ok()) {
    conninfo_ = ReadTrimmed(directory_ + "/conninfo");
    password_ = ReadTrimmed(directory_ + "/password");
  }
}

ThrowawayPostgres::~ThrowawayPostgres() {
  if (directory_.empty()) return;
  Stop().IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

absl::Status ThrowawayPostgres::Run(const std::string& command) {
  const std::string line = absl::StrCat(PAYVOX_POSTGRES_SCRIPT, " ", command, " ", directory_, " >",
                                        directory_, "/script.out 2>&1");
  const int code = std::system(line.c_str());
  if (code != 0) {
    return absl::UnavailableError(absl::StrCat(
        "scripts/postgres.sh ", command, " failed: ", ReadTrimmed(directory_ + "/script.out")));
  }
  return absl::OkStatus();
}

absl::Status ThrowawayPostgres::Start() { return Run("start"); }
absl::Status ThrowawayPostgres::Stop() { return Run("stop"); }

pg::ConnectOptions ThrowawayPostgres::options() const {
  return pg::ConnectOptions{
      .conninfo = conninfo_, .password = password_, .application_name = "payvox-test"};
}

absl::StatusOr<pg::ConnectOptions> ThrowawayPostgres::CreateDatabase() {
  PAYVOX_RETURN_IF_ERROR(status_);
  PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> admin, pg::Connection::Open(options()));
  const std::string name = absl::StrCat("payvox_test_", ++databases_);
  PAYVOX_RETURN_IF_ERROR(admin->ExecScript(absl::StrCat("CREATE DATABASE ", name)));
  pg::ConnectOptions out = options();
  // A later dbname in the string wins.
  absl::StrAppend(&out.conninfo, " dbname=", name);
  return out;
}

}  // namespace payvox::testing
