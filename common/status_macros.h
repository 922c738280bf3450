// status_macros.h: early-return helpers for absl::Status and absl::StatusOr.
//
// Abseil 20220623 ships neither ABSL_RETURN_IF_ERROR nor ASSIGN_OR_RETURN, so
// payvox defines them once here.
//
//   absl::StatusOr<Charge> LoadCharge(absl::string_view body) {
//     PAYVOX_RETURN_IF_ERROR(CheckBody(body));
//     PAYVOX_ASSIGN_OR_RETURN(Charge charge, DecodeCharge(body));
//     return charge;
//   }
//
// Inside a coroutine use the CO_ variants, which `co_return` instead.
#ifndef PAYVOX_COMMON_STATUS_MACROS_H_
#define PAYVOX_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PAYVOX_STATUS_CONCAT_INNER_(a, b) a##b
#define PAYVOX_STATUS_CONCAT_(a, b) PAYVOX_STATUS_CONCAT_INNER_(a, b)

// PAYVOX_RETURN_IF_ERROR(expr): returns the status of `expr` when not OK.
#define PAYVOX_RETURN_IF_ERROR(expr)                                                         \
  do {                                                                                       \
    if (::absl::Status payvox_status_ = (expr); !payvox_status_.ok()) return payvox_status_; \
  } while (false)

// PAYVOX_ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; returns
// its status when not OK, else moves its value into `lhs` (a declaration or
// an assignable expression).
#define PAYVOX_ASSIGN_OR_RETURN(lhs, expr)                                                    \
  PAYVOX_ASSIGN_OR_RETURN_IMPL_(PAYVOX_STATUS_CONCAT_(payvox_statusor_, __LINE__), lhs, expr, \
                                return )

// Coroutine forms of the two macros above.
#define PAYVOX_CO_RETURN_IF_ERROR(expr)                                                         \
  do {                                                                                          \
    if (::absl::Status payvox_status_ = (expr); !payvox_status_.ok()) co_return payvox_status_; \
  } while (false)
#define PAYVOX_CO_ASSIGN_OR_RETURN(lhs, expr)                                                 \
  PAYVOX_ASSIGN_OR_RETURN_IMPL_(PAYVOX_STATUS_CONCAT_(payvox_statusor_, __LINE__), lhs, expr, \
                                co_return )

#define PAYVOX_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr, ret) \
  auto statusor = (expr);                                       \
  if (!statusor.ok()) ret std::move(statusor).status();         \
  lhs = std::move(statusor).value()

#endif  // PAYVOX_COMMON_STATUS_MACROS_H_
