// PostgresStore's tenants (token hashes, sealed Stripe keys and webhook
// secrets) and approvals.
#include <functional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace payvox {
namespace {

using pg::Micros;
using pg::Params;
using pg::Parse;

absl::Status InsertToken(pg::Connection& db, const TenantToken& token) {
  Params params;
  params.Text(token.token_hash).Text(token.tenant_id).Int(Micros(token.created));
  pg::Expiry(params, token.expires_at);
  return db
      .Exec(
          "INSERT INTO tenant_tokens (token_hash, tenant, created, expires_at) "
          "VALUES ($1, $2, $3, $4)",
          params)
      .status();
}

}  // namespace

// --- Tenants, tokens and secrets ---

absl::Status PostgresStore::CreateTenant(const Tenant& tenant, const TenantToken& token) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(
        pg::Result inserted,
        db.Exec(
            "INSERT INTO tenants (tenant, display_name, created) VALUES ($1, $2, $3) "
            "ON CONFLICT (tenant) DO NOTHING",
            Params().Text(tenant.tenant_id).Text(tenant.display_name).Int(Micros(tenant.created))));
    if (inserted.affected() == 0) {
      return absl::AlreadyExistsError(absl::StrCat("tenant ", tenant.tenant_id, " already exists"));
    }
    return InsertToken(db, token);
  });
}

absl::StatusOr<std::vector<Tenant>> PostgresStore::ListTenants() {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result rows,
                          Query("SELECT tenant, display_name, created, stripe_key_sealed, "
                                "stripe_mode FROM tenants ORDER BY tenant"));
  std::vector<Tenant> tenants;
  for (int row = 0; row < rows.rows(); ++row) {
    tenants.push_back(Tenant{.tenant_id = rows.Text(row, 0),
                             .display_name = rows.Text(row, 1),
                             .created = absl::FromUnixMicros(rows.Int(row, 2)),
                             .stripe_key_sealed = rows.Text(row, 3),
                             .stripe_mode = rows.Text(row, 4)});
  }
  return tenants;
}

absl::Status PostgresStore::SetStripeKey(const std::string& tenant_id,
                                         const std::string& sealed_key, const std::string& mode) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result updated,
      Query("UPDATE tenants SET stripe_key_sealed = $2, stripe_mode = $3 WHERE tenant = $1",
            Params().Text(tenant_id).Text(sealed_key).Text(mode)));
  if (updated.affected() == 0) return absl::NotFoundError(absl::StrCat("no tenant ", tenant_id));
  return absl::OkStatus();
}

absl::Status PostgresStore::AddTenantToken(const TenantToken& token, absl::Time others_expire_at) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(pg::Result tenant,
                            db.Exec("SELECT 1 FROM tenants WHERE tenant = $1 FOR UPDATE",
                                    Params().Text(token.tenant_id)));
    if (tenant.rows() == 0) return absl::NotFoundError(absl::StrCat("no tenant ", token.tenant_id));
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("UPDATE tenant_tokens SET expires_at = $1 WHERE tenant = $2 AND token_hash != $3 "
                "AND (expires_at IS NULL OR expires_at > $1)",
                Params().Int(Micros(others_expire_at)).Text(token.tenant_id).Text(token.token_hash))
            .status());
    return InsertToken(db, token);
  });
}

absl::StatusOr<std::vector<TenantToken>> PostgresStore::TenantTokens(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows, Query("SELECT tenant, token_hash, created, expires_at FROM tenant_tokens "
                             "WHERE expires_at IS NULL OR expires_at > $1 ORDER BY tenant, created",
                             Params().Int(Micros(now))));
  std::vector<TenantToken> tokens;
  for (int row = 0; row < rows.rows(); ++row) {
    tokens.push_back(TenantToken{.tenant_id = rows.Text(row, 0),
                                 .token_hash = rows.Text(row, 1),
                                 .created = absl::FromUnixMicros(rows.Int(row, 2)),
                                 .expires_at = pg::ReadExpiry(rows, row, 3)});
  }
  return tokens;
}

absl::Status PostgresStore::AddWebhookEndpoint(const WebhookEndpoint& endpoint,
                                               absl::Time others_expire_at) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("UPDATE webhook_endpoints SET expires_at = $1 WHERE tenant = $2 AND "
                "endpoint_id != $3 AND (expires_at IS NULL OR expires_at > $1)",
                Params()
                    .Int(Micros(others_expire_at))
                    .Text(endpoint.tenant_id)
                    .Text(endpoint.endpoint_id))
            .status());
    Params params;
    params.Text(endpoint.tenant_id)
        .Text(endpoint.endpoint_id)
        .Text(endpoint.url)
        .Text(endpoint.secret_sealed)
        .Int(Micros(endpoint.created));
    pg::Expiry(params, endpoint.expires_at);
    return db
        .Exec(
            "INSERT INTO webhook_endpoints (tenant, endpoint_id, url, secret_sealed, "
            "created, expires_at) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT (tenant, endpoint_id) DO UPDATE SET url = $3, "
            "secret_sealed = $4, expires_at = $6",
            params)
        .status();
  });
}

absl::StatusOr<std::vector<WebhookEndpoint>> PostgresStore::WebhookEndpoints(
    const std::string& tenant_id, absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result rows,
                          Query("SELECT endpoint_id, url, secret_sealed, created, expires_at "
                                "FROM webhook_endpoints WHERE tenant = $1 AND "
                                "(expires_at IS NULL OR expires_at > $2) ORDER BY created DESC",
                                Params().Text(tenant_id).Int(Micros(now))));
  std::vector<WebhookEndpoint> endpoints;
  for (int row = 0; row < rows.rows(); ++row) {
    endpoints.push_back(WebhookEndpoint{.tenant_id = tenant_id,
                                        .endpoint_id = rows.Text(row, 0),
                                        .url = rows.Text(row, 1),
                                        .secret_sealed = rows.Text(row, 2),
                                        .created = absl::FromUnixMicros(rows.Int(row, 3)),
                                        .expires_at = pg::ReadExpiry(rows, row, 4)});
  }
  return endpoints;
}

absl::StatusOr<int> PostgresStore::ResealSecrets(const Resealer& reseal) {
  // Every sealed column: how to read (tenant, id, sealed as bytea) and
  // write it back ($1 tenant, $2 id, $3 sealed as bytea), and the context
  // it is bound to.
  struct SealedColumn {
    const char* select;
    const char* update;
    std::function<std::string(const std::string& tenant, const std::string& id)> context;
  };
  const SealedColumn columns[] = {
      {"SELECT tenant, '', convert_to(stripe_key_sealed, 'UTF8') FROM tenants "
       "WHERE stripe_key_sealed != '' FOR UPDATE",
       "UPDATE tenants SET stripe_key_sealed = convert_from($3, 'UTF8') "
       "WHERE tenant = $1 AND '' = $2",
       [](const std::string& tenant, const std::string&) { return StripeKeyContext(tenant); }},
      {"SELECT tenant, endpoint_id, convert_to(secret_sealed, 'UTF8') FROM webhook_endpoints "
       "FOR UPDATE",
       "UPDATE webhook_endpoints SET secret_sealed = convert_from($3, 'UTF8') "
       "WHERE tenant = $1 AND endpoint_id = $2",
       WebhookSecretContext},
      {"SELECT tenant, key, response FROM idempotency "
       "WHERE substring(response FROM 1 FOR 5) = convert_to('pvx1.', 'UTF8') FOR UPDATE",
       "UPDATE idempotency SET response = $3 WHERE tenant = $1 AND key = $2", SavedAnswerContext},
  };
  int rewritten = 0;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    rewritten = 0;
    for (const SealedColumn& column : columns) {
      PAYVOX_ASSIGN_OR_RETURN(pg::Result rows, db.Exec(column.select));
      for (int row = 0; row < rows.rows(); ++row) {
        const std::string tenant = rows.Text(row, 0);
        const std::string id = rows.Text(row, 1);
        const std::string sealed = rows.Bytes(row, 2);
        PAYVOX_ASSIGN_OR_RETURN(std::string resealed, reseal(sealed, column.context(tenant, id)));
        if (resealed == sealed) continue;
        PAYVOX_RETURN_IF_ERROR(
            db.Exec(column.update, Params().Text(tenant).Text(id).Bytes(resealed)).status());
        ++rewritten;
      }
    }
    return absl::OkStatus();
  }));
  return rewritten;
}

// --- Approvals ---

absl::Status PostgresStore::CreateApproval(const StoredApproval& stored) {
  return Query(
             "INSERT INTO approvals (tenant, approval_id, state, expires, record, payload) "
             "VALUES ($1, $2, $3, $4, $5, $6)",
             Params()
                 .Text(stored.approval.tenant_id())
                 .Text(stored.approval.approval_id())
                 .Text(stored.approval.state())
                 .Int(stored.approval.expires_at())
                 .Bytes(stored.approval.SerializeAsString())
                 .Bytes(stored.payload))
      .status();
}

absl::StatusOr<std::vector<v1::Approval>> PostgresStore::ListApprovals(const std::string& tenant_id,
                                                                       const std::string& state,
                                                                       absl::Time now) {
  const std::string wanted = state.empty() ? "pending" : state;
  // The state is chosen in SQL, before the bound, as SqliteStore does.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows, Query("SELECT record FROM approvals WHERE tenant = $1 AND CASE $2::text "
                             "WHEN 'pending' THEN state = 'pending' AND expires > $3 "
                             "WHEN 'expired' THEN state = 'pending' AND expires <= $3 "
                             "ELSE state = $2 END ORDER BY expires LIMIT 1000",
                             Params().Text(tenant_id).Text(wanted).Int(absl::ToUnixSeconds(now))));
  std::vector<v1::Approval> out;
  for (int row = 0; row < rows.rows(); ++row) {
    PAYVOX_ASSIGN_OR_RETURN(v1::Approval approval,
                            Parse<v1::Approval>(rows.Bytes(row, 0), "an approval"));
    approval = ApprovalAsOf(std::move(approval), now);
    if (approval.state() == wanted) out.push_back(std::move(approval));
  }
  return out;
}

absl::StatusOr<StoredApproval> PostgresStore::DecideApproval(
    const std::string& tenant_id, const std::string& approval_id, bool approve,
    const std::string& decided_by, const std::string& note, absl::Time now) {
  StoredApproval stored;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    // The row lock makes a second decision, from any replica, wait for the
    // first and then find it decided.
    PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                            db.Exec("SELECT record, payload FROM approvals WHERE tenant = $1 "
                                    "AND approval_id = $2 FOR UPDATE",
                                    Params().Text(tenant_id).Text(approval_id)));
    if (found.rows() == 0) return absl::NotFoundError(absl::StrCat("no approval ", approval_id));
    PAYVOX_ASSIGN_OR_RETURN(stored.approval,
                            Parse<v1::Approval>(found.Bytes(0, 0), "the approval"));
    stored.payload = found.Bytes(0, 1);
    stored.approval = ApprovalAsOf(std::move(stored.approval), now);
    if (stored.approval.state() != "pending") {
      return absl::FailedPreconditionError(
          absl::StrCat("approval ", approval_id, " is already ", stored.approval.state()));
    }
    stored.approval.set_state(approve ? "approved" : "rejected");
    stored.approval.set_decided_by(decided_by);
    stored.approval.set_decision_note(note);
    return db
        .Exec(
            "UPDATE approvals SET state = $3, record = $4 "
            "WHERE tenant = $1 AND approval_id = $2 AND state = 'pending'",
            Params()
                .Text(tenant_id)
                .Text(approval_id)
                .Text(stored.approval.state())
                .Bytes(stored.approval.SerializeAsString()))
        .status();
  }));
  return stored;
}

}  // namespace payvox
