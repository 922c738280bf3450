"""payvox_client: an asyncio client of payvoxd for Pipecat and LiveKit agents.

    async with payvox_client.Client("127.0.0.1:50051", token="pvxt_acme....") as client:
        tools = await client.tools()                 # LLM tool definitions
        call = client.call("call-123", agent_id="pipecat")
        await call.begin(caller_phone="+14155550101")
        result = await call.execute("list_charges", customer_id="cus_...")
        print(result.say)

Every call carries the tenant's bearer token; each action carries the call's
context; writes get a fresh request id unless one is given (reuse it to
retry: payvox never does a write twice). Errors raise PayvoxError with the
payvox.v1.ErrorDetail decoded from gRPC's standard rich status.

Needs the generated stubs on sys.path (clients/python/generate_stubs.sh).
"""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

import grpc
from google.rpc import status_pb2
from payvox.v1 import actions_pb2, actions_pb2_grpc, types_pb2

__all__ = ["Client", "Call", "Result", "PayvoxError"]


class PayvoxError(Exception):
    """An error payvoxd answered, with its code and payvox.v1.ErrorDetail."""

    def __init__(self, code: grpc.StatusCode, message: str, detail: types_pb2.ErrorDetail):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.detail = detail

    @property
    def reason(self) -> str:
        return self.detail.reason

    @property
    def say(self) -> str:
        return self.detail.say

    @property
    def retryable(self) -> bool:
        return self.detail.retryable


def _error_of(error: grpc.aio.AioRpcError) -> PayvoxError:
    detail = types_pb2.ErrorDetail()
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for any_detail in status.details:
                if any_detail.Is(types_pb2.ErrorDetail.DESCRIPTOR):
                    any_detail.Unpack(detail)
    return PayvoxError(error.code(), error.details() or "", detail)


@dataclass
class Result:
    """An action's answer: its JSON result and the sentence to speak."""

    say: str
    data: dict = field(default_factory=dict)


class Client:
    def __init__(self, target: str, token: str,
                 credentials: Optional[grpc.ChannelCredentials] = None,
                 timeout: float = 10.0):
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._channel = (grpc.aio.secure_channel(target, credentials) if credentials
                         else grpc.aio.insecure_channel(target))
        self._stub = actions_pb2_grpc.ActionServiceStub(self._channel)
        self._timeout = timeout

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def _unary(self, method, request):
        try:
            return await method(request, metadata=self._metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            raise _error_of(error) from None

    async def list_actions(self) -> list:
        response = await self._unary(self._stub.ListActions, actions_pb2.ListActionsRequest())
        return list(response.actions)

    async def tools(self, format: str = "openai") -> list:
        """The tenant's enabled actions as LLM tool definitions: "openai"
        ({"type": "function", "function": {...}}) or "anthropic"
        ({"name", "description", "input_schema"})."""
        tools = []
        for action in await self.list_actions():
            if not action.enabled:
                continue
            schema = json.loads(action.parameters_json_schema)
            if format == "openai":
                tools.append({"type": "function", "function": {
                    "name": action.name, "description": action.description,
                    "parameters": schema}})
            elif format == "anthropic":
                tools.append({"name": action.name, "description": action.description,
                              "input_schema": schema})
            else:
                raise ValueError(f"unknown tool format {format!r}: openai or anthropic")
        return tools

    def call(self, call_id: str, agent_id: str = "") -> "Call":
        return Call(self, call_id, agent_id)


class Call:
    """One phone call: every action it runs carries its call id."""

    def __init__(self, client: Client, call_id: str, agent_id: str):
        if not call_id:
            raise ValueError("a call needs its call_id")
        self._client = client
        self.call_id = call_id
        self.agent_id = agent_id

    def _context(self, request_id: str = "", confirmed: bool = False) -> types_pb2.CallContext:
        return types_pb2.CallContext(call_id=self.call_id, agent_id=self.agent_id,
                                     request_id=request_id, confirmed=confirmed)

    async def begin(self, caller_phone: str = "", email: str = "",
                    customer_id: str = "") -> actions_pb2.BeginCallResponse:
        """Starts the call's session: payvox fetches the caller's account."""
        request = actions_pb2.BeginCallRequest(context=self._context(), caller_phone=caller_phone,
                                               email=email, customer_id=customer_id)
        return await self._client._unary(self._client._stub.BeginCall, request)

    async def end(self) -> None:
        await self._client._unary(self._client._stub.EndCall,
                                  actions_pb2.EndCallRequest(context=self._context()))

    async def execute(self, action: str, request_id: Optional[str] = None,
                      confirmed: bool = False, **arguments: Any) -> Result:
        """Runs a catalog action with keyword arguments (those of its schema).
        A write without request_id gets a fresh one; pass the same one to
        retry."""
        request = actions_pb2.ExecuteRequest(
            context=self._context(request_id or str(uuid.uuid4()), confirmed),
            action=action, arguments_json=json.dumps(arguments))
        response = await self._client._unary(self._client._stub.Execute, request)
        return Result(say=response.say, data=json.loads(response.result_json or "{}"))
