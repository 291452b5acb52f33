"""The "Editors" group: staff who curate the question bank and nothing else."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "topic": ["view", "add", "change", "delete"],
    "question": ["view", "add", "change", "delete"],
    "keypoint": ["view", "add", "change", "delete"],
    "followup": ["view", "add", "change", "delete"],
    "report": ["view", "change"],
}


def ensure_editors_group(**kwargs) -> Group:
    """Create the group and give it exactly EDITOR_PERMISSIONS.

    Runs after every `migrate` (and after a test database flush), so the group
    and its permissions always match this file.
    """
    group, _ = Group.objects.get_or_create(name=EDITORS)
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
    )
    return group
