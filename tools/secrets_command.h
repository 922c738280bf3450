// secrets_command.h: `payvoxctl secrets re-encrypt`, run against payvoxd's
// SQLite database: every sealed secret (tenants' Stripe keys, webhook
// signing secrets) is opened with the previous or the new master key and
// sealed again under the new one, in one transaction. Afterwards payvoxd
// needs only the new key (secrets.master_key_file).
//
//   payvoxctl secrets re-encrypt --store=/var/lib/payvox/payvox.db
//       --master_key_file=new.key --previous_master_key_file=old.key
#ifndef PAYVOX_TOOLS_SECRETS_COMMAND_H_
#define PAYVOX_TOOLS_SECRETS_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace payvox {

struct ReencryptOptions {
  std::string store;
  std::string master_key_file;
  std::string previous_master_key_file;
};

// ReencryptSecrets returns how many values were resealed; INVALID_ARGUMENT
// for bad usage, FAILED_PRECONDITION when a value opens with neither key
// (nothing is changed then).
absl::StatusOr<int> ReencryptSecrets(const std::vector<std::string>& args,
                                     const ReencryptOptions& options);

}  // namespace payvox

#endif  // PAYVOX_TOOLS_SECRETS_COMMAND_H_
