"""Backup and restore: a clinic's data survives backup, wipe and restore exactly, and an
archive that is altered, hostile, from another schema or unconfirmed changes nothing."""

import datetime
import hashlib
import io
import json
import shutil
import tarfile

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from clinic.backup import DATABASE_NAME, MANIFEST_NAME
from exercises.models import PrecautionTag
from exercises.services import exercise_image_set
from patients.models import (
    ExerciseCheck,
    FunctionActivity,
    FunctionCheckIn,
    FunctionScore,
    Message,
    MessageDigestSent,
    MessageThread,
    Patient,
    PrescribedExercise,
    QuickReply,
    SessionLog,
    SkipReason,
    SymptomReport,
)
from patients.services import message_hide, message_send, thread_read
from tests.exercises.images import picture_upload
from tests.factories import (
    PASSWORD,
    ClinicianFactory,
    EditorFactory,
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    ProgramItemFactory,
    SuperuserFactory,
)

# Sessions are not backed up (a restore signs everyone out); everything else must come back.
NOT_COMPARED = {"sessions.session"}
# Ids that `migrate` assigns on each server: compared by natural key instead.
SCHEMA_MODELS = (ContentType, Permission)


def clinic_data() -> Patient:
    """Staff and a patient with a plan, three weeks' worth of logs with pain and notes,
    function scores, a symptom report, an exercise with an uploaded picture and admin
    history: one of every kind of row a clinic keeps."""
    clinician = ClinicianFactory(username="clinician-a")
    clinician.user_permissions.add(Permission.objects.get(codename="view_safetyadvice"))
    EditorFactory(username="editor")
    SuperuserFactory(username="admin")
    tag = PrecautionTag.objects.create(slug="recent-surgery", name="Recent surgery")
    harder = ExerciseFactory(name="Single-leg bridge", default_hold_seconds=5)
    bridge = ExerciseFactory(name="Bridge", harder=harder)
    bridge.precaution_tags.add(tag)
    exercise_image_set(exercise=bridge, slot="start", source=picture_upload())
    item = ProgramItemFactory(exercise=bridge)
    patient = PatientFactory(
        clinician=clinician,
        first_name="Alice",
        last_name="Ashby",
        notes="Left hip replaced in 2024.",
    )
    patient.precaution_tags.add(tag)
    prescription = PrescriptionFactory(patient=patient, program=item.program, created_by=clinician)
    first = PrescribedExerciseFactory(prescription=prescription, exercise=bridge, notes="Slowly.")
    second = PrescribedExerciseFactory(prescription=prescription, exercise=harder, hold_seconds=5)
    for day, (pain, note) in enumerate(
        [(6, "Stiff in the morning."), (4, ""), (2, "Much easier today.")]
    ):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=prescription.start_date + datetime.timedelta(days=day * 7),
            completed_at=timezone.now(),
            pain=pain,
            effort="too_hard" if pain > 4 else "about_right",
            note=note,
            done_share=0.5,
        )
        ExerciseCheck.objects.create(session_log=log, prescribed_exercise=first)
        ExerciseCheck.objects.create(
            session_log=log,
            prescribed_exercise=second,
            status=ExerciseCheck.Status.SKIPPED,
            skip_reason=SkipReason.TOO_PAINFUL,
        )
    activity = FunctionActivity.objects.create(patient=patient, name="Putting on socks")
    checkin = FunctionCheckIn.objects.create(
        patient=patient, date=prescription.start_date, entered_by=clinician
    )
    FunctionScore.objects.create(checkin=checkin, activity=activity, score=4)
    SymptomReport.objects.create(patient=patient, symptoms="numbness", note="Tingling, left foot.")
    # Their messages: a question about an exercise, an answer, one hidden (the wrong
    # patient's), read on both sides; a quick reply and a digest slot of the clinician's.
    message_send(
        patient=patient,
        sender=patient.user,
        text="Is it normal that the bridge pinches?",
        from_patient=True,
        prescribed=first,
    )
    message_send(patient=patient, sender=clinician, text="A little, at first.", from_patient=False)
    wrong, _ = message_send(
        patient=patient, sender=clinician, text="Meant for someone else.", from_patient=False
    )
    message_hide(message=wrong, by=clinician)
    message_send(patient=patient, sender=patient.user, text="Thanks!", from_patient=True)
    thread_read(patient=patient, by_patient=True)
    QuickReply.objects.create(clinician=clinician, title="Pinching", text="Ease off a little.")
    MessageDigestSent.objects.create(
        clinician=clinician, hour=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC), patients=1
    )
    LogEntry.objects.create(
        user=clinician,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(patient.pk),
        object_repr="Patient",
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Notes"]}}]',
    )
    return patient


def _value(obj, field):
    if field.is_relation and field.related_model in SCHEMA_MODELS:
        related = getattr(obj, field.name)
        return related.natural_key() if related else None
    return getattr(obj, field.attname)


def _key(obj):
    return obj.natural_key() if isinstance(obj, SCHEMA_MODELS) else obj.pk


def database_state() -> dict[str, list[dict]]:
    """Every row of every model, field by field, with many-to-many links."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_COMPARED:
            continue
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {
                field.attname: _value(obj, field)
                for field in model._meta.concrete_fields
                if not (model in SCHEMA_MODELS and field.primary_key)
            }
            for field in model._meta.many_to_many:
                row[field.name] = sorted(
                    _key(related) for related in getattr(obj, field.name).all()
                )
            rows.append(row)
        if model in SCHEMA_MODELS:
            rows.sort(key=repr)
        state[label] = rows
    return state


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def media_files(settings) -> dict[str, bytes]:
    root = settings.MEDIA_ROOT
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def wipe_like_a_fresh_server(settings) -> None:
    """An empty database as `migrate` leaves it (role groups included), and no media."""
    # flush's post_migrate signal re-creates the role groups, as migrate does.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)


def make_backup(tmp_path, capsys=None) -> "tuple[object, str]":
    out = tmp_path / "backups"
    out.mkdir(exist_ok=True)
    call_command("backup", output=out)
    (archive,) = out.iterdir()
    return archive, (capsys.readouterr().out if capsys else "")


def read_members(archive) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def write_members(archive, members: dict[str, bytes], *, links=()) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)


def manifest_of(members) -> dict:
    return json.loads(members[MANIFEST_NAME])


def digest(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


# --- The round trip ---------------------------------------------------------------------------


def test_backup_wipe_restore_gives_back_every_row_and_file(
    role_groups, settings, tmp_path, client, capsys
):
    patient = clinic_data()
    before_counts, before_state = row_counts(), database_state()
    before_media = media_files(settings)
    assert len(before_media) == 3  # the picture, its thumbnail and its phone-sized copy
    archive, _ = make_backup(tmp_path, capsys)

    wipe_like_a_fresh_server(settings)
    assert not Patient.objects.exists()
    call_command("restore", archive, yes=True)
    summary = capsys.readouterr().out

    assert row_counts() == before_counts
    assert database_state() == before_state
    assert media_files(settings) == before_media
    assert summary.startswith(
        f"Restored {sum(manifest_of(read_members(archive))['rows'].values())}"
    )
    assert "Alice" not in summary
    assert patient.email not in summary
    restored = Patient.objects.get(pk=patient.pk)
    assert restored.notes == "Left hip replaced in 2024."
    assert [log.pain for log in SessionLog.objects.order_by("date")] == [6, 4, 2]
    # The thread survives: its messages, who sent them, what they were about, what was read
    # and hidden, and the state the inbox sorts on.
    thread = MessageThread.objects.get(patient=restored)
    assert thread.clinic_unread == 1
    assert thread.waiting_since is not None
    assert thread.last_from_patient
    assert [
        (m.text, m.from_patient, m.sender_id, m.hidden_at is not None, m.read_at is not None)
        for m in Message.objects.filter(patient=restored)
    ] == [
        ("Is it normal that the bridge pinches?", True, patient.user_id, False, True),
        ("A little, at first.", False, restored.clinician_id, False, True),
        ("Meant for someone else.", False, restored.clinician_id, True, False),
        ("Thanks!", True, patient.user_id, False, False),
    ]
    assert Message.objects.get(from_patient=True, prescribed_exercise__isnull=False).exercise_name
    assert QuickReply.objects.get(clinician=restored.clinician).title == "Pinching"
    assert MessageDigestSent.objects.filter(clinician=restored.clinician).exists()
    # Group permissions come back by natural key, whatever ids this server gave them.
    assert restored.clinician.has_perm("patients.change_prescribedexercise")
    assert restored.clinician.has_perm("exercises.view_safetyadvice")
    # The patient signs in with their password, through the real login view.
    response = client.post(reverse("login"), {"username": patient.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.user_id)
    # New rows take fresh ids (PostgreSQL's sequences were moved past the restored rows).
    newest = SessionLog.objects.create(
        prescription=restored.prescriptions.get(), date=datetime.date(2027, 1, 1)
    )
    assert newest.pk > max(row["id"] for row in before_state["patients.sessionlog"])
    assert PatientFactory(clinician=restored.clinician).pk > patient.pk


# --- The archive --------------------------------------------------------------------------------


def test_backup_writes_one_private_archive_with_manifest_and_a_summary_without_names(
    db, settings, tmp_path, capsys
):
    patient = clinic_data()
    archive, summary = make_backup(tmp_path, capsys)

    assert archive.name.startswith("homeplan-backup-")
    assert archive.name.endswith(".tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert list(archive.parent.iterdir()) == [archive]  # no temporary files left behind
    assert f"{archive.stat().st_size} bytes" in summary
    for private in ("Alice", "Ashby", patient.email, "hip replaced"):
        assert private not in summary
    members = read_members(archive)
    manifest = manifest_of(members)
    media = media_files(settings)
    assert set(members) == {MANIFEST_NAME, DATABASE_NAME} | {f"media/{name}" for name in media}
    assert manifest["media"]["files"] == {name: digest(data) for name, data in media.items()}
    assert digest(members[DATABASE_NAME]) == {
        key: manifest["database"][key] for key in ("sha256", "bytes")
    }
    assert manifest["rows"]["patients.sessionlog"] == 3
    assert manifest["rows"]["patients.exercisecheck"] == 6
    applied = MigrationRecorder(connection).applied_migrations()
    assert {tuple(pair) for pair in manifest["migrations"]} == set(applied)


def test_dump_points_at_content_types_and_permissions_by_natural_key(db, tmp_path):
    clinic_data()
    archive, _ = make_backup(tmp_path)

    rows = [json.loads(line) for line in read_members(archive)[DATABASE_NAME].splitlines()]
    models = {row["model"] for row in rows}
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    clinicians = next(row for row in rows if row["fields"].get("name") == "Clinicians")
    assert ["view_patient", "patients", "patient"] in clinicians["fields"]["permissions"]
    (entry,) = (row for row in rows if row["model"] == "admin.logentry")
    assert entry["fields"]["content_type"] == ["patients", "patient"]
    # Microseconds survive (Django's JSON encoder alone would cut them to milliseconds).
    log = SessionLog.objects.order_by("pk").first()
    (dumped,) = (r for r in rows if r["model"] == "patients.sessionlog" and r["pk"] == log.pk)
    assert datetime.datetime.fromisoformat(dumped["fields"]["completed_at"]) == log.completed_at


# --- Refusals: nothing changes ------------------------------------------------------------------


@pytest.fixture
def backed_up(db, settings, tmp_path):
    """Data, its archive, and the state that every refused restore must leave alone."""
    clinic_data()
    archive, _ = make_backup(tmp_path)
    return archive, row_counts(), database_state(), media_files(settings)


def assert_untouched(backed_up, settings):
    _, counts, state, media = backed_up
    assert row_counts() == counts
    assert database_state() == state
    assert media_files(settings) == media


@pytest.mark.parametrize("member", [DATABASE_NAME, "picture"])
def test_restore_refuses_a_tampered_archive_and_changes_nothing(
    backed_up, member, settings, tmp_path
):
    archive = backed_up[0]
    members = read_members(archive)
    if member == "picture":
        member = next(name for name in members if name.startswith("media/"))
    members[member] = members[member].replace(b"Stiff", b"Fine!") + b"\0"
    tampered = tmp_path / "tampered.tar.gz"
    write_members(tampered, members)

    with pytest.raises(CommandError, match=f"Checksum mismatch for {member}"):
        call_command("restore", tampered, yes=True)
    assert_untouched(backed_up, settings)


@pytest.mark.parametrize(
    "hostile",
    ["media/../../escape.txt", "absolute", "media/../database.jsonl", "symlink"],
)
def test_restore_refuses_paths_outside_media_root_and_changes_nothing(
    backed_up, hostile, settings, tmp_path
):
    members = read_members(backed_up[0])
    manifest = manifest_of(members)
    payload = b"written outside MEDIA_ROOT"
    links = ()
    if hostile == "symlink":
        links = [("media/exercises/link.png", "/etc/passwd")]
    else:
        name = str(tmp_path / "escape.txt") if hostile == "absolute" else hostile
        members[name] = payload
        # Listed with the right checksum: only the path rules stand in the way.
        manifest["media"]["files"][name.removeprefix("media/")] = digest(payload)
        members[MANIFEST_NAME] = json.dumps(manifest).encode()
    hostile_archive = tmp_path / "hostile.tar.gz"
    write_members(hostile_archive, members, links=links)

    with pytest.raises(CommandError, match="Refusing the archive"):
        call_command("restore", hostile_archive, yes=True)
    assert not (tmp_path / "escape.txt").exists()
    assert not (settings.MEDIA_ROOT.parent.parent / "escape.txt").exists()
    assert_untouched(backed_up, settings)


@pytest.mark.parametrize("direction", ["backup is newer", "backup is older"])
def test_restore_refuses_an_archive_from_another_schema(backed_up, direction, settings, tmp_path):
    members = read_members(backed_up[0])
    manifest = manifest_of(members)
    if direction == "backup is newer":
        manifest["migrations"].append(["patients", "9999_from_the_future"])
    else:
        manifest["migrations"] = [m for m in manifest["migrations"] if m[0] != "patients"][:-1]
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    other = tmp_path / "other-version.tar.gz"
    write_members(other, members)

    with pytest.raises(CommandError, match=r"schema does not match.*manage.py migrate"):
        call_command("restore", other, yes=True)
    assert_untouched(backed_up, settings)


def test_restore_without_yes_refuses_when_nobody_can_be_asked(backed_up, settings, monkeypatch):
    # Piped input is not a confirmation, even when it says yes.
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))

    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", backed_up[0])
    assert_untouched(backed_up, settings)


def test_restore_asks_at_a_terminal_and_stops_unless_told_yes(backed_up, settings, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", backed_up[0])
    assert_untouched(backed_up, settings)


def test_a_dump_that_fails_to_load_rolls_back_the_wipe(role_groups, settings, tmp_path):
    clinic_data()
    archive, _ = make_backup(tmp_path)
    counts, state, media = row_counts(), database_state(), media_files(settings)
    members = read_members(archive)
    # A consistent archive (checksums match) whose data breaks a database constraint.
    members[DATABASE_NAME] = members[DATABASE_NAME].replace(b'"pain": 6', b'"pain": 11')
    manifest = manifest_of(members)
    manifest["database"].update(digest(members[DATABASE_NAME]))
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    broken = tmp_path / "broken.tar.gz"
    write_members(broken, members)

    with pytest.raises(CommandError, match="could not be loaded"):
        call_command("restore", broken, yes=True)
    assert row_counts() == counts
    assert database_state() == state
    assert media_files(settings) == media


def test_a_patients_clinic_video_is_backed_up_and_restored_to_private_storage(
    role_groups, settings, tmp_path, capsys
):
    patient = clinic_data()
    prescribed = PrescribedExercise.objects.filter(prescription__patient=patient).first()
    prescribed.video.save("video-0123456789ab.mp4", ContentFile(b"mp4 bytes"), save=False)
    prescribed.video_status = "ready"
    prescribed.save()
    name = prescribed.video.name
    archive, _ = make_backup(tmp_path, capsys)
    members = read_members(archive)
    assert members[f"private-media/{name}"] == b"mp4 bytes"
    assert manifest_of(members)["private_media"]["count"] == 1
    assert not any(member == f"media/{name}" for member in members)

    wipe_like_a_fresh_server(settings)
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT)
    call_command("restore", archive, yes=True)

    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes() == b"mp4 bytes"
    assert not (settings.MEDIA_ROOT / name).exists()
