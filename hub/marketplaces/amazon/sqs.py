"""The hub's client of the application's Amazon SQS queue (SQS JSON protocol, AWS Signature Version 4).

Two calls: ReceiveMessage (long poll) and DeleteMessageBatch, ``POST {endpoint}`` with
``X-Amz-Target: AmazonSQS.<Action>`` and ``Content-Type: application/x-amz-json-1.0``
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).

Signing: httpx-auth's ``AWS4Auth`` (pure Python, on the httpx the adapters already use). botocore
would do it too, but it is a large package (with jmespath, urllib3 and its service data) for two
calls; hand-written signing code is avoided where a small, maintained library fits.
"""

from dataclasses import dataclass

import httpx

from ..errors import AuthFailed, RequestRejected, ServerError, Throttled
from ..http import http_client
from ..http_errors import json_or_none

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_MESSAGES = 10


@dataclass(frozen=True)
class QueueConfig:
    url: str
    region: str
    access_key_id: str
    secret_access_key: str  # never logged: ``repr`` leaves it out
    endpoint: str = ""  # default: https://sqs.<region>.amazonaws.com/

    def __repr__(self):
        return f"QueueConfig(url={self.url!r}, region={self.region!r}, endpoint={self.service_endpoint!r})"

    @property
    def service_endpoint(self) -> str:
        return self.endpoint or f"https://sqs.{self.region}.amazonaws.com/"

    @property
    def arn(self) -> str:
        """arn:aws:sqs:<region>:<account>:<name>, from a queue URL ending in /<account>/<name>."""
        parts = [part for part in httpx.URL(self.url).path.split("/") if part]
        if len(parts) < 2:
            raise ValueError("the SQS queue URL must end in /<account id>/<queue name>")
        return f"arn:aws:sqs:{self.region}:{parts[-2]}:{parts[-1]}"


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str


class SqsQueue:
    def __init__(self, config: QueueConfig, client: httpx.Client | None = None, timeout: float = 30.0):
        from httpx_auth import AWS4Auth

        self.config = config
        self.client = client or http_client(httpx.Timeout(timeout, connect=5.0))
        self.auth = AWS4Auth(
            access_id=config.access_key_id,
            secret_key=config.secret_access_key,
            region=config.region,
            service="sqs",
        )

    def _call(self, action: str, body: dict) -> dict:
        try:
            response = self.client.post(
                self.config.service_endpoint,
                json={"QueueUrl": self.config.url, **body},
                headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": f"AmazonSQS.{action}"},
                auth=self.auth,
            )
        except httpx.TimeoutException as error:
            raise ServerError(f"sqs {action}: timeout") from error
        except httpx.TransportError as error:
            raise ServerError(f"sqs {action}: {type(error).__name__}") from error
        answer = json_or_none(response)
        if response.status_code == 200 and isinstance(answer, dict):
            return answer
        code = (response.headers.get("x-amzn-query-error") or "").split(";")[0]
        if not code and isinstance(answer, dict):
            code = str(answer.get("__type", "")).rsplit("#", 1)[-1]
        message = str((answer or {}).get("message", ""))[:300] if isinstance(answer, dict) else ""
        where = f"sqs {action}: HTTP {response.status_code} {code or 'error'}"
        if response.status_code >= 500:
            raise ServerError(where)
        if code in ("RequestThrottled", "ThrottlingException"):
            raise Throttled(1.0, where)
        if response.status_code in (401, 403) or code in ("IncompleteSignature", "InvalidClientTokenId"):
            raise AuthFailed(f"{where}: {message}")
        raise RequestRejected(f"{where}: {message}")

    def receive(self, *, max_messages: int = MAX_MESSAGES, wait_seconds: int = 1, visibility_timeout: int = 30):
        answer = self._call(
            "ReceiveMessage",
            {
                "MaxNumberOfMessages": max(1, min(MAX_MESSAGES, max_messages)),
                "WaitTimeSeconds": max(0, min(20, wait_seconds)),
                "VisibilityTimeout": visibility_timeout,
            },
        )
        return [
            QueueMessage(str(item["MessageId"]), str(item["ReceiptHandle"]), str(item.get("Body", "")))
            for item in answer.get("Messages") or []
        ]

    def delete(self, receipt_handles: list[str]) -> list[str]:
        """Delete messages in batches of 10; returns the handles SQS refused."""
        failed = []
        for start in range(0, len(receipt_handles), MAX_MESSAGES):
            batch = receipt_handles[start : start + MAX_MESSAGES]
            answer = self._call(
                "DeleteMessageBatch",
                {"Entries": [{"Id": str(index), "ReceiptHandle": handle} for index, handle in enumerate(batch)]},
            )
            failed += [batch[int(entry["Id"])] for entry in answer.get("Failed") or []]
        return failed

    def close(self):
        self.client.close()
