"""The commune web console, served by villagehelper-server itself at ``/`` (the laptops'
API stays under ``/v1``).

Rooms: ``officers`` (accounts and passwords), ``sessions`` (signed-in browsers),
``throttle`` (wrong passwords, counted in the database), ``audit`` (who did what),
``frame`` (what every page needs: the signed-in officer, the scope check, CSRF, the
templates), ``pages`` (sign-in, password change, sign-out, home), ``headers`` (the
security headers of every page); the count pages: ``overview_page`` (a commune's
overview, its chart drawn by ``chart``), ``report_page`` (its Decree 30 report as PDF or
XLSX), ``province_page`` (a province's communes, ``province_xlsx``), sharing
``counting`` and ``count_words``.  A page of another room is an ``APIRouter`` whose
endpoints take :data:`frame.SignedIn` or :data:`frame.CommunePage` (and
:data:`frame.CheckedForm` for a POST), passed to ``create_app(console_routers=...)``,
which hands it to :func:`pages.install_console`.
"""
