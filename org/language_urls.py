"""Django's language switch (``set_language``, at the address Django gives it), which
also keeps a signed-in cadre's choice (org.language)."""

from django.urls import path

from . import views

urlpatterns = [path("setlang/", views.set_language, name="set_language")]
