#include "tools/secrets_command.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/secret_box.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

absl::StatusOr<MasterKey> ReadKey(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << file.rdbuf();
  absl::StatusOr<MasterKey> key = MasterKey::Parse(text.str());
  if (!key.ok())
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", key.status().message()));
  return key;
}

}  // namespace

absl::StatusOr<int> ReencryptSecrets(const std::vector<std::string>& args,
                                     const ReencryptOptions& options) {
  if (args.size() != 2 || args[1] != "re-encrypt" || options.store.empty() ||
      options.master_key_file.empty()) {
    return absl::InvalidArgumentError(
        "usage: payvoxctl secrets re-encrypt --store=DB --master_key_file=NEW "
        "[--previous_master_key_file=OLD]");
  }
  absl::StatusOr<MasterKey> current = ReadKey(options.master_key_file);
  if (!current.ok()) return current.status();
  std::vector<MasterKey> previous;
  if (!options.previous_master_key_file.empty()) {
    absl::StatusOr<MasterKey> old = ReadKey(options.previous_master_key_file);
    if (!old.ok()) return old.status();
    previous.push_back(*std::move(old));
  }
  const Keyring keys(*std::move(current), std::move(previous));
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open({.path = options.store, .must_exist = true}, clock);
  if (!store.ok()) return store.status();
  return (*store)->ResealSecrets(
      [&](const std::string& sealed, const std::string& context) -> absl::StatusOr<std::string> {
        if (!keys.NeedsReseal(sealed)) return sealed;
        absl::StatusOr<std::string> plain = keys.Open(sealed, context);
        if (!plain.ok()) {
          return absl::FailedPreconditionError(
              absl::StrCat("a secret (", context.substr(0, context.find(':')),
                           ") does not open: ", plain.status().message(), "; nothing was changed"));
        }
        return keys.Seal(*plain, context);
      });
}

}  // namespace payvox
