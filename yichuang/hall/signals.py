"""Admin edits that change what the hall memo remembers (halls, windows, their categories, categories,
tidal rules) forget it; status changes of windows and finished services forget it in the services."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from yichuang.hall import memo
from yichuang.hall.models import Hall, ServiceCategory, TidalRule, Window


@receiver([post_save, post_delete], sender=Window)
def _window_changed(sender: Any, instance: Window, **kwargs: Any) -> None:
    memo.forget(instance.hall_id)


@receiver([post_save, post_delete], sender=ServiceCategory)
def _category_changed(sender: Any, instance: ServiceCategory, **kwargs: Any) -> None:
    memo.forget(instance.hall_id)
    memo.forget(memo.DIRECTORY)


@receiver([post_save, post_delete], sender=Hall)
def _hall_changed(sender: Any, instance: Hall, **kwargs: Any) -> None:
    memo.forget(instance.pk)
    memo.forget(memo.DIRECTORY)


@receiver(m2m_changed, sender=Window.categories.through)
def _window_categories_changed(sender: Any, instance: Window | ServiceCategory, **kwargs: Any) -> None:
    memo.forget(instance.hall_id)  # from either side: a window and its categories are of one hall


@receiver([post_save, post_delete], sender=TidalRule)
def _rule_changed(sender: Any, instance: TidalRule, **kwargs: Any) -> None:
    hall_id = (
        ServiceCategory.objects.filter(pk=instance.category_id).values_list("hall_id", flat=True).first()
    )
    if hall_id is not None:
        memo.forget(hall_id)
