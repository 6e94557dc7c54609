"""Backup and restore: one archive with the database, every media file and a manifest.

The archive is a gzipped tar holding ``database.jsonl`` (Django's JSON-lines serialization,
portable between SQLite and PostgreSQL), ``media/<name>`` for every file in the default
storage, ``private-media/<name>`` for every private file (patients' clinic videos, under
``PRIVATE_MEDIA_ROOT``), and ``manifest.json`` (format, Homeplan version, applied
migrations, rows per model, SHA-256 and size of every member). It holds health data: written
0600, never logged.

Restoring checks the whole archive against its manifest and the migrations against the
database before it changes anything, then replaces every row and writes the media files in
one transaction. docs/backup.md is the operator's guide.
"""

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
import tomllib
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from clinic.storage import private_storage

FORMAT = "homeplan-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_NAME = "database.jsonl"
MEDIA_PREFIX = "media/"
# Patients' clinic videos (clinic/storage.py): in the archive beside the public media, and
# restored to PRIVATE_MEDIA_ROOT, never to MEDIA_ROOT.
PRIVATE_PREFIX = "private-media/"
# Not in the dump. Content types and permissions are rebuilt by `migrate` on the target and
# the dump points at them by natural key (so group permissions survive different ids).
# Sessions would only log people back into a server they may no longer trust; the task queue
# is work in flight, and replaying it after a restore could send reminders twice.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "django_tasks_database")
# Restore keeps these tables as `migrate` left them on this server, for the same reason.
KEPT_ON_RESTORE = (ContentType, Permission)
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be written, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: int
    files: int
    bytes: int  # the archive's size on disk


@dataclass(frozen=True)
class RestoreSummary:
    rows: int
    files: int
    bytes: int  # media bytes written


class _PreciseJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds (for JavaScript); a backup must give
    back the exact values, or restored rows would differ from the ones backed up."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _HashingReader:
    """A file wrapper that hashes and counts what is read through it, so each file is
    read once, in chunks, whatever its size."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def homeplan_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    """The (app, migration) pairs applied to the database, sorted: the schema's identity."""
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- Backup ----------------------------------------------------------------------------------


def backup_create(*, output: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write the archive to ``output`` (a file, or a directory for the default name; the
    current directory by default) atomically and readable by its owner only."""
    created = timezone.now()
    target = _target_path(output, created)
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    # The dump is health data in clear: it lives in a private directory next to the archive
    # (the operator chose that disk for backups) and goes as soon as it is archived.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".homeplan-backup-") as work:
        dump = Path(work) / DATABASE_NAME
        with _snapshot(using):
            migrations = applied_migrations(using)
            rows = _dump_database(dump, using)
        dump_entry = _file_digest(dump)
        descriptor, partial = tempfile.mkstemp(
            dir=target.parent, prefix=".homeplan-backup-", suffix=".partial"
        )
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(
                    name=target.name, fileobj=raw, mode="w:gz", compresslevel=6
                ) as tar:
                    mtime = created.timestamp()
                    with open(dump, "rb") as file:
                        _add_member(tar, DATABASE_NAME, file, dump_entry["bytes"], mtime)
                    media = _add_media(tar, default_storage, mtime)
                    private = _add_media(tar, private_storage(), mtime, PRIVATE_PREFIX)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "homeplan_version": homeplan_version(),
                        "created_at": created.isoformat(),
                        "database": {"vendor": connections[using].vendor, **dump_entry},
                        "migrations": migrations,
                        "excluded": list(EXCLUDED),
                        "rows": dict(sorted(rows.items())),
                        "media": {
                            "count": len(media),
                            "bytes": sum(entry["bytes"] for entry in media.values()),
                            "files": media,
                        },
                        "private_media": {
                            "count": len(private),
                            "bytes": sum(entry["bytes"] for entry in private.values()),
                            "files": private,
                        },
                    }
                    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    _add_bytes(tar, MANIFEST_NAME, data, mtime)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    _fsync_directory(target.parent)
    return BackupSummary(
        path=target,
        rows=sum(rows.values()),
        files=len(media) + len(private),
        bytes=target.stat().st_size,
    )


def _target_path(output: Path | None, created: datetime.datetime) -> Path:
    name = f"homeplan-backup-{created.astimezone(datetime.UTC):%Y%m%d-%H%M%S}.tar.gz"
    if output is None:
        return Path.cwd() / name
    output = Path(output)
    return output / name if output.is_dir() else output


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One consistent view of the database for the whole dump, without stopping the app."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Inside a caller's transaction (as in tests), which already is one view.
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred transaction: in WAL mode it reads one snapshot and never blocks writers,
        # whereas atomic() would BEGIN IMMEDIATE (settings) and hold the write lock throughout.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic(using=using):
            yield


def _dumped_models(using: str) -> list:
    """The models dumpdata would dump (all apps but EXCLUDED), in dependency order."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {apps.get_model(label) for label in EXCLUDED if "." in label}
    app_list = [
        (config, None) for config in apps.get_app_configs() if config.label not in excluded_apps
    ]
    return [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if model not in excluded_models
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]


def _dump_database(path: Path, using: str) -> Counter:
    """What ``dumpdata --natural-foreign --format jsonl`` writes, with exact datetimes;
    returns the rows written per model."""
    rows: Counter = Counter()

    def objects():
        for model in _dumped_models(using):
            label = model._meta.label_lower
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            for obj in queryset.iterator(chunk_size=2000):
                rows[label] += 1
                yield obj

    with open(path, "w", encoding="utf-8") as stream:
        serializers.serialize(
            "jsonl",
            objects(),
            stream=stream,
            use_natural_foreign_keys=True,
            cls=_PreciseJSONEncoder,
        )
    return rows


def _file_digest(path: Path) -> dict[str, Any]:
    with open(path, "rb") as file:
        reader = _HashingReader(file)
        while reader.read(CHUNK_BYTES):
            pass
    return {"sha256": reader.sha256.hexdigest(), "bytes": reader.size}


def _media_names(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(directories):
        yield from _media_names(storage, f"{directory}/{name}" if directory else name)


def _add_media(
    tar: tarfile.TarFile, storage: Storage, mtime: float, prefix: str = MEDIA_PREFIX
) -> dict[str, dict]:
    entries = {}
    for name in _media_names(storage):
        size = storage.size(name)
        with storage.open(name, "rb") as file:
            reader = _HashingReader(file)
            _add_member(tar, prefix + name, reader, size, mtime)
        if reader.size != size:
            raise BackupError(f"The media file {name} changed while it was being backed up.")
        entries[name] = {"sha256": reader.sha256.hexdigest(), "bytes": size}
    return entries


def _add_member(tar: tarfile.TarFile, name: str, file, size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = mtime
    tar.addfile(info, file)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    _add_member(tar, name, io.BytesIO(data), len(data), mtime)


def _fsync_directory(path: Path) -> None:
    """Make the rename itself durable, so a crash cannot leave the old directory entry."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- Verify ----------------------------------------------------------------------------------


def backup_verify(path: Path) -> dict[str, Any]:
    """Check every member of the archive against the manifest and return the manifest.

    Reads the whole archive once and changes nothing. Refuses links, devices, absolute
    paths and ``..`` anywhere, members the manifest does not list, and checksum mismatches.
    """
    digests: dict[str, dict[str, Any]] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = _checked_member_name(member)
                if name in digests or (name == MANIFEST_NAME and manifest is not None):
                    raise BackupError(f"Refusing the archive: {name!r} appears twice.")
                if name == MANIFEST_NAME:
                    manifest = _read_manifest(tar, member)
                else:
                    digests[name] = _member_digest(tar, member)
    except FileNotFoundError as exc:
        raise BackupError(f"There is no file {path}.") from exc
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a readable Homeplan backup ({exc}).") from exc
    if manifest is None:
        raise BackupError(f"{path} has no {MANIFEST_NAME}: it is not a Homeplan backup.")
    expected = _expected_members(manifest)
    _check_manifest_rows(manifest)
    missing = sorted(set(expected) - set(digests))
    unexpected = sorted(set(digests) - set(expected))
    if missing or unexpected:
        raise BackupError(
            "The archive does not match its manifest "
            f"({len(missing)} listed files missing, {len(unexpected)} unlisted files): "
            "it is damaged or was altered. Nothing was changed."
        )
    for name, entry in expected.items():
        if digests[name] != entry:
            raise BackupError(
                f"Checksum mismatch for {name}: the archive is damaged or was altered. "
                "Nothing was changed."
            )
    return manifest


def _checked_member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    if not member.isfile():
        raise BackupError(f"Refusing the archive: {name!r} is not a regular file.")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or str(path) != name or "\\" in name:
        raise BackupError(f"Refusing the archive: unsafe path {name!r}.")
    if name in (MANIFEST_NAME, DATABASE_NAME):
        return name
    prefix, root = next(
        (
            (prefix, root)
            for prefix, root in (
                (MEDIA_PREFIX, settings.MEDIA_ROOT),
                (PRIVATE_PREFIX, settings.PRIVATE_MEDIA_ROOT),
            )
            if name.startswith(prefix) and name != prefix
        ),
        (None, None),
    )
    if prefix is None:
        raise BackupError(f"Refusing the archive: unexpected member {name!r}.")
    # The standard library's own rules for extracting untrusted archives, applied to the
    # place the file would land: inside MEDIA_ROOT (or PRIVATE_MEDIA_ROOT), a plain file, no
    # odd permission bits.
    try:
        tarfile.data_filter(member.replace(name=name[len(prefix) :]), root)
    except tarfile.FilterError as exc:
        raise BackupError(f"Refusing the archive: unsafe member {name!r} ({exc}).") from exc
    return name


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any]:
    if member.size > MANIFEST_MAX_BYTES:
        raise BackupError("Refusing the archive: its manifest is implausibly large.")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except ValueError as exc:
        raise BackupError("The archive's manifest is not valid JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This archive is not a Homeplan backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this Homeplan "
            f"reads version {FORMAT_VERSION}. Restore it with the Homeplan version that made it."
        )
    return manifest


def _member_digest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any]:
    reader = _HashingReader(tar.extractfile(member))
    while reader.read(CHUNK_BYTES):
        pass
    return {"sha256": reader.sha256.hexdigest(), "bytes": reader.size}


def _expected_members(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        database = manifest["database"]
        expected = {DATABASE_NAME: {"sha256": database["sha256"], "bytes": database["bytes"]}}
        for name, entry in manifest["media"]["files"].items():
            expected[MEDIA_PREFIX + name] = {"sha256": entry["sha256"], "bytes": entry["bytes"]}
        # Archives made before clinic videos have no private media.
        for name, entry in manifest.get("private_media", {"files": {}})["files"].items():
            expected[PRIVATE_PREFIX + name] = {"sha256": entry["sha256"], "bytes": entry["bytes"]}
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError("The archive's manifest is incomplete.") from exc
    return expected


def _check_manifest_rows(manifest: dict[str, Any]) -> None:
    rows = manifest.get("rows")
    if not isinstance(rows, dict) or not all(
        isinstance(count, int) and count >= 0 for count in rows.values()
    ):
        raise BackupError("The archive's manifest is incomplete.")
    for label in rows:
        try:
            apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise BackupError(
                f"The backup has rows of {label}, which this Homeplan does not know."
            ) from exc


def migrations_check(manifest: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse unless the database has exactly the migrations the backup was made with: the
    dump fits that schema and no other."""
    archived = {tuple(pair) for pair in manifest.get("migrations", [])}
    current = {tuple(pair) for pair in applied_migrations(using)}
    if archived == current:
        return
    behind = sorted(archived - current)
    ahead = sorted(current - archived)
    details = []
    if behind:
        details.append(f"{len(behind)} in the backup not applied here (first: {_dotted(behind)})")
    if ahead:
        details.append(f"{len(ahead)} applied here not in the backup (first: {_dotted(ahead)})")
    raise BackupError(
        "The database schema does not match the backup's: "
        + "; ".join(details)
        + f". Install the Homeplan version that made the backup "
        f"({manifest.get('homeplan_version', 'unknown')}), run `python manage.py migrate`, "
        "then restore again. Nothing was changed."
    )


def _dotted(pairs: list[tuple]) -> str:
    return ".".join(pairs[0])


# --- Restore ---------------------------------------------------------------------------------


def backup_restore(
    *, path: Path, manifest: dict[str, Any], using: str = DEFAULT_DB_ALIAS
) -> RestoreSummary:
    """Replace every row and write every media file from a verified archive.

    Call ``backup_verify`` and ``migrations_check`` first. The wipe, the load and the media
    writes share one transaction: any failure leaves the database as it was (media files
    already written stay; they are the backup's own copies). Sessions end: everyone signs in
    again.
    """
    connection = connections[using]
    expected = _expected_members(manifest)
    rows = manifest.get("rows", {})
    with (
        tempfile.TemporaryDirectory(prefix="homeplan-restore-") as work,
        tarfile.open(path, "r:gz") as tar,
    ):
        members = tar.getmembers()
        dump = _extract_dump(tar, members, Path(work), expected[DATABASE_NAME])
        try:
            with transaction.atomic(using=using):
                _wipe(connection)
                if sum(rows.values()):
                    _load(dump, using)
                _reset_sequences(connection)
                _check_rows(rows, using)
                files, size = _restore_media(tar, members, expected, default_storage)
                more, more_size = _restore_media(
                    tar, members, expected, private_storage(), PRIVATE_PREFIX
                )
        finally:
            # The wipe and a rollback can both leave cached content type ids stale.
            ContentType.objects.clear_cache()
    return RestoreSummary(rows=sum(rows.values()), files=files + more, bytes=size + more_size)


def _extract_dump(
    tar: tarfile.TarFile, members: list[tarfile.TarInfo], work: Path, expected: dict
) -> Path:
    member = next(member for member in members if member.name == DATABASE_NAME)
    tar.extract(member, work, filter="data")
    dump = work / DATABASE_NAME
    # Checked again: the archive could have been replaced since it was verified.
    if _file_digest(dump) != expected:
        raise BackupError("The archive changed since it was verified. Nothing was changed.")
    return dump


# Rows inserted per statement on restore: one INSERT per row (what loaddata does) restores
# about a thousand rows a second, so a clinic's years of logs would take hours.
RESTORE_BATCH = 1000


def _load(dump: Path, using: str) -> None:
    connection = connections[using]
    try:
        with open(dump, encoding="utf-8") as stream, connection.constraint_checks_disabled():
            tables = _bulk_insert(
                serializers.deserialize(
                    "jsonl", stream, using=using, handle_forward_references=True
                ),
                using,
            )
        # As loaddata does: every foreign key checked once, after all rows are in.
        connection.check_constraints(table_names=sorted(tables))
    except (DatabaseError, DeserializationError, ObjectDoesNotExist, ValueError) as exc:
        # Only the kind of error: the database's own message can quote a row (health data).
        raise BackupError(
            f"The backup's data could not be loaded ({type(exc).__name__}); "
            "the database was left as it was."
        ) from exc


def _bulk_insert(deserialized, using: str) -> set[str]:
    """Insert the dump's rows in batches of one model at a time (the dump is grouped by
    model), then the many-to-many links and any forward references; returns the tables
    written. Signals are not sent, as with loaddata's raw saves."""
    tables: set[str] = set()
    batch: list = []
    linked, deferred = [], []

    def flush() -> None:
        if batch:
            model = type(batch[0])
            fields = model._meta.local_concrete_fields
            size = connections[using].ops.bulk_batch_size(fields, batch) or len(batch)
            for start in range(0, len(batch), size):
                # A raw insert, as loaddata's raw saves: values exactly as dumped (bulk_create
                # would stamp auto_now fields such as updated_at with the restore's time).
                model._base_manager.using(using)._insert(
                    batch[start : start + size], fields=fields, using=using, raw=True
                )
            tables.add(model._meta.db_table)
            batch.clear()

    for item in deserialized:
        if batch and (type(item.object) is not type(batch[0]) or len(batch) >= RESTORE_BATCH):
            flush()
        batch.append(item.object)
        if item.m2m_data:
            linked.append(item)
        if item.deferred_fields:
            deferred.append(item)
    flush()
    for item in linked:
        for name, values in item.m2m_data.items():
            field = item.object._meta.get_field(name)
            getattr(item.object, name).set(values)
            tables.add(field.remote_field.through._meta.db_table)
    for item in deferred:
        item.save_deferred_fields(using=using)
    return tables


def _wipe(connection) -> None:
    """Empty every table except the ones `migrate` keeps for this server's schema."""
    kept = {model._meta.db_table for model in KEPT_ON_RESTORE}
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in kept
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)


def _reset_sequences(connection) -> None:
    """Point PostgreSQL's id sequences past the loaded rows, so new rows do not collide
    (no statements on SQLite, which tracks this itself)."""
    models = list(apps.get_models(include_auto_created=True))
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _check_rows(rows: dict[str, int], using: str) -> None:
    for label, count in rows.items():
        found = apps.get_model(label)._base_manager.using(using).count()
        if found != count:
            raise BackupError(
                f"Loaded {found} rows of {label} where the backup has {count}; "
                "the database was left as it was."
            )


def _restore_media(
    tar: tarfile.TarFile,
    members: list[tarfile.TarInfo],
    expected: dict[str, dict],
    storage: Storage,
    prefix: str = MEDIA_PREFIX,
) -> tuple[int, int]:
    files = size = 0
    for member in members:
        if not member.name.startswith(prefix):
            continue
        name = member.name[len(prefix) :]
        if storage.exists(name):
            storage.delete(name)
        reader = _HashingReader(tar.extractfile(member))
        saved = storage.save(name, File(reader, name=name))
        written = {"sha256": reader.sha256.hexdigest(), "bytes": reader.size}
        if saved != name or written != expected[member.name]:
            storage.delete(saved)
            raise BackupError(
                f"Could not restore {member.name} intact; the database was left as it was."
            )
        files += 1
        size += reader.size
    return files, size
