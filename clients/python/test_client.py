"""The Python client against a running payvoxd --sandbox (PAYVOX_TARGET),
with Debian's python3-grpcio: run by clients/python/run_tests.sh."""

import asyncio
import os
import unittest

import grpc
import payvox_client as payvox


class ClientTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.client = payvox.Client(os.environ["PAYVOX_TARGET"], token="pvxt_default.sandbox")

    async def asyncTearDown(self):
        await self.client.close()

    async def test_tools_are_llm_tool_definitions(self):
        openai = await self.client.tools()
        self.assertEqual(openai[0]["type"], "function")
        self.assertEqual(openai[0]["function"]["name"], "find_customer")
        self.assertEqual(openai[0]["function"]["parameters"]["type"], "object")
        anthropic = await self.client.tools("anthropic")
        self.assertIn("input_schema", anthropic[0])
        names = [tool["name"] for tool in anthropic]
        self.assertIn("create_refund", names)
        self.assertNotIn("create_price", names)  # not enabled by the default policy
        with self.assertRaises(ValueError):
            await self.client.tools("xml")

    async def test_a_call_finds_verifies_and_reads(self):
        call = self.client.call("py-call-1", agent_id="pipecat-test")
        begun = await call.begin(caller_phone="+14155550101")
        self.assertEqual(begun.customer.id, "cus_DemoJennyRosen")
        verified = await call.execute("verify_identity", customer_id="cus_DemoJennyRosen",
                                      last4="4242")
        self.assertTrue(verified.data["verified"])
        charges = await call.execute("list_charges", customer_id="cus_DemoJennyRosen")
        self.assertIn("ch_DemoJennyPlan", [c["id"] for c in charges.data["charges"]])
        self.assertTrue(charges.say)
        await call.end()

    async def test_errors_carry_payvoxs_detail(self):
        call = self.client.call("py-call-2")
        with self.assertRaises(payvox.PayvoxError) as raised:
            await call.execute("create_refund", charge_id="ch_DemoJennyPlan")
        self.assertEqual(raised.exception.code, grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(raised.exception.reason, "needs_verification")
        self.assertTrue(raised.exception.say)
        self.assertFalse(raised.exception.retryable)
        with self.assertRaises(payvox.PayvoxError) as unknown:
            await call.execute("refund_everything")
        self.assertEqual(unknown.exception.code, grpc.StatusCode.INVALID_ARGUMENT)

    async def test_a_retry_with_the_same_request_id_refunds_once(self):
        call = self.client.call("py-call-3")
        await call.execute("verify_identity", customer_id="cus_DemoJennyRosen", last4="4242")
        first = await call.execute("create_refund", request_id="py-r-1",
                                   charge_id="ch_DemoJennyDuplicate", amount_minor=100,
                                   reason="duplicate")
        again = await call.execute("create_refund", request_id="py-r-1",
                                   charge_id="ch_DemoJennyDuplicate", amount_minor=100,
                                   reason="duplicate")
        self.assertEqual(first.data["refund"]["id"], again.data["refund"]["id"])

    async def test_a_wrong_token_is_refused(self):
        async with payvox.Client(os.environ["PAYVOX_TARGET"], token="pvxt_default.wrong") as other:
            with self.assertRaises(payvox.PayvoxError) as raised:
                await other.list_actions()
            self.assertEqual(raised.exception.code, grpc.StatusCode.UNAUTHENTICATED)

    def test_a_call_needs_its_id(self):
        with self.assertRaises(ValueError):
            self.client.call("")


if __name__ == "__main__":
    unittest.main()
