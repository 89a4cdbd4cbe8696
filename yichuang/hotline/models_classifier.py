"""Trained text classifiers (派单分类模型): each training run is kept as a version with what it learnt from,
how well it did on the messages it did not learn from, and the model itself (serialised, in the database so
every process and every server reads the same one). One version is active: the one ``classifier.suggest``
uses. Older versions stay, so the hotline office can compare them and go back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["ClassifierSource", "TrainedClassifier"]


class ClassifierSource(models.TextChoices):
    FILE = "file", _("标注留言文件")
    TICKETS = "tickets", _("本平台已办结工单")


class TrainedClassifier(models.Model):
    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("训练时间"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("训练人"),
    )
    source = models.CharField(_("训练数据来源"), max_length=10, choices=ClassifierSource.choices)
    source_label = models.CharField(_("数据说明"), max_length=200, blank=True)
    algorithm = models.CharField(_("算法"), max_length=200)
    label_level = models.PositiveSmallIntegerField(_("分类层级上限"), default=1)
    training_size = models.PositiveIntegerField(_("训练样本数"))
    holdout_size = models.PositiveIntegerField(_("留出检验样本数"))
    accuracy = models.FloatField(_("检验准确率（首选）"), null=True, blank=True)
    top3_accuracy = models.FloatField(_("检验准确率（前三）"), null=True, blank=True)
    training_seconds = models.FloatField(_("训练用时（秒）"), default=0)
    classes = models.JSONField(_("类别及样本数"), default=dict)
    dropped = models.JSONField(_("样本过少未参与训练的类别"), default=dict, blank=True)
    model = models.BinaryField(_("模型"))
    model_bytes = models.PositiveIntegerField(_("模型大小（字节）"), default=0)
    is_active = models.BooleanField(_("在用"), default=False)

    class Meta:
        verbose_name = _("派单分类模型")
        verbose_name_plural = _("派单分类模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="hotline_classifier_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
