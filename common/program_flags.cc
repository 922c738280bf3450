#include "common/program_flags.h"

#include <iostream>
#include <string>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

// OwnFlag: a flag defined in payvox's sources rather than inside Abseil
// (--flagfile, --fromenv and the like stay in --helpfull).
bool OwnFlag(absl::string_view file) { return !absl::StrContains(file, "absl/"); }

}  // namespace

absl::string_view PayvoxVersion() { return PAYVOX_VERSION; }

std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view program,
                                     absl::string_view usage) {
  absl::SetProgramUsageMessage(absl::StrCat(
      usage, "\n\n", program, " --version prints its version; --helpfull lists every flag."));
  absl::FlagsUsageConfig config;
  config.contains_help_flags = OwnFlag;
  config.contains_helpshort_flags = OwnFlag;
  config.version_string = [name = std::string(program)] {
    return absl::StrCat(name, " ", PAYVOX_VERSION, "\n");
  };
  absl::SetFlagsUsageConfig(config);
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace payvox
