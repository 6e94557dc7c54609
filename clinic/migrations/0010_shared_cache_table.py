"""The table of the cache that every worker and server shares in production when no Redis is
configured (settings: CACHES). Made here rather than by `createcachetable`, so that a deploy
needs no step of its own, whatever the settings of the process that migrates."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "homeplan_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0009_user_names_are_one_line")]

    operations = [migrations.RunPython(create, drop)]
