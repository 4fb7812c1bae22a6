from django.core.management.base import BaseCommand

from provisioning.selectors.allocations import pools_usage

COLUMNS = ("pool", "kind", "role", "region", "isp", "ip", "live", "quarantined", "free", "used")
TEXT_COLUMNS = 6


class Command(BaseCommand):
    help = (
        "Print each pool's live, quarantined and free addresses and the share in use, "
        "per IP version."
    )

    def handle(self, *args, **options):
        rows = [COLUMNS]
        for usage in pools_usage():
            pool = usage.pool
            for family in usage.families:
                rows.append(
                    (
                        pool.name,
                        pool.kind,
                        pool.role,
                        pool.region.code if pool.region else "-",
                        pool.isp.code if pool.isp else "multi-line",
                        f"IPv{family.version}",
                        f"{family.live:,}",
                        f"{family.quarantined:,}",
                        f"{family.free:,}",
                        f"{family.used_percent:.2f}%",
                    )
                )
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            cells = [
                cell.ljust(width) if i < TEXT_COLUMNS else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
