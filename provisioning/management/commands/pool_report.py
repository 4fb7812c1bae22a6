from django.core.management.base import BaseCommand

from provisioning.selectors.allocations import pools_usage

COLUMNS = ("pool", "kind", "role", "region", "isp", "live", "quarantined", "free", "used")


class Command(BaseCommand):
    help = "Print each pool's live, quarantined and free addresses and the share in use."

    def handle(self, *args, **options):
        rows = [COLUMNS]
        for usage in pools_usage():
            pool = usage.pool
            rows.append(
                (
                    pool.name,
                    pool.kind,
                    pool.role,
                    pool.region.code if pool.region else "-",
                    pool.isp.code if pool.isp else "multi-line",
                    f"{usage.live:,}",
                    f"{usage.quarantined:,}",
                    f"{usage.free:,}",
                    f"{usage.used_percent:.2f}%",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            cells = [
                cell.ljust(width) if i < 5 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
