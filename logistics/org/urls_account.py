"""/accounts/...: our login and two-factor pages (Django's auth urls provide the rest)."""

from django.urls import path

from . import views_account

urlpatterns = [
    path("login/", views_account.LoginView.as_view(), name="login"),
    path("profile/", views_account.ProfileView.as_view(), name="profile"),
    path("2fa/verify/", views_account.TwoFactorVerifyView.as_view(), name="twofactor_verify"),
    path("2fa/setup/", views_account.TwoFactorSetupView.as_view(), name="twofactor_setup"),
    path("2fa/backup-codes/", views_account.BackupCodesView.as_view(), name="twofactor_backup_codes"),
    path("2fa/disable/", views_account.TwoFactorDisableView.as_view(), name="twofactor_disable"),
]
