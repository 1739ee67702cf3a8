"""The training catalogue: modules, how long each stays in date, which are mandatory."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import NotFound
from mentoring.models import Need, TrainingModule
from mentoring.services.vetting.records import apply_values, invalid


def _module_errors(
    session: Session,
    *,
    name: str,
    validity_months: int | None,
    unlocks_need_id: int | None,
    module_id: int | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the module's name"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    if validity_months is not None and not 1 <= validity_months <= 120:
        errors["validity_months"] = "Enter a validity from 1 to 120 months, or leave it empty"
    if unlocks_need_id is not None and session.get(Need, unlocks_need_id) is None:
        errors["unlocks_need"] = "Select a need from the list"
    clash = session.exec(
        select(TrainingModule.id).where(
            sa.func.lower(TrainingModule.name) == name.lower(),
            TrainingModule.id != (module_id or -1),
        )
    ).first()
    if clash is not None and "name" not in errors:
        errors["name"] = "A module with this name already exists"
    return errors


def save_module(
    *,
    session: Session,
    name: str,
    validity_months: int | None,
    mandatory: bool,
    unlocks_need_id: int | None,
    active: bool = True,
    module_id: int | None = None,
) -> TrainingModule:
    """Add a training module to the catalogue, or change one."""
    name = name.strip()
    errors = _module_errors(
        session,
        name=name,
        validity_months=validity_months,
        unlocks_need_id=unlocks_need_id,
        module_id=module_id,
    )
    if errors:
        raise invalid(errors)
    values: dict[str, Any] = {
        "name": name,
        "validity_months": validity_months,
        "mandatory": mandatory,
        "unlocks_need_id": unlocks_need_id,
        "active": active,
    }
    with write_transaction(session):
        if module_id is None:
            module = TrainingModule(code=_module_code(session, name), **values)
            changed, action = list(values), "training_module.create"
        else:
            found = session.get(TrainingModule, module_id)
            if found is None:
                raise NotFound("That training module does not exist")
            module = found
            changed, action = apply_values(module, values), "training_module.update"
        session.add(module)
        session.flush()
        audit.record(
            session, action, object_type="training_module", object_id=module.id, fields=changed
        )
    return module


def _module_code(session: Session, name: str) -> str:
    """Return a free code made from the module's name (safeguarding, safeguarding_2...)."""
    base = "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")
    base = "_".join(part for part in base.split("_") if part)[:34] or "module"
    taken = set(session.exec(select(TrainingModule.code)).all())
    code, n = base, 2
    while code in taken:
        code = f"{base}_{n}"
        n += 1
    return code
