"""Failures of staff actions in sentences that name what to do."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError

from provisioning.exceptions import IllegalTransition, PoolExhausted, UnknownScope
from provisioning.failures import action_failure_message, action_lost_message, error_text


def test_a_field_keyed_error_reads_as_sentences_not_as_a_dict():
    exc = ValidationError({"regions": ["No production pool serves region eu"]})

    message = action_failure_message(action="approve", exc=exc)

    assert "{" not in message and "[" not in message and "None" not in message
    assert message == (
        "Approve production failed. No production pool serves region eu. Correct what it "
        "names on the request's page, then click \u201cApprove production\u201d again."
    )


def test_each_kind_of_failure_names_its_own_next_step():
    cases = {
        PoolExhausted("Pool na-1 is short by 3 addresses."): "Add addresses to that pool",
        UnknownScope("No production pool serves region eu."): "Add a pool that serves it",
        IllegalTransition("Only a submitted request can be approved."): "reload its page",
        PermissionDenied("Only ops staff may approve production."): "Ask an ops colleague",
    }
    for exc, step in cases.items():
        message = action_failure_message(action="approve", exc=exc)
        assert message.startswith(f"Approve production failed. {error_text(exc)} "), message
        assert step in message, message


def test_database_and_lost_worker_failures_say_where_to_look():
    down = action_failure_message(
        action="revoke", exc=OperationalError("connection refused"), attempts=3
    )
    lost = action_lost_message(action="suspend", attempts=10)

    assert down.startswith("Revoke failed. The database could not be reached in 3 attempts")
    assert "/readyz" in down and down.endswith("click \u201cRevoke\u201d again.")
    assert "gave up after 10 attempts" in lost and "workers' logs" in lost
