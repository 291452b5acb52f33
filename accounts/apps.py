"""The accounts app: connects the log-in and log-out receivers when Django starts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and scores"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts import receivers

        user_logged_in.connect(receivers.remember_session, dispatch_uid="accounts.remember")
        user_logged_out.connect(receivers.forget_session, dispatch_uid="accounts.forget")
