"""``manage.py alert_reach [--json]``: per organisation that receives safety
notices, the event kinds per urgency, who handling them can be alerted
off-line by which channel (user ids and usernames only), and the gaps.
The JSON keys are documented in the README ("Alert channels")."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from notifications.alerts import all_reach, reach_as_json


class Command(BaseCommand):
    help = "Who in each organisation will be alerted off-line, per urgency and channel; flags gaps."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON (see the README for the keys).")

    def handle(self, *args, **options):
        reports = all_reach()
        if options["json"]:
            self.stdout.write(json.dumps({"organisations": reach_as_json(reports)}, ensure_ascii=False, indent=2))
            return
        for report in reports:
            org = report.organisation
            flag = f"  GAP: {', '.join(report.gaps)}" if report.gaps else ""
            self.stdout.write(f"{org.name} (#{org.pk}, {org.kind}){flag}")
            for row in report.urgencies:
                self.stdout.write(f"  {row.urgency}: {', '.join(row.kinds) or '-'}")
                for channel, users in row.by_channel.items():
                    names = ", ".join(f"{name} (#{uid})" for uid, name in users) or "-"
                    self.stdout.write(f"    {channel}: {names}")
                if row.gap:
                    self.stdout.write("    nobody reachable off-line")
