"""Desk administration from the command line.

python -m bot.handoff add-staff ana --name "Ana Pérez" --languages es,ht   # asks for the password twice
echo "$PASSWORD" | python -m bot.handoff add-staff ana --name Ana --password-stdin
python -m bot.handoff disable-staff ana        # signs her out everywhere, keeps the audit trail
python -m bot.handoff list-staff
python -m bot.handoff check                    # validates desk.yml and the staff file
python -m bot.handoff audit --limit 50 [--staff ana] [--conversation <sender id>]
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime, timezone

from bot import desk_settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (10 characters or more): ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def add_staff(args: argparse.Namespace) -> int:
    username = args.username.strip().lower()
    languages = [code.strip() for code in (args.languages or "").split(",") if code.strip()]
    try:
        member = desk_settings.StaffMember(
            username=username,
            name=args.name or username,
            password_hash=desk_settings.hash_password(_password(args.password_stdin)),
            languages=languages,
        )
    except ValueError as error:
        print(f"Not saved: {error}", file=sys.stderr)
        return 2
    path = desk_settings.save_staff_member(member)
    print(f"Saved {username} in {path}")
    return 0


def disable_staff(args: argparse.Namespace) -> int:
    staff = desk_settings.load_staff()
    member = staff.get(args.username)
    if member is None:
        print(f"No enabled account {args.username!r}", file=sys.stderr)
        return 1
    desk_settings.save_staff_member(member.copy(update={"disabled": True}))
    from bot.handoff.storage import DeskStorage

    ended = DeskStorage(desk_settings.database_url()).end_sessions_of(args.username)
    print(f"Disabled {args.username}; {ended} open session(s) ended")
    return 0


def list_staff(_args: argparse.Namespace) -> int:
    for member in desk_settings.load_staff().values():
        print(f"{member.username}\t{member.name}\t{','.join(member.languages)}")
    return 0


def check(_args: argparse.Namespace) -> int:
    try:
        settings = (
            desk_settings._read(desk_settings.config_path(), desk_settings.DeskSettings)
            if desk_settings.config_path().exists()
            else desk_settings.DeskSettings.parse_obj({})
        )
        staff = desk_settings.load_staff()
    except desk_settings.SettingsError as error:
        print(error, file=sys.stderr)
        return 1
    hours = "configured" if settings.opening_hours.configured else "NOT configured (users are told no hours)"
    print(f"{desk_settings.config_path()}: ok; opening hours {hours}; {len(staff)} staff account(s)")
    return 0


def audit(args: argparse.Namespace) -> int:
    from bot.handoff.storage import DeskStorage

    storage = DeskStorage(desk_settings.database_url())
    conversation = None
    if args.conversation:  # a sender id while the conversation exists; else the desk id itself
        conversation = storage.existing_ref(args.conversation) or args.conversation
    rows = storage.audit_entries(args.limit, args.staff, conversation)
    for row in reversed(rows):
        row["at"] = datetime.fromtimestamp(row["at"], tz=timezone.utc).isoformat(timespec="seconds")
        print(json.dumps(row, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.handoff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-staff", help="add a staff account or change its password")
    add.add_argument("username")
    add.add_argument("--name", help="the name users see, e.g. 'Ana' (default: the user name)")
    add.add_argument("--languages", help="languages the person answers in, e.g. es,ht (the console's language)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=add_staff)
    disable = commands.add_parser("disable-staff", help="disable an account and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(run=disable_staff)
    commands.add_parser("list-staff", help="list the enabled accounts").set_defaults(run=list_staff)
    commands.add_parser("check", help="validate the desk configuration").set_defaults(run=check)
    log = commands.add_parser("audit", help="print the audit log (oldest first, JSON lines)")
    log.add_argument("--limit", type=int, default=100)
    log.add_argument("--staff")
    log.add_argument("--conversation", help="a conversation's sender id (as Rasa stores it) or its desk id")
    log.set_defaults(run=audit)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
