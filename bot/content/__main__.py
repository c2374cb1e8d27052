"""Tools for the people who keep ``content/``.

python -m bot.content check      every problem in content/, with file, line and a hint (exit 1 on errors)
python -m bot.content coverage   topics x countries x languages, places and numbers; writes COVERAGE.md
python -m bot.content gaps       the most frequent questions the bot could not answer, per language
python -m bot.content status     which content version the running action server serves
python -m bot.content due        items whose valid_until / recheck_by / watch_from falls in the next 30 days,
                                 or that are stale (make content-due)
python -m bot.content report     items by status, evidence coverage, what is due, what changed since the last
                                 release (make content-report; Markdown, or HTML for an .html output)
python -m bot.content stamp-translations   record which Spanish text each translation follows
python -m bot.content migrate-provenance   remove the schema v1 stamp (last_reviewed, reviewed_by, status)
python -m bot.content import-places FILE --country XX   places from an HXL sheet or an OpenStreetMap extract
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot import paths
from bot.content import coverage, due, gaps, migrate, report, translations
from bot.content.check import check
from bot.content.store import ContentError, load

DEFAULT_STATUS_URL = "http://127.0.0.1:5055/status"


def _check(args: argparse.Namespace) -> int:
    root = Path(args.content) if args.content else paths.content_dir()
    report = check(root)
    errors, warnings = report.errors, report.warnings
    for problem in errors:
        print(problem)
    if warnings and not args.quiet:
        if errors:
            print()
        for problem in warnings:
            print(problem)
    missing = report.missing_translations()
    print()
    print(f"{len(report.files)} files checked: {len(errors)} error(s), {len(warnings)} warning(s).")
    if warnings:
        by_field = Counter(problem.field or "file" for problem in warnings)
        print("Warnings by field: " + ", ".join(f"{name} {count}" for name, count in by_field.most_common()))
    if any(missing.values()):
        print("Texts without a translation: " + ", ".join(f"{lang} {count}" for lang, count in missing.items()))
    if errors:
        print("The bot refuses these files until the errors are fixed; it keeps serving the last good version.")
        return 1
    if warnings and args.strict:
        return 1
    print("OK: the bot can use this content.")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    root = Path(args.content) if args.content else paths.content_dir()
    try:
        content = load(root)
    except ContentError as error:
        print(f"The content has errors; run `python -m bot.content check` first.\n{error}", file=sys.stderr)
        return 1
    countries = [code.strip().upper() for code in args.countries.split(",")] if args.countries else None
    markdown = coverage.render(content, countries)
    print(markdown)
    if args.output != "-":
        output = Path(args.output)
        output.write_text(markdown, encoding="utf-8")
        print(f"Written to {output}", file=sys.stderr)
    return 0


def _gaps(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else gaps.gaps_file()
    found = gaps.report(path, days=args.days, top=args.top)
    period = f"the last {args.days} days" if args.days else "all recorded days"
    if not found:
        print(f"No unanswered questions recorded in {path} ({period}).")
        return 0
    print(f"# Questions the bot could not answer ({period})\n")
    for language, entries in found.items():
        print(f"## {language}\n")
        print("| times | question (most common wording) | last seen |")
        print("|---|---|---|")
        for gap in entries:
            print(f"| {gap.count} | {gap.text.replace('|', '/')} | {gap.last_seen} |")
        print()
    return 0


def _status(args: argparse.Namespace) -> int:
    try:
        with urllib.request.urlopen(args.url, timeout=5) as reply:  # noqa: S310 - an operator-given URL
            body = json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        body = json.loads(error.read().decode("utf-8") or "{}")
    except (OSError, ValueError) as error:
        print(f"The action server at {args.url} did not answer ({error}).")
        root = paths.content_dir()
        try:
            content = load(root)
        except ContentError as content_error:
            print(f"Content in {root} does NOT load: {content_error}")
            return 1
        print(f"Content in {root} loads: version {content.version}, {len(content.places)} places.")
        return 1
    info = body.get("content") or {}
    print(
        f"Serving content version {info.get('version')} (loaded {info.get('loaded_at')} UTC) "
        f"from {info.get('served_from') or info.get('content_dir')}; {info.get('places')} places."
    )
    refused = info.get("last_error")
    if refused:
        print(f"Last edit REFUSED at {refused.get('at')} UTC; the previous version keeps serving. Problems:")
        for problem in refused.get("problems", []):
            print(f"  {problem}")
        return 1
    print("No refused edit.")
    return 0


def _root(args: argparse.Namespace) -> Path:
    return Path(args.content) if args.content else paths.content_dir()


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else date.today()


def _due(args: argparse.Namespace) -> int:
    today = _today(args)
    found = due.due_items(check(_root(args), today), today, args.days)
    print(due.render(found, today, args.days))
    return 0


def _report(args: argparse.Namespace) -> int:
    page = report.build(_root(args), _today(args), since=args.since)
    output = Path(args.output)
    report.write(page, output)
    print(f"Content report written to {output}")
    return 0


def _stamp(args: argparse.Namespace) -> int:
    languages = [lang.strip() for lang in args.language.split(",")] if args.language else []
    if args.reviewed_by and not languages:
        print("--reviewed-by needs --language: name the language(s) the fluent speaker reviewed.")
        return 2
    done = translations.stamp(
        _root(args),
        languages=languages,
        topics=args.topic or [],
        countries=args.country or [],
        reviewed_by=args.reviewed_by,
        restamp_outdated=args.restamp_outdated,
        dry_run=args.dry_run,
    )
    verb = "Would stamp" if args.dry_run else "Stamped"
    counts = ", ".join(f"{lang} {n}" for lang, n in done.stamped.items()) or "nothing"
    print(f"{verb}: {counts} ({len(done.files)} file(s)).")
    if done.outdated_left:
        print(
            f"{done.outdated_left} translation(s) are outdated (the Spanish changed): update them, then run again "
            "with --restamp-outdated (or --reviewed-by after a fluent speaker's review)."
        )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    done = migrate.migrate(_root(args), scope=args.scope, dry_run=args.dry_run)
    verb = "Would remove" if args.dry_run else "Removed"
    print(
        f"{verb} the old stamp from {done.items} item(s): {done.lines_deleted} line(s) deleted, "
        f"{done.lines_edited} one-line item(s) edited, in {len(done.files)} file(s)."
    )
    for skipped in done.skipped:
        print(f"  not changed: {skipped}")
    print("Nothing was marked checked: add evidence and a checked date as you compare items with their pages.")
    return 1 if done.skipped else 0


def _import_places(args: argparse.Namespace) -> int:
    from bot.content import place_import  # osmium and libhxl load only for this command

    root = _root(args)
    try:
        outcome = place_import.import_places(
            Path(args.file), args.country, root, dry_run=args.dry_run, force=args.force, source_url=args.source_url
        )
    except place_import.PlaceImportError as error:
        print(error, file=sys.stderr)
        return 1
    print("\n".join(outcome.lines()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.content", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check_cmd = commands.add_parser("check", help="check every content file")
    check_cmd.add_argument("--content", help="the content folder (default: content/ or BRUJULA_CONTENT_DIR)")
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    check_cmd.add_argument("--quiet", action="store_true", help="show errors only")
    check_cmd.set_defaults(run=_check)

    coverage_cmd = commands.add_parser("coverage", help="print and write the coverage matrices")
    coverage_cmd.add_argument("--content")
    coverage_cmd.add_argument("--output", default=str(paths.ROOT / "COVERAGE.md"), help="Markdown file, or - for none")
    coverage_cmd.add_argument("--countries", help="comma-separated ISO codes (default: the 15 corridor countries)")
    coverage_cmd.set_defaults(run=_coverage)

    gaps_cmd = commands.add_parser("gaps", help="most frequent unanswered questions per language")
    gaps_cmd.add_argument("--file", help="the gaps file (default: .state/gaps.jsonl or BRUJULA_GAPS_FILE)")
    gaps_cmd.add_argument("--days", type=int, help="only the last N days")
    gaps_cmd.add_argument("--top", type=int, default=10, help="how many per language (default 10)")
    gaps_cmd.set_defaults(run=_gaps)

    status_cmd = commands.add_parser("status", help="what the running action server serves")
    status_cmd.add_argument("--url", default=DEFAULT_STATUS_URL)
    status_cmd.set_defaults(run=_status)

    due_cmd = commands.add_parser("due", help="what must be checked in the next 30 days, or is stale")
    due_cmd.add_argument("--content")
    due_cmd.add_argument("--days", type=int, default=due.DUE_WITHIN_DAYS)
    due_cmd.add_argument("--today", help="YYYY-MM-DD (default: today)")
    due_cmd.set_defaults(run=_due)

    report_cmd = commands.add_parser("report", help="write the content report (Markdown, or HTML for .html)")
    report_cmd.add_argument("--content")
    report_cmd.add_argument("--output", default=str(paths.ROOT / "results" / "content-report.md"))
    report_cmd.add_argument(
        "--since",
        help="git ref to compare with (default: last tag, else the previous " "commit on main touching content/)",
    )
    report_cmd.add_argument("--today", help="YYYY-MM-DD (default: today)")
    report_cmd.set_defaults(run=_report)

    stamp_cmd = commands.add_parser("stamp-translations", help="record which Spanish text each translation follows")
    stamp_cmd.add_argument("--content")
    stamp_cmd.add_argument("--language", help="comma-separated languages (default: en, pt, fr, ht)")
    stamp_cmd.add_argument("--topic", action="append", help="only this topic (repeatable)")
    stamp_cmd.add_argument("--country", action="append", help="only answers for this country, * for general")
    stamp_cmd.add_argument("--reviewed-by", help="a fluent speaker reviewed these languages: mark them reviewed")
    stamp_cmd.add_argument(
        "--restamp-outdated",
        action="store_true",
        help="translations were updated with the Spanish: stamp them again as unreviewed",
    )
    stamp_cmd.add_argument("--dry-run", action="store_true")
    stamp_cmd.set_defaults(run=_stamp)

    migrate_cmd = commands.add_parser("migrate-provenance", help="remove last_reviewed/reviewed_by/status")
    migrate_cmd.add_argument("--content")
    migrate_cmd.add_argument(
        "--scope",
        choices=("all", "general"),
        default="all",
        help="general: only answers for country *, organisations and the gazetteer",
    )
    migrate_cmd.add_argument("--dry-run", action="store_true")
    migrate_cmd.set_defaults(run=_migrate)
    import_cmd = commands.add_parser("import-places", help="add places from an HXL sheet or an OpenStreetMap extract")
    import_cmd.add_argument("file", help="an HXL-tagged .csv/.xlsx, or an OpenStreetMap .osm/.osm.pbf extract")
    import_cmd.add_argument("--country", required=True, help="ISO code of the country the places are in (MX, GT...)")
    import_cmd.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    import_cmd.add_argument("--force", action="store_true", help="also overwrite places edited by hand")
    import_cmd.add_argument("--source-url", help="the public web address of the HXL sheet (used as evidence)")
    import_cmd.add_argument("--content")
    import_cmd.set_defaults(run=_import_places)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
