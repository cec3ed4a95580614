"""Payload encryption: the codec, key parsing, the remote codec JSON, and a history on a server."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.servers import start_time_skipping
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.codec import (
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    PayloadDecryptError,
    PayloadKeyError,
    data_converter,
    decode_json,
    encode_json,
    new_key,
    parse_keys,
)
from appraisal_engine.client.connect import connect
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalState,
    CompleteTaskInput,
    FeedbackBody,
    TargetsApproveBody,
    TaskBody,
)
from tests.workflows.conftest import Running
from tests.workflows.driver import EMPLOYEE, PLAN, Actors, appraisal_input, drive, start

OLD, NEW = parse_keys(f"{new_key('old')},{new_key('new')}")
SECRET = "Rincian rahasia penilaian"
SEARCH_ATTRIBUTES = "temporal.api.common.v1.SearchAttributes"
SDK_MARKER_META = {
    *("seq", "attempt", "activity_id", "activity_type"),  # a local activity's marker
    *("complete_time", "backoff", "original_schedule_time", "activation_index"),
    *("id", "deprecated"),  # a patch's marker: the patch's name, a constant
}


async def roundtrip(codec: EncryptionCodec, value: object) -> object:
    conv = data_converter([])
    [payload] = conv.payload_converter.to_payloads([value])
    [sealed] = await codec.encode([payload])
    assert sealed.metadata["encoding"] == ENCODING and SECRET.encode() not in sealed.data
    [opened] = await codec.decode([sealed])
    return conv.payload_converter.from_payloads([opened])[0]


async def test_round_trip_and_fresh_nonce() -> None:
    codec = EncryptionCodec([NEW])
    assert await roundtrip(codec, {"comment": SECRET}) == {"comment": SECRET}
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"x"')
    first, second = await codec.encode([plain, plain])
    assert first.metadata[KEY_ID] == b"new" and first.data != second.data


async def test_rotation_reads_old_payloads_and_writes_with_the_first_key() -> None:
    [sealed] = await EncryptionCodec([OLD]).encode([Payload(data=b"lama")])
    rotated = EncryptionCodec([NEW, OLD])
    assert (await rotated.decode([sealed]))[0].data == b"lama"
    [fresh] = await rotated.encode([Payload(data=b"baru")])
    assert fresh.metadata[KEY_ID] == b"new"


async def test_unknown_key_id_is_named_and_the_key_is_not() -> None:
    [sealed] = await EncryptionCodec([OLD]).encode([Payload(data=b"x")])
    with pytest.raises(PayloadDecryptError, match="'old'") as err:
        await EncryptionCodec([NEW]).decode([sealed])
    assert base64.b64encode(OLD.key).decode() not in str(err.value)


async def test_tampered_or_relabelled_payloads_fail() -> None:
    codec = EncryptionCodec([NEW, OLD])
    [sealed] = await codec.encode([Payload(data=b"x")])
    flipped = Payload()
    flipped.CopyFrom(sealed)
    flipped.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(PayloadDecryptError, match="failed authentication"):
        await codec.decode([flipped])
    relabelled = Payload()
    relabelled.CopyFrom(sealed)
    relabelled.metadata[KEY_ID] = b"old"
    with pytest.raises(PayloadDecryptError, match="failed authentication"):
        await codec.decode([relabelled])


async def test_unencrypted_payloads_pass_through() -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b"1")
    assert await EncryptionCodec([NEW]).decode([plain]) == [plain]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k1", "expected 'kid:base64-key'"),
        ("bad id:AAAA", "expected 'kid:base64-key'"),
        ("k1:not*base64", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "5 bytes, AES-256 needs 32"),
        (f"{new_key('k1')},{new_key('k1')}", "'k1' twice"),
    ],
    ids=["no-colon", "bad-id", "bad-base64", "short-key", "twice"],  # the same in every process
)
def test_key_list_errors_are_clear(text: str, message: str) -> None:
    with pytest.raises(PayloadKeyError, match=message) as err:
        parse_keys(text)
    key_text = text.partition(":")[2]
    assert len(key_text) <= 4 or key_text not in str(err.value)


def test_key_list_parsing_and_new_keys() -> None:
    assert parse_keys("") == [] and parse_keys(" , ") == []
    keys = parse_keys(f" {new_key('a')} , {new_key()} ")
    assert keys[0].kid == "a" and all(len(k.key) == 32 for k in keys)
    assert "key=" not in repr(keys[0])
    assert data_converter([]) is pydantic_data_converter
    assert isinstance(data_converter(keys).payload_codec, EncryptionCodec)


async def test_remote_codec_json_round_trip() -> None:
    codec = EncryptionCodec([NEW])
    body = {
        "payloads": [
            {
                "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
                "data": base64.b64encode(SECRET.encode()).decode(),
            }
        ]
    }
    encoded = await encode_json(codec, body)
    [sealed] = encoded["payloads"]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == ENCODING
    assert base64.b64decode(sealed["metadata"][KEY_ID]) == b"new"
    assert await decode_json(codec, encoded) == body
    assert await decode_json(codec, {"payloads": []}) == {"payloads": []}


async def test_connect_refuses_a_bad_key_list_before_dialling() -> None:
    settings = Settings(temporal_address="127.0.0.1:1", payload_keys="k1:bad")
    with pytest.raises(PayloadKeyError, match="entry 1 \\('k1'\\)"):
        await connect(settings)


class MarkedActors(Actors):
    """Returns the first plan with a marked comment, then approves."""

    def __init__(self, marker: str) -> None:
        super().__init__(NATIONAL)
        self.marker = marker

    def body(self, task: TaskRecord, state: AppraisalState | None = None) -> TaskBody | None:
        if task.kind is TaskKind.TARGETS_APPROVE and self.marker:
            comment, self.marker = self.marker, ""
            return TargetsApproveBody(decision="return", comment=comment)
        return super().body(task, state)


def any_body() -> TaskBody:
    return FeedbackBody.model_validate({"feedback": {"comment": "x"}})


def clear_search_attributes(message: Message) -> None:
    """Remove every search attributes field, at any depth."""
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        if descriptor.message_type.full_name == SEARCH_ATTRIBUTES:
            message.ClearField(descriptor.name)
        else:
            for item in children(descriptor, value):
                clear_search_attributes(item)


def children(descriptor: FieldDescriptor, value: Any) -> list[Message]:
    """The messages held by one set field: single, repeated or map values."""
    if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
        values = list(value.values())
    elif descriptor.is_repeated:
        values = list(value)
    else:
        values = [value]
    return [v for v in values if isinstance(v, Message)]


def payloads_outside_search_attributes(message: Message) -> Iterator[Payload]:
    """Every payload in a history, except the search attributes no codec touches."""
    if message.DESCRIPTOR.full_name == SEARCH_ATTRIBUTES:
        return
    if isinstance(message, Payload):
        yield message
        return
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None:
            for item in children(descriptor, value):
                yield from payloads_outside_search_attributes(item)


async def test_history_holds_only_ciphertext(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    marker = f"Catatan pribadi {uuid.uuid4().hex}"
    env = await start_time_skipping(data_converter=data_converter([NEW]))
    try:
        running = Running(env, env.client, f"tq-{uuid.uuid4()}", LoggingNotifier(), session_factory)
        async with build_worker(env.client, running.task_queue, session_factory):
            handle = await start(running, appraisal_input(NATIONAL))
            state = await drive(
                running, handle, MarkedActors(marker), until=lambda s: s.stage is Stage.MONITORING
            )
            assert state.plan_returns == [marker]  # the encrypting client reads it back
            with pytest.raises(WorkflowUpdateFailedError) as err:  # failures decode too
                await handle.execute_update(
                    AppraisalWorkflow.complete_task,
                    CompleteTaskInput(task_id="nope", actor_nip=EMPLOYEE, body=any_body()),
                )
            assert isinstance(err.value.cause, ApplicationError)
            assert err.value.cause.type == "UnknownTask" and "nope" in err.value.cause.message
            plain = Client(
                env.client.service_client,
                namespace=env.client.namespace,
                data_converter=pydantic_data_converter,
            )
            history = await plain.get_workflow_handle(handle.id).fetch_history()
            with pytest.raises(Exception, match="binary/encrypted"):
                await plain.get_workflow_handle(handle.id).query("state")
            await handle.terminate()
    finally:
        await env.shutdown()

    raw = b"".join(e.SerializeToString() for e in history.events)
    assert marker.encode() not in raw and PLAN.targets[0].rhk.encode() not in raw
    assert EMPLOYEE.encode() in raw  # in the search attributes, which stay readable...
    for event in history.events:
        bare = type(event)()
        bare.CopyFrom(event)
        clear_search_attributes(bare)
        assert EMPLOYEE.encode() not in bare.SerializeToString()  # ...and nowhere else
    payloads = [p for e in history.events for p in payloads_outside_search_attributes(e)]
    sealed = [p for p in payloads if p.metadata["encoding"] == ENCODING]
    assert len(sealed) > 10 and all(p.metadata[KEY_ID] == b"new" for p in sealed)
    for p in payloads:
        if p.metadata["encoding"] != ENCODING:  # the SDK's own marker bookkeeping
            assert set(json.loads(p.data)) <= SDK_MARKER_META, p.data
        assert EMPLOYEE.encode() not in p.data
