"""Django's task framework (DEP 14), imported from one place.

Django 6 has it built in as ``django.tasks``; on Django 5.2 the portal uses its
backport, ``django_tasks``, with the same names and behaviour. Every task and every
caller imports from here, so moving to Django 6 changes this file only (and drops
``django_tasks`` from INSTALLED_APPS). The backend (``django_tasks_db``, settings.TASKS)
keeps tasks in the portal's own database: no broker, and a task is enqueued in the
transaction of the change that asks for it.
"""

try:  # Django 6
    from django.tasks import TaskResultStatus, default_task_backend, task, task_backends
    from django.tasks.exceptions import TaskResultDoesNotExist
except ImportError:  # Django 5.2: the backport
    from django_tasks import TaskResultStatus, default_task_backend, task, task_backends
    from django_tasks.exceptions import TaskResultDoesNotExist

__all__ = [
    "TaskResultDoesNotExist",
    "TaskResultStatus",
    "default_task_backend",
    "task",
    "task_backends",
]
