#include "store/postgres_store.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/postgres_rows.h"

namespace payvox {
namespace {

using pg::Micros;
using pg::Params;
using pg::Parse;

std::string UsageLockName(const UsageKey& key) {
  return absl::StrCat("usage/", key.tenant_id, "/", key.kind, "/", key.currency, "/", key.day);
}

// Sum and count of pending and committed reservations of the tenant
// (customer "*") or of one customer of it.
absl::StatusOr<std::pair<int64_t, int64_t>> SumReservations(pg::Connection& db, const UsageKey& key,
                                                            const std::string& customer_id) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result totals,
      db.Exec("SELECT total, count FROM usage_totals WHERE tenant = $1 AND kind = $2 "
              "AND currency = $3 AND day = $4 AND customer_id = $5",
              Params()
                  .Text(key.tenant_id)
                  .Text(key.kind)
                  .Text(key.currency)
                  .Text(key.day)
                  .Text(customer_id)));
  if (totals.rows() == 0) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{totals.Int(0, 0), totals.Int(0, 1)};
}

Params VerificationParams(const VerificationKey& key) {
  Params params;
  params.Text(key.tenant_id).Text(key.call_id).Text(key.customer_id);
  return params;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(
    const PostgresStoreOptions& options, const Clock& clock) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options, clock));
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, store->pool_.Acquire());
  if (options.migrate) {
    PAYVOX_RETURN_IF_ERROR(Migrate(*db).status());
  } else {
    absl::StatusOr<pg::Result> current =
        db->Exec("SELECT COALESCE(MAX(version), 0) FROM payvox_schema");
    const int64_t version = current.ok() ? current->Int(0, 0) : 0;
    if (version != SchemaVersion()) {
      return absl::FailedPreconditionError(
          absl::StrCat("store: the database has schema version ", version, ", this payvox needs ",
                       SchemaVersion(), ": run `payvoxd --migrate` (or a newer payvox)"));
    }
  }
  return store;
}

PostgresStore::PostgresStore(const PostgresStoreOptions& options, const Clock& clock)
    : clock_(clock), options_(options), pool_(options.pool, clock) {}

PostgresStore::~PostgresStore() = default;

absl::StatusOr<pg::Result> PostgresStore::Query(absl::string_view sql, const Params& params) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return db->Exec(sql, params);
}

absl::Status PostgresStore::ExecForTesting(const std::string& sql) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return db->ExecScript(sql);
}

absl::Status PostgresStore::Ping() { return Query("SELECT 1").status(); }

absl::StatusOr<bool> PostgresStore::HoldLease(absl::string_view job, absl::string_view holder,
                                              absl::Time now, absl::Time until) {
  // One statement: the row's lock orders replicas asking at once.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result held,
      Query("INSERT INTO job_leases AS l (job, holder, until) VALUES ($1, $2, $4) "
            "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until "
            "WHERE l.holder = excluded.holder OR l.until <= $3 RETURNING holder",
            Params().Text(job).Text(holder).Int(Micros(now)).Int(Micros(until))));
  return held.rows() == 1;
}

absl::StatusOr<int> PostgresStore::Heartbeat(absl::string_view replica, absl::Time now,
                                             absl::Time until) {
  int live = 1;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_RETURN_IF_ERROR(db.Exec("INSERT INTO replicas (name, until) VALUES ($1, $2) "
                                   "ON CONFLICT (name) DO UPDATE SET until = excluded.until",
                                   Params().Text(replica).Int(Micros(until)))
                               .status());
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("DELETE FROM replicas WHERE until <= $1", Params().Int(Micros(now))).status());
    PAYVOX_ASSIGN_OR_RETURN(pg::Result count, db.Exec("SELECT COUNT(*) FROM replicas"));
    live = static_cast<int>(count.Int(0, 0));
    return absl::OkStatus();
  }));
  return live;
}

// --- Verification ---

absl::Status PostgresStore::EndVerifications(const std::string& tenant_id,
                                             const std::string& call_id) {
  return Query(
             "UPDATE verification SET verified_until = 0, touched = $3 "
             "WHERE tenant = $1 AND call_id = $2",
             Params().Text(tenant_id).Text(call_id).Int(Micros(clock_.Now())))
      .status();
}

absl::StatusOr<VerificationState> PostgresStore::GetVerification(const VerificationKey& key) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result state,
                          Query("SELECT attempts, verified_until FROM verification "
                                "WHERE tenant = $1 AND call_id = $2 AND customer_id = $3",
                                VerificationParams(key)));
  if (state.rows() == 0) return VerificationState{};
  return VerificationState{static_cast<int>(state.Int(0, 0)),
                           absl::FromUnixMicros(state.Int(0, 1))};
}

absl::StatusOr<VerificationState> PostgresStore::ReserveVerificationAttempt(
    const VerificationKey& key, int max_attempts) {
  if (max_attempts <= 0) {
    return absl::ResourceExhaustedError("no verification attempts left for this call");
  }
  // One statement: the row lock of the upsert makes concurrent guesses on
  // every replica count one by one.
  Params params = VerificationParams(key);
  params.Int(Micros(absl::InfinitePast())).Int(Micros(clock_.Now())).Int(max_attempts);
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result state,
      Query("INSERT INTO verification AS v (tenant, call_id, customer_id, attempts, "
            "verified_until, touched) VALUES ($1, $2, $3, 1, $4, $5) "
            "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
            "attempts = v.attempts + 1, touched = excluded.touched WHERE v.attempts < $6 "
            "RETURNING attempts, verified_until",
            params));
  if (state.rows() == 0) {
    return absl::ResourceExhaustedError("no verification attempts left for this call");
  }
  return VerificationState{static_cast<int>(state.Int(0, 0)),
                           absl::FromUnixMicros(state.Int(0, 1))};
}

absl::Status PostgresStore::ReleaseVerificationAttempt(const VerificationKey& key) {
  Params params = VerificationParams(key);
  params.Int(Micros(clock_.Now()));
  return Query(
             "UPDATE verification SET attempts = GREATEST(attempts - 1, 0), touched = $4 "
             "WHERE tenant = $1 AND call_id = $2 AND customer_id = $3",
             params)
      .status();
}

absl::Status PostgresStore::MarkVerified(const VerificationKey& key, absl::Time until) {
  Params params = VerificationParams(key);
  params.Int(Micros(until)).Int(Micros(clock_.Now()));
  return Query(
             "INSERT INTO verification (tenant, call_id, customer_id, attempts, "
             "verified_until, touched) VALUES ($1, $2, $3, 0, $4, $5) "
             "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
             "verified_until = excluded.verified_until, touched = excluded.touched",
             params)
      .status();
}

// --- Policies ---

absl::StatusOr<std::optional<v1::TenantPolicy>> PostgresStore::GetPolicy(
    const std::string& tenant_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result policy, Query("SELECT policy FROM policies WHERE tenant = $1",
                                                   Params().Text(tenant_id)));
  if (policy.rows() == 0) return std::optional<v1::TenantPolicy>();
  PAYVOX_ASSIGN_OR_RETURN(
      v1::TenantPolicy parsed,
      Parse<v1::TenantPolicy>(policy.Bytes(0, 0), absl::StrCat("the policy of ", tenant_id)));
  return std::optional<v1::TenantPolicy>(std::move(parsed));
}

absl::Status PostgresStore::SetPolicy(const std::string& tenant_id,
                                      const v1::TenantPolicy& policy) {
  return Query(
             "INSERT INTO policies (tenant, policy, updated) VALUES ($1, $2, $3) "
             "ON CONFLICT (tenant) DO UPDATE SET policy = excluded.policy, "
             "updated = excluded.updated",
             Params().Text(tenant_id).Bytes(policy.SerializeAsString()).Int(Micros(clock_.Now())))
      .status();
}

// --- Actions that call Stripe ---

absl::StatusOr<StartedAction> PostgresStore::StartAction(const ActionStart& start) {
  StartedAction started;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    started = StartedAction{};
    if (start.in_flight_until != absl::InfinitePast()) {
      // The row's lock makes a second start of the key, on any replica,
      // wait for this transaction and then find the claim.
      PAYVOX_ASSIGN_OR_RETURN(
          pg::Result claimed,
          db.Exec("INSERT INTO in_flight AS f (tenant, key, until, holder) "
                  "VALUES ($1, $2, $3, $5) ON CONFLICT (tenant, key) DO UPDATE SET "
                  "until = excluded.until, holder = excluded.holder "
                  "WHERE f.until <= $4 OR f.holder = excluded.holder",
                  Params()
                      .Text(start.intent.tenant_id())
                      .Text(start.intent.idempotency_key())
                      .Int(Micros(start.in_flight_until))
                      .Int(Micros(clock_.Now()))
                      .Text(start.in_flight_holder)));
      if (claimed.affected() == 0) return InFlightError();
      // After the claim's lock: a finish that committed before it is seen.
      PAYVOX_ASSIGN_OR_RETURN(
          pg::Result answered,
          db.Exec("SELECT 1 FROM idempotency WHERE tenant = $1 AND key = $2 AND expires > $3",
                  Params()
                      .Text(start.intent.tenant_id())
                      .Text(start.intent.idempotency_key())
                      .Int(Micros(clock_.Now()))));
      if (answered.rows() > 0) return AnsweredMeanwhileError();
    }
    if (start.reservation.has_value()) {
      PAYVOX_ASSIGN_OR_RETURN(started.reservation_id, ReserveIn(db, *start.reservation));
    }
    PAYVOX_ASSIGN_OR_RETURN(started.intent, AppendIn(db, start.intent));
    return absl::OkStatus();
  }));
  return started;
}

absl::Status PostgresStore::FinishAction(const ActionFinish& finish) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    if (finish.reservation_id != 0) {
      PAYVOX_RETURN_IF_ERROR(SettleIn(db, finish.reservation_id, finish.settlement));
    }
    if (!finish.in_flight_key.empty()) {
      PAYVOX_RETURN_IF_ERROR(
          db.Exec("DELETE FROM in_flight WHERE tenant = $1 AND key = $2",
                  Params().Text(finish.completion.tenant_id()).Text(finish.in_flight_key))
              .status());
    }
    PAYVOX_RETURN_IF_ERROR(AppendIn(db, finish.completion).status());
    if (finish.answer.has_value()) {
      // A key already answering another request keeps its answer; the
      // completion must be recorded all the same.
      const absl::Status saved = SaveRecordIn(db, *finish.answer);
      if (!saved.ok() && saved.code() != absl::StatusCode::kAborted) return saved;
    }
    return absl::OkStatus();
  });
}

// --- Limit reservations ---

absl::StatusOr<Usage> PostgresStore::GetUsage(const UsageKey& key, const std::string& customer_id,
                                              const std::string& own_idempotency_key) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(*db, key, "*"));
  PAYVOX_ASSIGN_OR_RETURN(const auto customer, SumReservations(*db, key, customer_id));
  Usage usage{tenant.first, tenant.second, customer.first};
  if (own_idempotency_key.empty()) return usage;
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result own,
      db->Exec("SELECT amount, customer_id FROM reservations WHERE idempotency_key = $1 "
               "AND tenant = $2 AND kind = $3 AND currency = $4 AND day = $5 "
               "AND state != 'released'",
               Params()
                   .Text(own_idempotency_key)
                   .Text(key.tenant_id)
                   .Text(key.kind)
                   .Text(key.currency)
                   .Text(key.day)));
  if (own.rows() > 0) {
    usage.tenant_total -= own.Int(0, 0);
    usage.tenant_count -= 1;
    if (own.Text(0, 1) == customer_id) usage.customer_total -= own.Int(0, 0);
  }
  return usage;
}

absl::StatusOr<int64_t> PostgresStore::ReserveUsage(const ReservationRequest& request) {
  int64_t id = 0;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(id, ReserveIn(db, request));
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<int64_t> PostgresStore::ReserveIn(pg::Connection& db,
                                                 const ReservationRequest& request) {
  if (request.amount < 0) return absl::InvalidArgumentError("store: negative reservation");
  // Every reservation against this day's totals, on every replica, waits
  // here: the check below and the insert are one step for all of them.
  PAYVOX_RETURN_IF_ERROR(pg::LockKey(db, UsageLockName(request.key)));
  const int64_t now = Micros(clock_.Now());
  if (!request.idempotency_key.empty()) {
    PAYVOX_ASSIGN_OR_RETURN(
        pg::Result claimed,
        db.Exec("UPDATE reservations SET attempted = $2, expires = GREATEST(expires, $3) "
                "WHERE idempotency_key = $1 RETURNING id",
                Params().Text(request.idempotency_key).Int(now).Int(Micros(request.expires_at))));
    if (claimed.rows() > 0) return claimed.Int(0, 0);
  }
  if (request.tenant_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(db, request.key, "*"));
    if (tenant.first + request.amount > *request.tenant_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the tenant's daily ", request.key.kind, " limit would be passed"));
    }
  }
  if (request.customer_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto customer,
                            SumReservations(db, request.key, request.customer_id));
    if (customer.first + request.amount > *request.customer_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the customer's daily ", request.key.kind, " limit would be passed"));
    }
  }
  Params params;
  params.Text(request.key.tenant_id)
      .Text(request.key.kind)
      .Text(request.key.currency)
      .Text(request.key.day)
      .Text(request.customer_id)
      .Int(request.amount)
      .Int(Micros(request.expires_at));
  if (request.idempotency_key.empty()) {
    params.Null();
  } else {
    params.Text(request.idempotency_key);
  }
  params.Int(now);
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result inserted,
      db.Exec("INSERT INTO reservations (tenant, kind, currency, day, customer_id, amount, "
              "state, expires, idempotency_key, created, attempted) "
              "VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $9) RETURNING id",
              params));
  return inserted.Int(0, 0);
}

absl::Status PostgresStore::CommitReservation(int64_t reservation_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SettleIn(*db, reservation_id, Settlement::kCommit);
}

absl::Status PostgresStore::ReleaseReservation(int64_t reservation_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SettleIn(*db, reservation_id, Settlement::kRelease);
}

absl::Status PostgresStore::SettleIn(pg::Connection& db, int64_t reservation_id,
                                     Settlement settlement) {
  switch (settlement) {
    case Settlement::kKeep:
      return absl::OkStatus();
    case Settlement::kRelease:
      return db
          .Exec("DELETE FROM reservations WHERE id = $1 AND state = 'pending'",
                Params().Int(reservation_id))
          .status();
    case Settlement::kCommit: {
      PAYVOX_ASSIGN_OR_RETURN(pg::Result updated,
                              db.Exec("UPDATE reservations SET state = 'committed' WHERE id = $1",
                                      Params().Int(reservation_id)));
      if (updated.affected() == 0) {
        return absl::NotFoundError(absl::StrCat("store: no reservation ", reservation_id));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("store: unknown settlement");
}

absl::Status PostgresStore::SettleReservation(const std::string& idempotency_key, bool commit,
                                              absl::Time attempted_before) {
  if (commit) {
    return Query(
               "UPDATE reservations SET state = 'committed' "
               "WHERE idempotency_key = $1 AND state = 'pending'",
               Params().Text(idempotency_key))
        .status();
  }
  return Query(
             "DELETE FROM reservations WHERE idempotency_key = $1 AND state = 'pending' "
             "AND attempted < $2",
             Params().Text(idempotency_key).Int(Micros(attempted_before)))
      .status();
}

absl::StatusOr<int> PostgresStore::ReleaseOrphanReservations(absl::Time before) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result removed,
      Query("DELETE FROM reservations WHERE state = 'pending' AND attempted < $1 AND "
            "(idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM audit a "
            "WHERE a.kind = 'intent' AND a.idempotency_key = reservations.idempotency_key))",
            Params().Int(Micros(before))));
  return static_cast<int>(removed.affected());
}

absl::StatusOr<int> PostgresStore::ExpireReservations(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result removed,
      Query("DELETE FROM reservations WHERE state = 'pending' AND expires <= $1",
            Params().Int(Micros(now))));
  PAYVOX_RETURN_IF_ERROR(Query("DELETE FROM verification WHERE touched < $1",
                               Params().Int(Micros(now - options_.verification_retention)))
                             .status());
  return static_cast<int>(removed.affected());
}

// --- Idempotency records ---

absl::StatusOr<std::optional<IdempotencyRecord>> PostgresStore::FindIdempotencyRecord(
    const std::string& tenant_id, const std::string& key, absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                          Query("SELECT action, fingerprint, response, expires FROM idempotency "
                                "WHERE tenant = $1 AND key = $2 AND expires > $3",
                                Params().Text(tenant_id).Text(key).Int(Micros(now))));
  if (found.rows() == 0) return std::nullopt;
  return IdempotencyRecord{.tenant_id = tenant_id,
                           .key = key,
                           .action = found.Text(0, 0),
                           .fingerprint = found.Text(0, 1),
                           .response = found.Bytes(0, 2),
                           .expires_at = absl::FromUnixMicros(found.Int(0, 3))};
}

absl::Status PostgresStore::SaveIdempotencyRecord(const IdempotencyRecord& record) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SaveRecordIn(*db, record);
}

absl::Status PostgresStore::SaveRecordIn(pg::Connection& db, const IdempotencyRecord& record) {
  // An expired record of another request gives its key up.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result saved,
      db.Exec("INSERT INTO idempotency AS i (tenant, key, action, fingerprint, response, expires) "
              "VALUES ($1, $2, $3, $4, $5, $6) "
              "ON CONFLICT (tenant, key) DO UPDATE SET action = excluded.action, "
              "fingerprint = excluded.fingerprint, response = excluded.response, "
              "expires = excluded.expires "
              "WHERE i.fingerprint = excluded.fingerprint OR i.expires <= $7",
              Params()
                  .Text(record.tenant_id)
                  .Text(record.key)
                  .Text(record.action)
                  .Text(record.fingerprint)
                  .Bytes(record.response)
                  .Int(Micros(record.expires_at))
                  .Int(Micros(clock_.Now()))));
  if (saved.affected() == 0) {
    return absl::AbortedError(absl::StrCat("idempotency key ", record.key,
                                           " already holds the answer to a different request"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PostgresStore::ExpireIdempotencyRecords(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result removed, Query("DELETE FROM idempotency WHERE expires <= $1",
                                                    Params().Int(Micros(now))));
  return static_cast<int>(removed.affected());
}

// --- Hand-off sessions ---

absl::Status PostgresStore::CreateHandoffSession(const HandoffSession& session) {
  return Query(
             "INSERT INTO handoff_sessions (tenant, session_id, call_id, customer_id, "
             "payment_intent_id, amount, currency, state, created) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
             "ON CONFLICT (tenant, session_id) DO NOTHING",
             Params()
                 .Text(session.tenant_id)
                 .Text(session.session_id)
                 .Text(session.call_id)
                 .Text(session.customer_id)
                 .Text(session.payment_intent_id)
                 .Int(session.amount)
                 .Text(session.currency)
                 .Text(session.state)
                 .Int(Micros(session.created)))
      .status();
}

absl::StatusOr<std::optional<HandoffSession>> PostgresStore::FindHandoffSession(
    const std::string& tenant_id, const std::string& payment_intent_id) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result found,
      Query("SELECT session_id, call_id, customer_id, amount, currency, state, created "
            "FROM handoff_sessions WHERE tenant = $1 AND payment_intent_id = $2",
            Params().Text(tenant_id).Text(payment_intent_id)));
  if (found.rows() == 0) return std::optional<HandoffSession>();
  return std::optional<HandoffSession>(
      HandoffSession{.tenant_id = tenant_id,
                     .session_id = found.Text(0, 0),
                     .call_id = found.Text(0, 1),
                     .customer_id = found.Text(0, 2),
                     .payment_intent_id = payment_intent_id,
                     .amount = found.Int(0, 3),
                     .currency = found.Text(0, 4),
                     .state = found.Text(0, 5),
                     .created = absl::FromUnixMicros(found.Int(0, 6))});
}

absl::Status PostgresStore::UpdateHandoffState(const std::string& tenant_id,
                                               const std::string& payment_intent_id,
                                               const std::string& state) {
  // Stripe does not deliver events in order: a capture that succeeded or
  // was canceled is final, so a late "failed" (an earlier attempt) does not
  // undo it. After "failed" the caller may try again and succeed.
  PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                          Query("WITH s AS (SELECT session_id, state FROM handoff_sessions "
                                "WHERE tenant = $1 AND payment_intent_id = $2 FOR UPDATE), "
                                "u AS (UPDATE handoff_sessions h SET state = $3 FROM s "
                                "WHERE h.tenant = $1 AND h.session_id = s.session_id "
                                "AND s.state NOT IN ('succeeded', 'canceled')) SELECT 1 FROM s",
                                Params().Text(tenant_id).Text(payment_intent_id).Text(state)));
  if (found.rows() == 0) {
    return absl::NotFoundError(
        absl::StrCat("no hand-off session for payment intent ", payment_intent_id));
  }
  return absl::OkStatus();
}

}  // namespace payvox
