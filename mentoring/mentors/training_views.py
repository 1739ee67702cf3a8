"""Provider pages: the training catalogue, and keeping checks and training in date."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from mentoring.forms import choice_list
from mentoring.mentors import bp
from mentoring.mentors.forms import ModuleForm
from mentoring.mentors.helpers import STAFF, db, submit
from mentoring.models import service_today
from mentoring.numbers import parse_id
from mentoring.read.mentors import (
    ModuleRow,
    keeping_in_date_page,
    module_row,
    modules_page,
    need_choices_by_id,
)
from mentoring.security import roles_allowed
from mentoring.services import vetting

WITHIN_DAYS = {"30": 30, "60": 60, "90": 90}


@bp.route("/keeping-in-date")
@roles_allowed(*STAFF)
def keeping_in_date() -> ResponseReturnValue:
    """Checks and training that expire soon or have expired."""
    days = WITHIN_DAYS.get(request.args.get("within", "60"), 60)
    page = keeping_in_date_page(session=db(), on=service_today(), days=days)
    return render_template(
        "mentors/keeping_in_date.html",
        items=page.items,
        days=page.days,
        districts=page.districts,
        expired=page.expired,
    )


@bp.route("/training-modules")
@roles_allowed(*STAFF)
def modules() -> ResponseReturnValue:
    """The training catalogue."""
    page = modules_page(session=db())
    return render_template("mentors/modules.html", modules=page.modules, needs=page.needs)


def _module_form(module: ModuleRow | None) -> ModuleForm:
    form = ModuleForm()
    if module is not None and request.method == "GET":
        form.name.data = module.name
        form.validity_months.data = module.validity_months
        form.mandatory.data = "yes" if module.mandatory else "no"
        form.active.data = "yes" if module.active else "no"
        form.unlocks_need.data = str(module.unlocks_need_id or "")
    form.unlocks_need.choices = choice_list(
        [("", "Nothing: a general module"), *need_choices_by_id(session=db())]
    )
    return form


@bp.route("/training-modules/new", methods=["GET", "POST"])
@bp.route("/training-modules/<int:module_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def module(module_id: int | None = None) -> ResponseReturnValue:
    """Add a training module, or change one."""
    existing = module_row(session=db(), module_id=module_id) if module_id else None
    form = _module_form(existing)
    done = submit(
        form,
        lambda: vetting.save_module(
            session=db(),
            name=form.name.data or "",
            validity_months=form.validity_months.data,
            mandatory=form.mandatory.data == "yes",
            unlocks_need_id=parse_id(form.unlocks_need.data),
            active=form.active.data == "yes",
            module_id=module_id,
        ),
        fallback="name",
        message=f"Training module saved: {(form.name.data or '').strip()}.",
        to=url_for("mentors.modules"),
    )
    return done or render_template("mentors/module_form.html", form=form, module=existing)
