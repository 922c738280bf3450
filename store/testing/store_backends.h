// store_backends.h: the stores the Store conformance suite
// (store/store_conformance_test.cc) runs on, opened empty for each test.
#ifndef PAYVOX_STORE_TESTING_STORE_BACKENDS_H_
#define PAYVOX_STORE_TESTING_STORE_BACKENDS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "store/store.h"
#include "store/testing/throwaway_postgres.h"

namespace payvox::testing {

enum class Backend { kSqlite, kPostgres };

absl::string_view BackendName(Backend backend);

// OpenEmptyStore: SQLite in memory, or PostgreSQL on a new database of the
// process's throwaway server (SharedPostgres).
absl::StatusOr<std::unique_ptr<Store>> OpenEmptyStore(Backend backend, const Clock& clock);

// ExecForTesting runs raw SQL on the database of a store OpenEmptyStore
// made.
absl::Status ExecForTesting(Store& store, const std::string& sql);

// SampleAuditRecord: a refund's audit record with every field set but
// those the store assigns.
v1::AuditRecord SampleAuditRecord(const std::string& tenant, const std::string& call,
                                  const std::string& kind, bool ok);

// SharedPostgres: the test binary's one server, started at the first call
// and stopped when the binary exits.
ThrowawayPostgres& SharedPostgres();

}  // namespace payvox::testing

#endif  // PAYVOX_STORE_TESTING_STORE_BACKENDS_H_
