"""Alembic's environment for the catalogue: run on the connection Vigie
passes (storage.engine.migrate), or offline to print the SQL for a DBA."""

from alembic import context

from storage.schema import metadata

connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # SQLite alters a table by copying it (batch mode); PostgreSQL alters in place.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
