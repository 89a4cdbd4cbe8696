"""Two interface languages — Simplified Chinese, the source of every string, and Mongolian in the
traditional script — with a visible fallback to Chinese and a report of what is still untranslated.
See docs/i18n.md."""
