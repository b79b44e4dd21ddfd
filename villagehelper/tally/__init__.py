"""Weekly / monthly tallies (báo cáo tuần): periods and the counting engine, no Qt."""

from villagehelper.tally.engine import BasicSkills as BasicSkills
from villagehelper.tally.engine import Counts as Counts
from villagehelper.tally.engine import ServiceTally as ServiceTally
from villagehelper.tally.engine import Tally as Tally
from villagehelper.tally.engine import compute_tally as compute_tally
from villagehelper.tally.periods import Period as Period
from villagehelper.tally.periods import PeriodKind as PeriodKind
from villagehelper.tally.periods import custom as custom
from villagehelper.tally.periods import iso_week as iso_week
from villagehelper.tally.periods import month as month
from villagehelper.tally.periods import parse_week as parse_week
from villagehelper.tally.periods import week_containing as week_containing
