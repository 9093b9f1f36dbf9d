from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inventory.ledger import verify_ledger


class Command(BaseCommand):
    help = _("Recompute every stock row's hash chain and balance; exit non-zero on any mismatch.")

    def handle(self, *args, **options):
        problems = verify_ledger()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(_("%(count)s ledger mismatches found.") % {"count": len(problems)})
        self.stdout.write(_("Ledger verified: every chain and balance matches."))
