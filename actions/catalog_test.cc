#include "actions/catalog.h"

#include <simdjson.h>

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actions/proto_schema.h"
#include "actions/typed_actions.h"
#include "common/json_schema.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/options.pb.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

absl::string_view Sv(std::string_view text) { return {text.data(), text.size()}; }

// The typed request a kTyped action decodes its arguments into:
// create_refund -> payvox.v1.CreateRefundRequest.
const google::protobuf::Descriptor* RequestOf(std::string_view action) {
  std::string message = "payvox.v1.";
  bool upper = true;
  for (const char c : action) {
    if (c == '_') {
      upper = true;
      continue;
    }
    message.push_back(upper ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c);
    upper = false;
  }
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(message +
                                                                                   "Request");
}

std::string SampleValue(simdjson::dom::object property);

// SampleObject: every property of an object schema with a sample value.
std::string SampleObject(simdjson::dom::object schema, std::string_view leave_out = "") {
  std::vector<std::string> all;
  simdjson::dom::object properties = schema["properties"].get_object().value();
  for (const auto field : properties) {
    if (field.key == leave_out) continue;
    all.push_back(
        absl::StrCat("\"", Sv(field.key), "\": ", SampleValue(field.value.get_object().value())));
  }
  return absl::StrCat("{", absl::StrJoin(all, ", "), "}");
}

// SampleValue is a value the property's schema accepts.
std::string SampleValue(simdjson::dom::object property) {
  const std::string_view type = property["type"].get_string().value_unsafe();
  if (type == "string") {
    simdjson::dom::array values;
    if (property["enum"].get_array().get(values) == simdjson::SUCCESS) {
      return absl::StrCat("\"", Sv((*values.begin()).get_string().value_unsafe()), "\"");
    }
    uint64_t min_length = 1;
    if (property["minLength"].get_uint64().get(min_length) != simdjson::SUCCESS) min_length = 1;
    return absl::StrCat("\"", std::string(std::max<uint64_t>(min_length, 1), 'a'), "\"");
  }
  if (type == "integer" || type == "number") {
    double minimum = 1;
    if (property["minimum"].get_double().get(minimum) != simdjson::SUCCESS) minimum = 1;
    return type == "number" ? absl::StrCat(minimum) : absl::StrCat(static_cast<int64_t>(minimum));
  }
  if (type == "boolean") return "true";
  if (type == "array") {
    return absl::StrCat("[", SampleValue(property["items"].get_object().value()), "]");
  }
  return SampleObject(property);
}

TEST(CatalogTest, EveryEntryIsAUsableToolDefinition) {
  std::set<std::string_view> names;
  for (const ActionSpec& spec : Catalog()) {
    SCOPED_TRACE(spec.name);
    EXPECT_TRUE(names.insert(spec.name).second) << "duplicate name";
    for (const char c : spec.name) {
      EXPECT_TRUE(absl::ascii_islower(static_cast<unsigned char>(c)) || c == '_');
    }
    EXPECT_GE(spec.description.size(), 40u);
    // The long tail names its endpoint; a typed entry's calls are its family's.
    EXPECT_EQ(spec.endpoint != nullptr, spec.runner == Runner::kStripe);
    EXPECT_TRUE(CheckSchema(Sv(spec.parameters)).ok()) << CheckSchema(Sv(spec.parameters));
    EXPECT_EQ(FindAction(spec.name), &spec);
  }
  EXPECT_EQ(FindAction("drop_tables"), nullptr);
}

TEST(CatalogTest, SchemasDescribeExactlyTheTypedRequest) {
  for (const ActionSpec& spec : Catalog()) {
    SCOPED_TRACE(spec.name);
    if (spec.runner != Runner::kTyped) continue;
    const google::protobuf::Descriptor* request = RequestOf(spec.name);
    ASSERT_NE(request, nullptr) << "a catalog entry without its typed request";
    std::set<std::string> fields;
    for (int i = 0; i < request->field_count(); ++i) {
      if (request->field(i)->name() != "context") fields.insert(request->field(i)->name());
    }
    simdjson::dom::parser parser;
    simdjson::dom::object properties =
        parser.parse(std::string(spec.parameters))["properties"].get_object().value();
    std::set<std::string> described;
    for (const auto field : properties) described.emplace(field.key);
    EXPECT_EQ(described, fields);
  }
}

// An action's capabilities are declared once, in its catalog entry (the
// write pipeline and Enabled read them from there); the policy's
// vocabulary is exactly the capabilities the entries name.
TEST(CatalogTest, CapabilitiesAreThePolicysVocabulary) {
  std::set<std::string> named;
  for (const ActionSpec& spec : Catalog()) {
    for (const std::string_view capability : spec.capabilities) {
      if (!capability.empty()) named.emplace(capability);
    }
  }
  std::set<std::string> known(policy::Capabilities().begin(), policy::Capabilities().end());
  known.erase("all");
  EXPECT_EQ(named, known);
}

// A typed entry's description is its RPC's comment and its schema comes
// from the request's (payvox.v1.rules): nothing about it is written twice.
TEST(CatalogTest, TypedEntriesAreDerivedFromTheirProto) {
  for (const ActionSpec& spec : Catalog()) {
    SCOPED_TRACE(spec.name);
    if (spec.runner != Runner::kTyped) continue;
    const google::protobuf::Descriptor* request = RequestOf(spec.name);
    ASSERT_NE(request, nullptr);
    const std::string rpc(request->name().substr(0, request->name().size() - 7));  // "Request"
    absl::StatusOr<ProtoAction> derived = DeriveFromProto(rpc);
    ASSERT_TRUE(derived.ok()) << derived.status();
    EXPECT_EQ(Sv(spec.description), derived->description);
    EXPECT_EQ(Sv(spec.parameters), derived->parameters);
    std::set<std::string> required;
    for (int i = 0; i < request->field_count(); ++i) {
      if (request->field(i)->options().GetExtension(v1::rules).required()) {
        required.insert(request->field(i)->name());
      }
    }
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(std::string(spec.parameters)).value();
    std::set<std::string> listed;
    simdjson::dom::array list;
    if (root["required"].get_array().get(list) == simdjson::SUCCESS) {
      for (const auto name : list) listed.emplace(name.get_string().value());
    }
    EXPECT_EQ(listed, required);
  }
  // The RPC's comment, joined into one paragraph.
  absl::StatusOr<ProtoAction> refund = DeriveFromProto("CreateRefund");
  ASSERT_TRUE(refund.ok());
  EXPECT_THAT(refund->description, HasSubstr("Refund a charge"));
  EXPECT_THAT(refund->description, Not(HasSubstr("//")));
  EXPECT_THAT(refund->description, Not(HasSubstr("\n")));
  // Output-only fields (Money.display) are not arguments.
  absl::StatusOr<ProtoAction> payment = DeriveFromProto("StartSecurePayment");
  ASSERT_TRUE(payment.ok());
  EXPECT_THAT(payment->parameters, HasSubstr("\"amount_minor\""));
  EXPECT_THAT(payment->parameters, Not(HasSubstr("\"display\"")));
  EXPECT_THAT(DeriveFromProto("DropTables"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("DropTables")));
}

// A typed gRPC request is held to the same schema as Execute's arguments.
TEST(CatalogTest, TypedRequestsAreHeldToTheirSchema) {
  v1::CreateRefundRequest refund;
  refund.mutable_context()->set_call_id(std::string(100, 'c'));  // not an argument
  refund.set_charge_id("ch_1");
  EXPECT_TRUE(CheckTypedRequest("create_refund", refund).ok());
  refund.set_reason("because");
  EXPECT_THAT(CheckTypedRequest("create_refund", refund),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("create_refund: reason")));
  refund.set_reason("duplicate");
  refund.set_amount_minor(100'000'000);
  EXPECT_THAT(CheckTypedRequest("create_refund", refund),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount_minor")));
  // Nested and repeated fields too.
  v1::CreateInvoiceRequest invoice;
  invoice.set_customer_id("cus_1");
  EXPECT_THAT(CheckTypedRequest("create_invoice", invoice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines")));
  v1::InvoiceLine* line = invoice.add_lines();
  line->set_description("Setup");
  line->mutable_amount()->set_amount_minor(1000);
  EXPECT_THAT(CheckTypedRequest("create_invoice", invoice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("currency")));
  line->mutable_amount()->set_currency("usd");
  EXPECT_TRUE(CheckTypedRequest("create_invoice", invoice).ok());
  EXPECT_THAT(CheckTypedRequest("get_balance", invoice), StatusIs(absl::StatusCode::kInternal));
}

TEST(CatalogTest, ArgumentsThatViolateASchemaAreRefusedNamingTheArgument) {
  for (const ActionSpec& spec : Catalog()) {
    SCOPED_TRACE(spec.name);
    const absl::string_view schema = Sv(spec.parameters);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(std::string(spec.parameters)).value();
    simdjson::dom::object properties = root["properties"].get_object().value();
    std::vector<std::string> required;
    simdjson::dom::array required_array;
    if (root["required"].get_array().get(required_array) == simdjson::SUCCESS) {
      for (const auto name : required_array) required.emplace_back(name.get_string().value());
    }
    // Every argument with a sample value: accepted.
    const std::string valid = SampleObject(root.get_object().value());
    EXPECT_TRUE(ValidateArguments(schema, valid).ok()) << valid << ValidateArguments(schema, valid);

    // An unknown argument.
    EXPECT_THAT(ValidateArguments(schema, R"({"card_number": "x"})"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("card_number")));
    // Each argument with a value of the wrong type.
    for (const auto field : properties) {
      EXPECT_THAT(ValidateArguments(schema, absl::StrCat("{\"", Sv(field.key), "\": {\"x\": 1}}")),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(Sv(field.key))));
    }
    // Each required argument left out.
    for (const std::string& missing : required) {
      EXPECT_THAT(ValidateArguments(schema, SampleObject(root.get_object().value(), missing)),
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr(absl::StrCat(missing, " is required"))));
    }
  }
}

TEST(CatalogTest, ListActionsMarksWhatTheTenantEnabled) {
  auto enabled = [](const v1::ListActionsResponse& response, const std::string& name) {
    for (const v1::ActionDescriptor& action : response.actions()) {
      if (action.name() == name) return action.enabled();
    }
    ADD_FAILURE() << name << " not listed";
    return false;
  };
  const v1::ListActionsResponse defaults = DescribeActions(v1::TenantPolicy());
  ASSERT_EQ(defaults.actions_size(), static_cast<int>(Catalog().size()));
  EXPECT_TRUE(enabled(defaults, "find_customer"));
  EXPECT_TRUE(enabled(defaults, "create_refund"));
  for (const v1::ActionDescriptor& action : defaults.actions()) {
    const ActionSpec* spec = FindAction(action.name());
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(action.read_only(), spec->action_class == policy::ActionClass::kRead);
    EXPECT_EQ(action.destructive(), spec->action_class == policy::ActionClass::kDestructive);
    EXPECT_FALSE(action.parameters_json_schema().empty());
  }
  EXPECT_TRUE(enabled(defaults, "list_subscriptions"));
  EXPECT_FALSE(enabled(defaults, "cancel_subscription"));
  EXPECT_FALSE(enabled(defaults, "get_balance"));

  v1::TenantPolicy view_only;
  view_only.add_enabled_actions("view_payments");
  const v1::ListActionsResponse narrowed = DescribeActions(view_only);
  EXPECT_TRUE(enabled(narrowed, "list_charges"));
  EXPECT_TRUE(enabled(narrowed, "verify_identity"));
  EXPECT_FALSE(enabled(narrowed, "create_refund"));

  v1::TenantPolicy partial_only;
  partial_only.add_enabled_actions("partial_refunds");
  EXPECT_TRUE(enabled(DescribeActions(partial_only), "create_refund"));
}

TEST(CatalogTest, StripeEntriesNameTheirPathIdsAsRequiredArguments) {
  for (const ActionSpec& spec : Catalog()) {
    SCOPED_TRACE(spec.name);
    if (spec.runner != Runner::kStripe) continue;
    EXPECT_FALSE(spec.object.empty());
    EXPECT_EQ(spec.say_done.empty(), spec.action_class == policy::ActionClass::kRead);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(std::string(spec.parameters)).value();
    std::set<std::string> required;
    simdjson::dom::array required_array;
    if (root["required"].get_array().get(required_array) == simdjson::SUCCESS) {
      for (const auto name : required_array) required.emplace(name.get_string().value());
    }
    std::string_view path = spec.endpoint->path;
    while (path.find('{') != std::string_view::npos) {
      path.remove_prefix(path.find('{') + 1);
      const std::string name(path.substr(0, path.find(':')));
      EXPECT_TRUE(required.contains(name)) << name;
    }
    if (spec.owner == Owner::kArgument) {
      simdjson::dom::element customer;
      EXPECT_EQ(root["properties"]["customer"].get(customer), simdjson::SUCCESS);
    }
  }
  // The long tail of api.md is reachable by name.
  for (const char* name : {"search_customers",
                           "create_customer",
                           "update_customer",
                           "delete_customer",
                           "list_payment_intents",
                           "get_payment_intent",
                           "create_payment_intent",
                           "search_payment_intents",
                           "cancel_payment_intent",
                           "capture_payment_intent",
                           "search_charges",
                           "capture_charge",
                           "search_invoices",
                           "create_subscription",
                           "update_subscription",
                           "list_products",
                           "get_product",
                           "list_prices",
                           "get_price",
                           "create_price",
                           "list_payment_methods",
                           "get_payment_method",
                           "detach_payment_method",
                           "get_balance",
                           "list_balance_transactions",
                           "get_balance_transaction",
                           "list_events",
                           "get_event",
                           "list_coupons",
                           "list_promotion_codes",
                           "list_payment_links"}) {
    EXPECT_NE(FindAction(name), nullptr) << name;
  }
}

// The typed catalog entries are exactly the table the gRPC service and the
// dispatcher are generated from (actions/typed_actions.h), reads and writes
// alike.
TEST(CatalogTest, TypedEntriesAreTheTypedActionsTable) {
  std::set<std::string> table_reads;
  std::set<std::string> table_writes;
  size_t rows = 0;
#define PAYVOX_ROW(Rpc, name, family, kind, ...)                                         \
  ++rows;                                                                                \
  (policy::ActionClass::kind == policy::ActionClass::kRead ? table_reads : table_writes) \
      .insert(name);
  PAYVOX_TYPED_ACTIONS(PAYVOX_ROW)
#undef PAYVOX_ROW
  EXPECT_EQ(rows, table_reads.size() + table_writes.size()) << "a name in two rows";
  std::set<std::string> catalog_reads;
  std::set<std::string> catalog_writes;
  for (const ActionSpec& spec : Catalog()) {
    if (spec.runner != Runner::kTyped) continue;
    (spec.action_class == policy::ActionClass::kRead ? catalog_reads : catalog_writes)
        .insert(std::string(spec.name));
  }
  EXPECT_EQ(catalog_reads, table_reads);
  EXPECT_EQ(catalog_writes, table_writes);
}

}  // namespace
}  // namespace payvox
