"""Check that a backup restores: `make restore-check` (or python scripts/restore_check.py).

Dumps DATABASE_URL with pg_dump (or takes --dump FILE, a `pg_dump -Fc` file), restores it
into a scratch database next to it, and checks the copy: migrations at head, and every
table's row count equal to the source's (when the source is given). Prints what it found;
exits 1 if anything differs, 2 on bad input. The scratch database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentoring.migrate import alembic_config  # noqa: E402


def _libpq(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _counts(url: sa.URL) -> dict[str, int]:
    engine = sa.create_engine(url.set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        counts = {
            t: int(conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() or 0)
            for t in sorted(tables)
        }
    engine.dispose()
    return counts


def _version(url: sa.URL) -> str | None:
    engine = sa.create_engine(url.set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return str(version) if version else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--dump", help="a pg_dump -Fc file to restore instead of dumping")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        print(
            "error: set DATABASE_URL (or --database-url) to a PostgreSQL database", file=sys.stderr
        )
        return 2
    source = sa.make_url(args.database_url)
    scratch = source.set(database=f"{source.database}_restore_check")
    admin = sa.create_engine(
        source.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(args.dump) if args.dump else Path(tmp) / "backup.dump"
        if not args.dump:
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source)],
                check=True,
            )
        if not dump.is_file():
            print(f"error: no dump file at {dump}", file=sys.stderr)
            return 2
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
        try:
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={_libpq(scratch)}",
                    str(dump),
                ],
                check=True,
            )
            head = ScriptDirectory.from_config(alembic_config(args.database_url)).get_current_head()
            version = _version(scratch)
            restored = _counts(scratch)
            problems = [] if version == head else [f"migrations at {version}, head is {head}"]
            if not args.dump:
                original = _counts(source)
                problems += [
                    f"{t}: {original.get(t)} rows in the source, {restored.get(t)} restored"
                    for t in sorted(set(original) | set(restored))
                    if original.get(t) != restored.get(t)
                ]
            print(f"restored {dump.name} into {scratch.database}: migrations at {version}")
            for table, count in restored.items():
                print(f"  {table:32} {count:>10,}")
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
            admin.dispose()
    if problems:
        for line in problems:
            print(f"problem: {line}", file=sys.stderr)
        return 1
    print("restore check passed: migrations at head, every table's rows restored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
