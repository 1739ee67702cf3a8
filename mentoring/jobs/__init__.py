"""Background jobs: long work never holds a web request.

A job is a row (`BackgroundJob`) with a kind, identifiers as parameters, and progress.
`start` saves it and hands its id to a backend: RQ on Redis when ``REDIS_URL`` is set
(run by `flask --app mentoring worker`), else a thread of this process, so `make run`
needs nothing. Either way `runner.run` does the work, the same code path. Each kind is a
function registered with `@job(kind)` in `tasks`; it reports progress through its
`JobContext` and returns a small result (for example the matching run's id).

A job that fails shows a clear message; the work it was doing is in one transaction, so
nothing is half-saved, and it can be started again. A job whose worker died (no progress
for ``WORKER_STALE_MINUTES``) is marked failed when anyone looks at it.
"""
