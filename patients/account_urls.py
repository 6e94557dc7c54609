"""The patient's account pages under /accounts/ (beside Django's own sign-in pages):
accepting an invitation and the emailed sign-in links. clinic/urls.py includes this module by
name, so the project's wiring imports nothing of the patients app."""

from django.urls import path

from patients import views

urlpatterns = [
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("sign-in-link/", views.sign_in_link_request, name="sign_in_link"),
    path("sign-in/<str:token>/", views.sign_in_link_use, name="sign_in_link_use"),
]
