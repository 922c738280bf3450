#include "app/config.h"

#include <cstdlib>
#include <fstream>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/policy.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ConfigTest, EmptyConfigGetsDocumentedDefaults) {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig("{}");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc_listen_address(), "127.0.0.1:50051");
  EXPECT_EQ(config->stripe().api_base_url(), "https://api.stripe.com");
  EXPECT_EQ(config->stripe().api_key_env(), "PAYVOX_STRIPE_API_KEY");
  EXPECT_EQ(config->verification().max_attempts(), 3);
  EXPECT_EQ(config->shutdown_grace_seconds(), 10);
  EXPECT_EQ(config->tenant_id(), "default");
  EXPECT_FALSE(config->call_sessions().disabled());
  EXPECT_EQ(config->call_sessions().idle_timeout_seconds(), 1800);
  EXPECT_EQ(config->call_sessions().money_fresh_seconds(), 60);
  EXPECT_EQ(config->call_sessions().account_fresh_seconds(), 300);
  EXPECT_EQ(config->call_sessions().max_session_kib(), 512);
  EXPECT_EQ(config->call_sessions().max_total_mib(), 64);
  EXPECT_EQ(config->call_sessions().begin_call_wait_ms(), 2000);
  EXPECT_EQ(config->stripe().idle_timeout_ms(), 25000);
}

TEST(ConfigTest, StripeClientSettingsDefaultAndValidate) {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig("{}");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->stripe().max_connections(), 16);
  EXPECT_EQ(config->stripe().warm_connections(), 2);
  EXPECT_EQ(config->stripe().max_retries(), 2);
  EXPECT_EQ(config->stripe().breaker_failure_threshold(), 5);

  // Zero is a real value for retries and warm connections, not "unset".
  config = ParseConfig(R"({"stripe": {"max_retries": 0, "warm_connections": 0}})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->stripe().max_retries(), 0);
  EXPECT_EQ(config->stripe().warm_connections(), 0);

  EXPECT_THAT(ParseConfig(R"({"stripe": {"max_retries": 9}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stripe.max_retries")));
  EXPECT_THAT(ParseConfig(R"({"stripe": {"max_connections": 4, "warm_connections": 5}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stripe.warm_connections")));
  EXPECT_THAT(ParseConfig(R"({"stripe": {"write_per_second": -1}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stripe.write_per_second")));
  EXPECT_THAT(
      ParseConfig(R"({"stripe": {"endpoint_per_second": 20000}})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stripe.endpoint_per_second")));
}

TEST(ConfigTest, StripeClientOptionsFollowTheConfigAndTheKeysMode) {
  absl::StatusOr<v1::ServerConfig> config =
      ParseConfig(R"({"stripe": {"max_connections": 4, "search_per_second": 5}})");
  ASSERT_TRUE(config.ok());
  const stripe::StripeClientOptions live = StripeClientOptionsFrom(config->stripe(), "rk_live_1");
  EXPECT_EQ(live.pool.max_connections, 4);
  EXPECT_EQ(live.pool.api_key, "rk_live_1");
  EXPECT_EQ(live.rate_limits->read_per_second, 100);
  EXPECT_EQ(live.rate_limits->search_per_second, 5);
  EXPECT_EQ(live.rate_limits->endpoint_per_second, 25);  // Stripe's per-endpoint default
  EXPECT_EQ(live.retry.max_retries, 2);
  const stripe::StripeClientOptions test = StripeClientOptionsFrom(config->stripe(), "sk_test_1");
  EXPECT_EQ(test.rate_limits->write_per_second, 25);
  config = ParseConfig(R"({"stripe": {"endpoint_per_second": 40}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(StripeClientOptionsFrom(config->stripe(), "rk_live_1").rate_limits->endpoint_per_second,
            40);
}

TEST(ConfigTest, ReadsBothFieldNameSpellings) {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(R"({
    "grpc_listen_address": "0.0.0.0:6000",
    "stripe": {"apiBaseUrl": "http://127.0.0.1:12111", "default_timeout_ms": 2500},
    "verification": {"max_attempts": 5}
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc_listen_address(), "0.0.0.0:6000");
  EXPECT_EQ(config->stripe().api_base_url(), "http://127.0.0.1:12111");
  EXPECT_EQ(config->stripe().default_timeout_ms(), 2500);
  EXPECT_EQ(config->verification().max_attempts(), 5);
}

TEST(ConfigTest, UnknownFieldsAndBadJsonAreRejected) {
  EXPECT_THAT(ParseConfig(R"({"stripe": {"api_key": "sk_live_inline"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("api_key")));
  EXPECT_THAT(ParseConfig(R"({"grpc_port": 1})"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseConfig("{"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseConfig(R"({"io_threads": "many"})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // What protobuf's reader would forgive.
  EXPECT_THAT(ParseConfig("{'io_threads': 2}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not strict JSON")));
  EXPECT_THAT(ParseConfig(R"({"io_threads": 2,})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not strict JSON")));
  EXPECT_THAT(ParseConfig(R"({"io_threads": 2, "io_threads": 3})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"io_threads\" twice")));
}

TEST(ConfigTest, NoPolicyIsTheConservativeOneAndAnEmptyOneHasNoBounds) {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig("{}");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_FALSE(config->policy().refunds().max_auto_refund().empty());
  EXPECT_EQ(config->policy().SerializeAsString(), policy::ConservativePolicy().SerializeAsString());
  EXPECT_EQ(policy::PolicySummary(config->policy()),
            "refunds above $100.00 wait for approval; at most $500.00 a day (in USD)");
  absl::StatusOr<v1::ServerConfig> unbounded = ParseConfig(R"({"policy": {}})");
  ASSERT_TRUE(unbounded.ok()) << unbounded.status();
  EXPECT_TRUE(unbounded->policy().refunds().max_auto_refund().empty());
  EXPECT_EQ(policy::PolicySummary(unbounded->policy()),
            "refunds need no approval for their amount; no daily refund limit (in USD)");
}

TEST(ConfigTest, BadValuesNameTheirField) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : std::initializer_list<Case>{
           {R"({"grpc_listen_address": "nowhere"})", "grpc_listen_address"},
           {R"({"grpc_listen_address": "h:70000"})", "grpc_listen_address"},
           {R"({"shutdown_grace_seconds": 1000})", "shutdown_grace_seconds"},
           {R"({"tenant_id": "Bad Tenant"})", "tenant_id"},
           {R"({"io_threads": -1})", "io_threads"},
           {R"({"time_zone": "Mars/Olympus"})", "time_zone"},
           {R"({"stripe": {"api_base_url": "ftp://stripe"}})", "stripe.api_base_url"},
           {R"({"stripe": {"api_key_env": "A", "api_key_file": "/k"}})", "stripe.api_key_env"},
           {R"({"stripe": {"extra_ca_file": "/nonexistent/ca.pem"}})", "stripe.extra_ca_file"},
           {R"({"stripe": {"default_timeout_ms": 5}})", "stripe.default_timeout_ms"},
           {R"({"verification": {"max_attempts": 11}})", "verification.max_attempts"},
           {R"({"verification": {"ttl_seconds": 5}})", "verification.ttl_seconds"},
           {R"({"call_sessions": {"idle_timeout_seconds": 5}})",
            "call_sessions.idle_timeout_seconds"},
           {R"({"call_sessions": {"money_fresh_seconds": 7200}})",
            "call_sessions.money_fresh_seconds"},
           {R"({"call_sessions": {"max_session_kib": 1}})", "call_sessions.max_session_kib"},
           {R"({"call_sessions": {"begin_call_wait_ms": 60000}})",
            "call_sessions.begin_call_wait_ms"},
           {R"({"call_sessions": {"max_session_kib": 4096, "max_total_mib": 2}})",
            "call_sessions.max_session_kib"},
           {R"({"store": {"postgres": {}}})", "store.postgres.conninfo"},
           {R"({"store": {"postgres": {"conninfo": "host=db password=hunter2"}}})",
            "store.postgres.conninfo"},
           {R"({"store": {"postgres": {"conninfo": "postgresql://payvox:hunter2@db/payvox"}}})",
            "store.postgres.conninfo"},
           {R"({"store_path": "/x.db", "store": {"postgres": {"conninfo": "host=db"}}})",
            "store_path"},
           {R"({"store": {"postgres": {"conninfo": "host=db", "pool_size": 500}}})",
            "store.postgres.pool_size"},
           {R"({"store": {"postgres": {"conninfo": "host=db", "statement_timeout_ms": 5}}})",
            "store.postgres.statement_timeout_ms"},
           {R"({"store": {"postgres": {"conninfo": "host=db", "password_env": "P",)"
            R"( "password_file": "/p"}}})",
            "store.postgres.password_env"},
       }) {
    EXPECT_THAT(ParseConfig(c.json),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.json;
  }
}

TEST(ConfigTest, PostgresStoreDefaultsAndItsPasswordFromAFileOrTheEnvironment) {
  absl::StatusOr<v1::ServerConfig> config =
      ParseConfig(R"({"store": {"postgres": {"conninfo": "host=db user=payvox dbname=payvox"}}})");
  ASSERT_TRUE(config.ok()) << config.status();
  const v1::PostgresConfig& postgres = config->store().postgres();
  EXPECT_EQ(postgres.pool_size(), 8);
  EXPECT_EQ(postgres.statement_timeout_ms(), 5000);
  EXPECT_EQ(postgres.acquire_timeout_ms(), 2000);
  EXPECT_EQ(postgres.password_env(), "PAYVOX_POSTGRES_PASSWORD");
  setenv("PAYVOX_POSTGRES_PASSWORD", "from-env\n", 1);
  EXPECT_EQ(*ReadPostgresPassword(postgres), "from-env");
  unsetenv("PAYVOX_POSTGRES_PASSWORD");
  EXPECT_EQ(*ReadPostgresPassword(postgres), "");
  const std::string path = ::testing::TempDir() + "/pg_password";
  std::ofstream(path) << "from-file\n";
  v1::PostgresConfig from_file;
  from_file.set_password_file(path);
  EXPECT_EQ(*ReadPostgresPassword(from_file), "from-file");
  from_file.set_password_file("/nonexistent/pg_password");
  EXPECT_THAT(ReadPostgresPassword(from_file), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                        HasSubstr("/nonexistent/pg_password")));
  // Without store.postgres nothing is filled in: the store is SQLite.
  EXPECT_FALSE(ParseConfig("{}")->store().has_postgres());
}

TEST(ConfigTest, LoadConfigFileNamesTheFile) {
  EXPECT_THAT(LoadConfigFile("/nonexistent/payvoxd.json"), StatusIs(absl::StatusCode::kNotFound));
  const std::string path = ::testing::TempDir() + "/payvoxd_bad.json";
  std::ofstream(path) << R"({"io_threads": 0, "colour": 1})";
  EXPECT_THAT(LoadConfigFile(path), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path)));
}

TEST(ConfigTest, StripeKeyFromEnvironmentOrFileNeverEchoed) {
  v1::StripeConfig stripe;
  stripe.set_api_key_env("PAYVOX_TEST_KEY_VARIABLE");
  unsetenv("PAYVOX_TEST_KEY_VARIABLE");
  EXPECT_THAT(ReadStripeKey(stripe), StatusIs(absl::StatusCode::kFailedPrecondition,
                                              HasSubstr("PAYVOX_TEST_KEY_VARIABLE")));
  setenv("PAYVOX_TEST_KEY_VARIABLE", "sk_test_from_env\n", 1);
  EXPECT_EQ(*ReadStripeKey(stripe), "sk_test_from_env");

  const std::string path = ::testing::TempDir() + "/stripe_key";
  std::ofstream(path) << "rk_test_from_file  \n";
  v1::StripeConfig from_file;
  from_file.set_api_key_file(path);
  EXPECT_EQ(*ReadStripeKey(from_file), "rk_test_from_file");
}

TEST(ConfigTest, WebhookListenerSettingsAndSecrets) {
  absl::StatusOr<v1::ServerConfig> defaults = ParseConfig("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->webhooks().listen_address(), "");  // no listener unless asked
  EXPECT_EQ(defaults->webhooks().signing_secrets_env(), "PAYVOX_WEBHOOK_SECRETS");
  EXPECT_EQ(defaults->webhooks().tolerance_seconds(), 300);
  for (const auto& [json, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"webhooks": {"listen_address": "nowhere"}})", "webhooks.listen_address"},
           {R"({"grpc_health_listen_address": "0.0.0.0"})", "grpc_health_listen_address"},
           {R"({"metrics_listen_address": "127.0.0.1:99999"})", "metrics_listen_address"},
           {R"({"webhooks": {"max_body_bytes": 10}})", "webhooks.max_body_bytes"},
           {R"({"webhooks": {"tolerance_seconds": 86400}})", "webhooks.tolerance_seconds"},
           {R"({"webhooks": {"signing_secrets_env": "A", "signing_secrets_file": "/x"}})",
            "webhooks.signing_secrets_env"},
       }) {
    absl::StatusOr<v1::ServerConfig> config = ParseConfig(json);
    ASSERT_FALSE(config.ok()) << json;
    EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr(field));
  }

  v1::WebhooksConfig webhooks;
  webhooks.set_signing_secrets_env("PAYVOX_TEST_WEBHOOK_SECRETS");
  unsetenv("PAYVOX_TEST_WEBHOOK_SECRETS");
  EXPECT_EQ(ReadWebhookSecrets(webhooks).status().code(), absl::StatusCode::kNotFound);
  setenv("PAYVOX_TEST_WEBHOOK_SECRETS", "whsec_current_one, whsec_previous_one", 1);
  absl::StatusOr<std::vector<std::string>> secrets = ReadWebhookSecrets(webhooks);
  ASSERT_TRUE(secrets.ok()) << secrets.status();
  EXPECT_EQ(*secrets, (std::vector<std::string>{"whsec_current_one", "whsec_previous_one"}));
  setenv("PAYVOX_TEST_WEBHOOK_SECRETS", "sk_test_not_a_webhook_secret", 1);
  absl::StatusOr<std::vector<std::string>> wrong = ReadWebhookSecrets(webhooks);
  ASSERT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(wrong.status().message()),
              ::testing::Not(::testing::HasSubstr("sk_test_not")));
  unsetenv("PAYVOX_TEST_WEBHOOK_SECRETS");
}

}  // namespace
}  // namespace payvox
