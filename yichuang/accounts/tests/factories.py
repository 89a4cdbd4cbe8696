"""Factories for tests: departments (tree nodes), users of every role, applicants."""

from __future__ import annotations

import itertools
from typing import Any

import factory
from stdnum.cn import ric, uscc

from yichuang.accounts.demo import organisation_code
from yichuang.accounts.models import Applicant, ApplicantKind, Department, DepartmentKind, User
from yichuang.accounts.roles import Role

_serial = itertools.count(1)


def valid_credit_code(prefix: str = "11", division: str = "150824") -> str:
    first17 = prefix + division + organisation_code(f"8{next(_serial):07d}")
    return first17 + uscc.calc_check_digit(first17)


def valid_id_number(division: str = "150824", birth: str = "19900307") -> str:
    body = f"{division}{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = DepartmentKind.AGENCY
    division_code = "150824"
    credit_code = factory.LazyFunction(valid_credit_code)

    @classmethod
    def _create(cls, model_class: type[Department], *args: Any, **kwargs: Any) -> Department:
        parent = kwargs.pop("parent", None)
        node = model_class(**kwargs)
        if parent is None:
            return model_class.objects.add_root(instance=node)
        return model_class.objects.add_child(parent, instance=node)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    role = Role.CLERK
    department = factory.SubFactory(DepartmentFactory)
    phone = "13812345678"
    password = factory.PostGenerationMethodCall("set_password", "pass-word-2026")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    kind = ApplicantKind.NATURAL
    name = factory.Sequence(lambda n: f"申请人{n}")
    id_number = factory.LazyFunction(valid_id_number)
    phone = "13912345678"


def department_payload(parent: Department, *, parent_key: str = "parent_id", **overrides: Any) -> dict:
    """The body of a new-department request (API uses ``parent_id``, the screen ``parent``)."""
    body = {
        parent_key: parent.pk,
        "name": "乌拉特中旗林业和草原局",
        "kind": "agency",
        "division_code": "150824",
        "credit_code": valid_credit_code(),
    }
    return {**body, **overrides}
