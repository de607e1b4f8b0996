from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self):
        # Sign-in, sign-in failure and sign-out happen inside Django's own auth views: a signal
        # receiver is the one way to record them (see audit.services).
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from core.signals import permission_denied

        from . import services

        user_logged_in.connect(services.audit_signed_in, dispatch_uid="audit.signed_in")
        user_login_failed.connect(services.audit_sign_in_failed, dispatch_uid="audit.sign_in_failed")
        user_logged_out.connect(services.audit_signed_out, dispatch_uid="audit.signed_out")
        # A 403 of the bottom layer's API exception handler (core.api.errors), which imports no app.
        permission_denied.connect(services.audit_permission_denied_received, dispatch_uid="audit.denied")
