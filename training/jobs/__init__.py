"""Long work out of requests: a page asks for a job (``job_start``), a task worker runs
it (``tasks.run_job`` → ``services.job_run`` → the kind's work in ``work``), the
person watches its page and downloads what it made; a periodic task
(``tasks.housekeeping``) deletes files past keeping and fails jobs whose worker
stopped. ``periodic`` enqueues the periodic tasks, once per interval whatever the
number of schedulers."""
