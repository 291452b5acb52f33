from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Question bank and practice"

    def ready(self):
        from quizzes.editors import ensure_editors_group

        # After auth's own post_migrate handler has created the permissions.
        post_migrate.connect(ensure_editors_group, sender=self)
