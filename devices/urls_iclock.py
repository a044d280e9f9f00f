"""ADMS endpoints, mounted at the root as ``path("iclock/", include("devices.urls_iclock"))``.

No trailing slashes: that is how terminals call them. The ``.aspx`` forms are what older firmware
calls.
"""

from django.urls import path

from . import views_iclock as views

app_name = "iclock"

urlpatterns = [
    path("cdata", views.CdataView.as_view(), name="cdata"),
    path("cdata.aspx", views.CdataView.as_view()),
    path("getrequest", views.GetRequestView.as_view(), name="getrequest"),
    path("getrequest.aspx", views.GetRequestView.as_view()),
    path("devicecmd", views.DeviceCmdView.as_view(), name="devicecmd"),
    path("devicecmd.aspx", views.DeviceCmdView.as_view()),
    path("ping", views.PingView.as_view(), name="ping"),
]
