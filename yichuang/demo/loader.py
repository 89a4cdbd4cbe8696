"""Loads the whole demo centre, app by app in dependency order; each step is idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yichuang.accounts.demo import load_demo
from yichuang.accounts.models import User
from yichuang.bundles.demo import load_demo_bundles
from yichuang.cases.demo import load_demo_cases
from yichuang.catalog.demo import load_demo_catalog
from yichuang.catalog.importing import catalog_import_start
from yichuang.catalog.models import CatalogImport, ImportStatus
from yichuang.core.shared_data import REAL_CATALOGUE, shared_data_file
from yichuang.hall.demo import load_demo_hall
from yichuang.hotline.demo import load_demo_hotline
from yichuang.licences.demo import (
    demo_applicant_fits,
    demo_case_result,
    load_demo_holdings,
    load_demo_licences,
)
from yichuang.ratings.demo import load_demo_ratings
from yichuang.supervision.demo import load_demo_supervision


def real_catalogue_path() -> Path | None:
    """The real item catalogue of ../shared/data (not shipped with the product; see its README)."""
    return shared_data_file(*REAL_CATALOGUE)


def load_real_catalogue(*, admin: User, path: Path | None = None) -> CatalogImport | None:
    """Import the real catalogue once; None when the file is not on this machine."""
    path = path or real_catalogue_path()
    if path is None or not path.is_file():
        return None
    done = CatalogImport.objects.filter(file_name=path.name, status=ImportStatus.SUCCEEDED).first()
    if done is not None:
        return done
    return catalog_import_start(actor=admin, file_name=path.name, content=path.read_bytes(), background=False)


def load_everything(*, real_catalogue: bool = True, out: Any = None) -> dict[str, Any]:
    admin = load_demo(out=out)
    # Licence types first: the catalogue's materials and results name them by code.
    report: dict[str, Any] = {"licences": load_demo_licences(admin=admin, out=out)}
    report["catalog"] = load_demo_catalog(admin=admin, out=out)
    report["real_catalogue"] = load_real_catalogue(admin=admin) if real_catalogue else None
    report["cases"] = load_demo_cases(result_for=demo_case_result, fits=demo_applicant_fits)
    report["holdings"] = load_demo_holdings(out=out)
    report["bundles"] = load_demo_bundles(admin=admin, out=out, result_for=demo_case_result)
    report["hall"] = load_demo_hall(admin=admin, out=out)
    # After the hall and the cases: it rates their finished numbers and closed cases.
    report["ratings"] = load_demo_ratings(admin=admin, out=out)
    report["hotline"] = load_demo_hotline(admin=admin, out=out)
    # Last: it reads everything above (cards on open cases and tickets, sampling of the catalogue).
    report["supervision"] = load_demo_supervision(admin=admin, out=out)
    return report
