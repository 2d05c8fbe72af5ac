"""``make bench``: the pages and API endpoints at national scale, timed side by side with Django itself.

``python -m tools.bench [--scale N] [--quick]`` builds (or reuses) an invented
register of N referrals (reports/bench_data.py), serves it with gunicorn and
the production settings (``tools.bench.settings``: production's, plus a
middleware that counts each request's SQL and two bench-only views), signs
staff in through the real sign-in form, and prints one table: p50/p95 at one
client, throughput at one and eight clients, SQL queries per request, the
ratios to the signed-in bare view and to the Django admin's referral
changelist, and a verdict against issue #16's targets. It exits 1 when any
row misses its target.
"""
