"""The queues in Portuguese: the pages in the user's language, the CSV columns and values kept in
English (stable for machines), the background export's messages in its requester's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import User
from queues.exports import EXPORT_HEADER, queue_export_run, queue_export_start
from queues.selectors import queue_get
from servicerequests.models import QueueExport
from tests.queues.test_queues import build_queue_world


@pytest.fixture
def queue_world(db, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return build_queue_world()


def _speaks(user, language: str):
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return user


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "pt-br",
            ['<h1 data-testid="queue-name">Não atribuídas</h1>', "Exportar CSV", "Responsável", "Filas"],
        ),
        (
            "pt-pt",
            ['<h1 data-testid="queue-name">Não atribuídos</h1>', "Exportar CSV", "Os meus pedidos", "Repor"],
        ),
    ],
)
def test_the_queue_page_speaks_the_users_language(client, queue_world, language, words):
    client.force_login(_speaks(queue_world.manager, language))
    html = client.get(reverse("queue_detail", args=["unassigned"])).content.decode()
    for word in words:
        assert word in html


def test_the_csv_columns_and_values_stay_in_english(client, queue_world):
    client.force_login(_speaks(queue_world.manager, "pt-br"))
    response = client.get(reverse("queue_export", args=["unassigned"]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == ",".join(EXPORT_HEADER)
    assert ",open," in lines[1] or ",none," in lines[1]  # status values, not their labels


def test_a_background_export_keeps_english_names_and_fails_in_the_requesters_language(queue_world):
    manager = _speaks(queue_world.manager, "pt-pt")
    queue = queue_get(actor=manager, key="unassigned")
    export = queue_export_start(actor=manager, queue=queue, filters=queue.filters, ordering=queue.ordering)
    assert export.queue_name == "Unassigned"
    # The requester loses the role before a worker runs the export.
    manager.roles.all().delete()
    queue_export_run(export_id=export.pk)
    export = QueueExport.objects.get(pk=export.pk)
    assert (export.status, export.error) == (
        "failed",
        "Já não pode abrir as filas, por isso nada foi exportado.",
    )
