from django.urls import path

from . import views

app_name = "expositions"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("tags/", views.tag_index, name="tag_index"),
    # Tag slugs keep Chinese characters (民政), which <slug:> does not accept.
    path("tags/<str:slug>/", views.tag_detail, name="tag_detail"),
    path("units/<slug:slug>/", views.unit_detail, name="unit_detail"),
    path("search/", views.search, name="search"),
]
