// SqliteStore's tenants (the tenants table, bearer token hashes with their
// expiry, webhook endpoints with sealed signing secrets) and approvals.
#include <sqlite3.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sqlite.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

// Expiry times: NULL in the database for "never".
void BindExpiry(Statement& statement, int index, absl::Time at) {
  if (at == absl::InfiniteFuture()) {
    statement.BindNull(index);
  } else {
    statement.Bind(index, absl::ToUnixMicros(at));
  }
}

absl::Time ReadExpiry(const Statement& statement, int column) {
  return statement.IsNull(column) ? absl::InfiniteFuture()
                                  : absl::FromUnixMicros(statement.Int(column));
}

absl::Status CapExpiry(sqlite::Connection& db, absl::string_view table, absl::string_view tenant_id,
                       absl::string_view keep_column, absl::string_view keep_value, absl::Time at) {
  Statement cap(
      db, absl::StrCat("UPDATE ", table, " SET expires_at = ?1 WHERE tenant = ?2 AND ", keep_column,
                       " != ?3 AND (expires_at IS NULL OR expires_at > ?1)"));
  cap.Bind(1, absl::ToUnixMicros(at));
  cap.Bind(2, tenant_id);
  cap.Bind(3, keep_value);
  return cap.Run();
}

absl::Status InsertToken(sqlite::Connection& db, const TenantToken& token) {
  Statement insert(db,
                   "INSERT INTO tenant_tokens (token_hash, tenant, created, expires_at) "
                   "VALUES (?1, ?2, ?3, ?4)");
  insert.Bind(1, token.token_hash);
  insert.Bind(2, token.tenant_id);
  insert.Bind(3, absl::ToUnixMicros(token.created));
  BindExpiry(insert, 4, token.expires_at);
  return insert.Run();
}

absl::StatusOr<bool> TenantExists(sqlite::Connection& db, const std::string& tenant_id) {
  Statement select(db, "SELECT 1 FROM tenants WHERE tenant = ?1");
  select.Bind(1, tenant_id);
  return select.Step();
}

}  // namespace

absl::Status SqliteStore::CreateTenant(const Tenant& tenant, const TenantToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  PAYVOX_ASSIGN_OR_RETURN(const bool exists, TenantExists(db_, tenant.tenant_id));
  if (exists) {
    return absl::AlreadyExistsError(absl::StrCat("tenant ", tenant.tenant_id, " already exists"));
  }
  Statement insert(db_, "INSERT INTO tenants (tenant, display_name, created) VALUES (?1, ?2, ?3)");
  insert.Bind(1, tenant.tenant_id);
  insert.Bind(2, tenant.display_name);
  insert.Bind(3, absl::ToUnixMicros(tenant.created));
  PAYVOX_RETURN_IF_ERROR(insert.Run());
  PAYVOX_RETURN_IF_ERROR(InsertToken(db_, token));
  return transaction.Commit();
}

absl::StatusOr<std::vector<Tenant>> SqliteStore::ListTenants() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT tenant, display_name, created, stripe_key_sealed, stripe_mode "
                   "FROM tenants ORDER BY tenant");
  std::vector<Tenant> tenants;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    tenants.push_back(Tenant{.tenant_id = select.Text(0),
                             .display_name = select.Text(1),
                             .created = absl::FromUnixMicros(select.Int(2)),
                             .stripe_key_sealed = select.Text(3),
                             .stripe_mode = select.Text(4)});
  }
  return tenants;
}

absl::Status SqliteStore::SetStripeKey(const std::string& tenant_id, const std::string& sealed_key,
                                       const std::string& mode) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement update(db_,
                   "UPDATE tenants SET stripe_key_sealed = ?2, stripe_mode = ?3 WHERE tenant = ?1");
  update.Bind(1, tenant_id);
  update.Bind(2, sealed_key);
  update.Bind(3, mode);
  PAYVOX_RETURN_IF_ERROR(update.Run());
  if (db_.changes() == 0) return absl::NotFoundError(absl::StrCat("no tenant ", tenant_id));
  return absl::OkStatus();
}

absl::Status SqliteStore::AddTenantToken(const TenantToken& token, absl::Time others_expire_at) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  PAYVOX_ASSIGN_OR_RETURN(const bool exists, TenantExists(db_, token.tenant_id));
  if (!exists) return absl::NotFoundError(absl::StrCat("no tenant ", token.tenant_id));
  PAYVOX_RETURN_IF_ERROR(CapExpiry(db_, "tenant_tokens", token.tenant_id, "token_hash",
                                   token.token_hash, others_expire_at));
  PAYVOX_RETURN_IF_ERROR(InsertToken(db_, token));
  return transaction.Commit();
}

absl::StatusOr<std::vector<TenantToken>> SqliteStore::TenantTokens(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT tenant, token_hash, created, expires_at FROM tenant_tokens "
                   "WHERE expires_at IS NULL OR expires_at > ?1 ORDER BY tenant, created");
  select.Bind(1, absl::ToUnixMicros(now));
  std::vector<TenantToken> tokens;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    tokens.push_back(TenantToken{.tenant_id = select.Text(0),
                                 .token_hash = select.Text(1),
                                 .created = absl::FromUnixMicros(select.Int(2)),
                                 .expires_at = ReadExpiry(select, 3)});
  }
  return tokens;
}

absl::Status SqliteStore::AddWebhookEndpoint(const WebhookEndpoint& endpoint,
                                             absl::Time others_expire_at) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  PAYVOX_RETURN_IF_ERROR(CapExpiry(db_, "webhook_endpoints", endpoint.tenant_id, "endpoint_id",
                                   endpoint.endpoint_id, others_expire_at));
  Statement insert(db_,
                   "INSERT INTO webhook_endpoints (tenant, endpoint_id, url, secret_sealed, "
                   "created, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                   "ON CONFLICT (tenant, endpoint_id) DO UPDATE SET url = ?3, "
                   "secret_sealed = ?4, expires_at = ?6");
  insert.Bind(1, endpoint.tenant_id);
  insert.Bind(2, endpoint.endpoint_id);
  insert.Bind(3, endpoint.url);
  insert.Bind(4, endpoint.secret_sealed);
  insert.Bind(5, absl::ToUnixMicros(endpoint.created));
  BindExpiry(insert, 6, endpoint.expires_at);
  PAYVOX_RETURN_IF_ERROR(insert.Run());
  return transaction.Commit();
}

absl::StatusOr<std::vector<WebhookEndpoint>> SqliteStore::WebhookEndpoints(
    const std::string& tenant_id, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT endpoint_id, url, secret_sealed, created, expires_at "
                   "FROM webhook_endpoints WHERE tenant = ?1 AND "
                   "(expires_at IS NULL OR expires_at > ?2) ORDER BY created DESC");
  select.Bind(1, tenant_id);
  select.Bind(2, absl::ToUnixMicros(now));
  std::vector<WebhookEndpoint> endpoints;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    endpoints.push_back(WebhookEndpoint{.tenant_id = tenant_id,
                                        .endpoint_id = select.Text(0),
                                        .url = select.Text(1),
                                        .secret_sealed = select.Text(2),
                                        .created = absl::FromUnixMicros(select.Int(3)),
                                        .expires_at = ReadExpiry(select, 4)});
  }
  return endpoints;
}

absl::StatusOr<int> SqliteStore::ResealSecrets(const Resealer& reseal) {
  // Every sealed column: how to read (tenant, id, sealed) and write it back
  // (?1 tenant, ?2 id, ?3 sealed), and the context it is bound to.
  struct SealedColumn {
    const char* select;
    const char* update;
    std::function<std::string(const std::string& tenant, const std::string& id)> context;
  };
  const SealedColumn columns[] = {
      {"SELECT tenant, '', stripe_key_sealed FROM tenants WHERE stripe_key_sealed != ''",
       "UPDATE tenants SET stripe_key_sealed = ?3 WHERE tenant = ?1 AND '' = ?2",
       [](const std::string& tenant, const std::string&) { return StripeKeyContext(tenant); }},
      {"SELECT tenant, endpoint_id, secret_sealed FROM webhook_endpoints",
       "UPDATE webhook_endpoints SET secret_sealed = ?3 WHERE tenant = ?1 AND endpoint_id = ?2",
       WebhookSecretContext},
      // Only sealed answers ("pvx1." values); ones saved before sealing
      // expire within a day.
      {"SELECT tenant, key, response FROM idempotency WHERE "
       "CAST(substr(response, 1, 5) AS TEXT) = 'pvx1.'",
       "UPDATE idempotency SET response = ?3 WHERE tenant = ?1 AND key = ?2", SavedAnswerContext},
  };
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  int rewritten = 0;
  for (const SealedColumn& column : columns) {
    struct Row {
      std::string tenant_id;
      std::string id;
      std::string sealed;
    };
    std::vector<Row> rows;
    {
      Statement select(db_, column.select);
      for (;;) {
        PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
        if (!row) break;
        rows.push_back({select.Text(0), select.Text(1), select.Text(2)});
      }
    }
    for (const Row& row : rows) {
      PAYVOX_ASSIGN_OR_RETURN(std::string resealed,
                              reseal(row.sealed, column.context(row.tenant_id, row.id)));
      if (resealed == row.sealed) continue;
      Statement update(db_, column.update);
      update.Bind(1, row.tenant_id);
      update.Bind(2, row.id);
      update.Bind(3, resealed);
      PAYVOX_RETURN_IF_ERROR(update.Run());
      ++rewritten;
    }
  }
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return rewritten;
}

// --- Approvals ---

absl::Status SqliteStore::CreateApproval(const StoredApproval& stored) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT INTO approvals (tenant, approval_id, state, expires, record, payload) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, stored.approval.tenant_id());
  insert.Bind(2, stored.approval.approval_id());
  insert.Bind(3, stored.approval.state());
  insert.Bind(4, stored.approval.expires_at());
  insert.BindBlob(5, stored.approval.SerializeAsString());
  insert.BindBlob(6, stored.payload);
  return insert.Run();
}

absl::StatusOr<std::vector<v1::Approval>> SqliteStore::ListApprovals(const std::string& tenant_id,
                                                                     const std::string& state,
                                                                     absl::Time now) {
  const std::string wanted = state.empty() ? "pending" : state;
  std::lock_guard<std::mutex> lock(mu_);
  // The state is chosen in SQL, before the bound: the stored state, with a
  // pending approval past its expiry reading as expired (WithState), so
  // decided or expired approvals never crowd out the pending ones.
  Statement select(db_,
                   "SELECT record FROM approvals WHERE tenant = ?1 AND CASE ?2 "
                   "WHEN 'pending' THEN state = 'pending' AND expires > ?3 "
                   "WHEN 'expired' THEN state = 'pending' AND expires <= ?3 "
                   "ELSE state = ?2 END ORDER BY expires LIMIT 1000");
  select.Bind(1, tenant_id);
  select.Bind(2, wanted);
  select.Bind(3, absl::ToUnixSeconds(now));
  std::vector<v1::Approval> out;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    v1::Approval approval;
    if (!approval.ParseFromString(select.Blob(0))) {
      return absl::DataLossError("store: an approval is unreadable");
    }
    approval = ApprovalAsOf(std::move(approval), now);
    if (approval.state() == wanted) out.push_back(std::move(approval));
  }
  return out;
}

absl::StatusOr<StoredApproval> SqliteStore::DecideApproval(
    const std::string& tenant_id, const std::string& approval_id, bool approve,
    const std::string& decided_by, const std::string& note, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  Statement select(db_,
                   "SELECT record, payload FROM approvals WHERE tenant = ?1 AND approval_id = ?2");
  select.Bind(1, tenant_id);
  select.Bind(2, approval_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("no approval ", approval_id));
  StoredApproval stored;
  if (!stored.approval.ParseFromString(select.Blob(0))) {
    return absl::DataLossError("store: the approval is unreadable");
  }
  stored.payload = select.Blob(1);
  stored.approval = ApprovalAsOf(std::move(stored.approval), now);
  if (stored.approval.state() != "pending") {
    return absl::FailedPreconditionError(
        absl::StrCat("approval ", approval_id, " is already ", stored.approval.state()));
  }
  stored.approval.set_state(approve ? "approved" : "rejected");
  stored.approval.set_decided_by(decided_by);
  stored.approval.set_decision_note(note);
  Statement update(db_,
                   "UPDATE approvals SET state = ?3, record = ?4 "
                   "WHERE tenant = ?1 AND approval_id = ?2 AND state = 'pending'");
  update.Bind(1, tenant_id);
  update.Bind(2, approval_id);
  update.Bind(3, stored.approval.state());
  update.BindBlob(4, stored.approval.SerializeAsString());
  PAYVOX_RETURN_IF_ERROR(update.Run());
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return stored;
}

}  // namespace payvox
