// program_flags.h: command-line parsing shared by payvox's programs
// (payvoxd, payvoxctl, payvox-bench, payvox-sandbox), so each answers
// --help with its own flags and --version with payvox's version.
//
//   int main(int argc, char** argv) {
//     std::vector<char*> args = payvox::ParseProgramFlags(argc, argv, "payvoxd", kUsage);
//
// --help prints the usage message and the flags defined in payvox's
// sources (--helpfull: Abseil's own too) and exits with status 1, Abseil's
// convention; --version prints "<program> <version>" and exits 0; an
// unknown flag prints what is wrong and exits 1.
#ifndef PAYVOX_COMMON_PROGRAM_FLAGS_H_
#define PAYVOX_COMMON_PROGRAM_FLAGS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace payvox {

// PayvoxVersion is the version the build was made from ("0.1.0").
absl::string_view PayvoxVersion();

// ParseProgramFlags parses argv and returns the positional arguments
// (argv[0] first). Call it once, first thing in main.
std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view program,
                                     absl::string_view usage);

}  // namespace payvox

#endif  // PAYVOX_COMMON_PROGRAM_FLAGS_H_
