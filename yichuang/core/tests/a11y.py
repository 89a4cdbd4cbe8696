"""The automated WCAG 2.1 A/AA check for browser tests: axe-core, run inside the page under test.

axe-core's script comes from the installed ``axe-playwright-python`` wheel (which ships ``axe.min.js``,
MPL-2.0), evaluated in the page by ``axe_inject``: nothing is fetched from a network. (Not as a ``<script>`` tag:
the pages' content security policy refuses inline scripts, and the tests keep that policy on.)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def axe_script_path() -> Path:
    return Path(str(resources.files("axe_playwright_python").joinpath("axe.min.js")))


def axe_inject(page: Any) -> None:
    """Define ``window.axe`` in the page (once), through the DevTools protocol, which the page's content
    security policy does not govern."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_script_path().read_text(encoding="utf-8") + "\n;undefined")


def axe_violations(page: Any, *, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict]:
    """Every axe-core violation of the rules carrying one of ``tags`` on the page as it stands now."""
    axe_inject(page)
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        list(tags),
    )
    return list(results["violations"])


def serious_violations(page: Any) -> list[dict]:
    """The WCAG 2.1 A/AA violations whose impact is serious or critical."""
    return [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict], *, where: str = "") -> str:
    """One block per rule: id, impact, help text, then the CSS selectors of the offending nodes."""
    lines = [
        f"{len(violations)} serious/critical accessibility violation(s){' on ' + where if where else ''}:"
    ]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", [])[:10]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    · {target}  {summary[:200]}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Any, *, where: str = "") -> None:
    violations = serious_violations(page)
    assert not violations, describe_violations(violations, where=where or page.url)
