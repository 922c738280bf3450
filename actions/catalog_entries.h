// catalog_entries.h: the catalog's entries, by family; actions/catalog.h
// joins them into one table.
#ifndef PAYVOX_ACTIONS_CATALOG_ENTRIES_H_
#define PAYVOX_ACTIONS_CATALOG_ENTRIES_H_

#include <span>

#include "actions/catalog.h"

namespace payvox::catalog {

// Customers, payments, refunds, saved cards, balance, events and links
// (catalog_payments.cc).
std::span<const ActionSpec> PaymentEntries();
// Coupons, subscriptions, invoices, products and prices
// (catalog_billing.cc).
std::span<const ActionSpec> BillingEntries();

}  // namespace payvox::catalog

#endif  // PAYVOX_ACTIONS_CATALOG_ENTRIES_H_
