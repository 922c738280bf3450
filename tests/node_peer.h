// node_peer.h: runs one of the npm peers' scripts in tests/node (the
// official Stripe and Retell SDKs, the MCP TypeScript SDK) and returns what
// it printed. Needs Node.js and scripts/install-node-deps.sh (dev.sh runs
// both).
#ifndef PAYVOX_TESTS_NODE_PEER_H_
#define PAYVOX_TESTS_NODE_PEER_H_

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace payvox::testing {

// RunNodePeer runs `node tests/node/<script> <args...>` with `input` on its
// standard input; each argument is passed single-quoted (none may hold a
// quote).
inline std::string RunNodePeer(const std::string& script, const std::vector<std::string>& args,
                               const std::string& input = "") {
  // One file per call and process: test binaries run side by side.
  static int calls = 0;
  const std::string stdin_file =
      absl::StrCat(::testing::TempDir(), "/payvox_node_peer_", getpid(), "_", ++calls);
  std::ofstream(stdin_file, std::ios::binary) << input;
  std::string command = absl::StrCat("node ", PAYVOX_NODE_PEERS_DIR, "/", script);
  for (const std::string& arg : args) {
    EXPECT_EQ(arg.find('\''), std::string::npos) << arg;
    absl::StrAppend(&command, " '", arg, "'");
  }
  absl::StrAppend(&command, " < ", stdin_file, " 2>&1");
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int exit_code = pclose(pipe);
  std::remove(stdin_file.c_str());
  EXPECT_EQ(exit_code, 0) << script << " failed (run scripts/install-node-deps.sh): " << output;
  return output;
}

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_NODE_PEER_H_
