// catalog_runner.h: the catalog's long tail (kStripe entries: products,
// prices, the balance, events, customer updates, captures, searches...),
// run straight from their declarative spec under the same rules as the
// typed actions: reads pass the policy's capability check, writes the write
// pipeline (actions/write_pipeline.h).
#ifndef PAYVOX_ACTIONS_CATALOG_RUNNER_H_
#define PAYVOX_ACTIONS_CATALOG_RUNNER_H_

#include "actions/action_env.h"
#include "actions/catalog.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

namespace payvox {

class CatalogRunner {
 public:
  CatalogRunner(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  // Run runs `spec` with Execute's arguments, already checked against its
  // schema.
  Action<v1::ExecuteResponse> Run(const ActionSpec& spec, v1::ExecuteRequest request,
                                  CallBounds bounds);

 private:
  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CATALOG_RUNNER_H_
