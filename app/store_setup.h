// store_setup.h: the store payvoxd's config names, opened (payvoxd and
// payvoxd --migrate).
#ifndef PAYVOX_APP_STORE_SETUP_H_
#define PAYVOX_APP_STORE_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "payvox/v1/config.pb.h"
#include "store/store.h"

namespace payvox {

// StorePath: the SQLite file payvoxd keeps its state in (without
// store.postgres).
std::string StorePath(const v1::ServerConfig& config, bool sandbox);

// OpenStore opens the store the config names: PostgreSQL (store.postgres,
// with its password), else the SQLite file of store_path (":memory:" by
// default with `sandbox`). Both migrate an older schema and refuse a newer
// one; replicas starting together on PostgreSQL migrate once.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const v1::ServerConfig& config, bool sandbox,
                                                 const std::string& postgres_password,
                                                 const Clock& clock);

}  // namespace payvox

#endif  // PAYVOX_APP_STORE_SETUP_H_
