"""Photos committed before the outbox whose thumbnail task was lost (the broker was down at the commit)
had their derivatives pending forever: queue them, with the reuse check of each link, for the sweep."""

import hashlib
import json

from django.db import migrations

DERIVATIVES = "media.tasks.photo_derivatives"
DUPLICATES = "checklists.tasks.evidence_duplicates"


def _message(model, steps):  # type: ignore[no-untyped-def]
    # the key as kernel.outbox.services computes it (copied: a migration must not follow later code)
    canonical = json.dumps(steps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return model(key=hashlib.sha256(canonical.encode()).hexdigest(), steps=steps)


def queue(apps, schema_editor):  # type: ignore[no-untyped-def]
    Message = apps.get_model("outbox", "OutboxMessage")
    Photo = apps.get_model("media", "Photo")
    messages, linked = [], set()
    for kind, model in (
        ("inspection", apps.get_model("checklists", "InspectionPhoto")),
        ("rectification", apps.get_model("checklists", "RectificationPhoto")),
    ):
        links = model.objects.filter(photo__derivatives_at__isnull=True).order_by("pk")
        for link_id, photo_id in links.values_list("pk", "photo_id").iterator():
            steps = [
                {"task": DERIVATIVES, "args": [photo_id], "kwargs": {}},
                {"task": DUPLICATES, "args": [kind, link_id], "kwargs": {}},
            ]
            messages.append(_message(Message, steps))
            linked.add(photo_id)
    # appeal evidence has no link: its thumbnails only
    bare = Photo.objects.filter(derivatives_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    for photo_id in bare.iterator():
        if photo_id not in linked:
            messages.append(_message(Message, [{"task": DERIVATIVES, "args": [photo_id], "kwargs": {}}]))
    Message.objects.bulk_create(messages, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outbox_messages"),
        ("media", "0002_photo_exif_and_derivatives"),
        ("checklists", "0005_inspection_corrections"),
    ]

    operations = [migrations.RunPython(queue, migrations.RunPython.noop)]
