"""Request-charge scopes: what an entry point sums per request or job."""

from __future__ import annotations

from app.storage.charges import charge_scope, current_charge, record_charge


class TestChargeScope:
    def test_a_scope_sums_what_is_recorded_inside_it(self) -> None:
        with charge_scope() as charge:
            record_charge(2.5)
            record_charge(1.0)

        assert (charge.total, charge.responses) == (3.5, 2)

    def test_an_inner_scope_also_adds_to_the_outer_one(self) -> None:
        with charge_scope() as outer:
            record_charge(1.0)
            with charge_scope() as inner:
                record_charge(4.0)

        assert (outer.total, inner.total) == (5.0, 4.0)

    def test_outside_any_scope_nothing_is_kept(self) -> None:
        record_charge(7.0)

        assert current_charge() == 0.0

    def test_current_charge_is_the_innermost_scopes_total(self) -> None:
        with charge_scope():
            record_charge(1.0)
            with charge_scope():
                record_charge(2.0)
                inner = current_charge()
            outer = current_charge()

        assert (inner, outer) == (2.0, 3.0)
