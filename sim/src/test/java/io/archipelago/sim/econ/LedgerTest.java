package io.archipelago.sim.econ;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * The ledger, as a specification. The fleet: one region (Singapore), two sites, three pools.
 * <ul>
 *   <li>SIN-A (PUE 1.25, 0.1919 $/kWh, 12.5 $/W): pool 0 = 4 × H200 servers (8 GPUs, $286 k, 10.2 kW peak, 8.5 kW average),
 *       the "SEA AI cloud 2026" SIN-A class;</li>
 *   <li>SIN-B (PUE 1.35, 0.078 $/kWh, 8.78 $/W): pool 1 = 2 × H100 (8 GPUs, $270 k, 10.2 / 8.5 kW), pool 2 = 2 × A10
 *       (4 GPUs, fully depreciated, 2.6 / 2.0 kW).</li>
 * </ul>
 * Servers depreciate over 5 years, facilities over 15; an idle server draws 30 % of its average power.
 */
class LedgerTest {
    static final long H = 3_600_000L;
    static final long DAY = 24 * H;
    static final double IDLE = 0.3;
    static final String REGION = "ap-southeast-1";
    static final int H200 = 0;
    static final int H100 = 1;
    static final int A10 = 2;
    static final LocalDate JAN_1 = LocalDate.of(2026, 1, 1);

    static RegionalFleet fleet(LocalDate sinBOpens) {
        List<Region> regions = List.of(new Region(REGION, "Singapore", "SG", 3), new Region("ap-east-1", "Hong Kong", "HK", 3));
        List<Site> sites = List.of(
                new Site("SIN-A", REGION, "a", 1.0, 1.25, 0.1919, 12.5, LocalDate.of(2025, 1, 1)),
                new Site("SIN-B", REGION, "b", 1.0, 1.35, 0.078, 8.78, sinBOpens));
        List<NodePool> pools = List.of(
                new NodePool("h200", "SIN-A", "H200", 8, 112, 2048, 0, 10.2, 8.5, 286_000, 4),
                new NodePool("h100", "SIN-B", "H100", 8, 112, 2048, 0, 10.2, 8.5, 270_000, 2),
                new NodePool("a10", "SIN-B", "A10", 4, 64, 512, 0, 2.6, 2.0, 0, 2));
        List<Price> prices = List.of(
                new Price("H200", REGION, 6.30, 3.00, 4.50),
                new Price("H100", REGION, 5.50, 2.45, 4.00),
                new Price("A10", REGION, 1.29, 0.55, 1.00));
        return new RegionalFleet("test", "two Singapore sites", regions, sites, pools, new int[][] {{2, 40}, {40, 2}}, prices,
                new Finance(5, 15, IDLE));
    }

    static RegionalFleet fleet() {
        return fleet(LocalDate.of(2025, 6, 1));
    }

    static long at(LocalDate day) {
        return (day.toEpochDay() - JAN_1.toEpochDay()) * DAY;
    }

    @Test
    void aFullyBusyPoolForOneNonLeapYearCostsTheOwnedPricePerGpuHour() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        ledger.allocated(H200, Tier.ON_DEMAND, 4 * 8 * 1000, 0); // all 32 GPUs, all year
        LedgerResult r = ledger.close(365 * DAY);

        // owned $/GPU-h @100 % = capex / (GPUs × 8760 × server years) + peak kW × $/W × 1000 / (GPUs × 8760 × facility years)
        //                        + avg kW × PUE × tariff / GPUs
        double capex = 286_000.0 / (8 * 8760 * 5);
        double facility = 10.2 * 12.5 * 1000 / (8 * 8760 * 15);
        double energy = 8.5 * 1.25 * 0.1919 / 8;
        double owned = capex + facility + energy;
        assertThat(owned).isCloseTo(1.19, within(0.005)); // the SIN-A H200 row of the demo fleet table

        LedgerResult.Figures a = r.site("SIN-A");
        double gpuHours = 32 * 8760.0;
        assertThat(a.gpuHoursInstalled()).isCloseTo(gpuHours, within(1e-6));
        assertThat(a.gpuHoursUp()).isCloseTo(gpuHours, within(1e-6));
        assertThat(a.gpuHoursAllocated()).isCloseTo(gpuHours, within(1e-6));
        assertThat(a.utilisation()).isCloseTo(1.0, within(1e-12));
        assertThat(a.costUsd() / gpuHours).isCloseTo(owned, within(1e-12));
        assertThat(a.depreciationUsd()).isCloseTo(4 * 286_000.0 / 5, within(1e-6)); // a fifth of the servers' price
        assertThat(a.facilityUsd()).isCloseTo(4 * 10.2 * 12.5 * 1000 / 15, within(1e-6));
        assertThat(a.energyUsd()).isCloseTo(4 * 8.5 * 1.25 * 0.1919 * 8760, within(1e-6));
        assertThat(a.revenueUsd()).isCloseTo(gpuHours * 6.30, within(1e-6));
        assertThat(a.marginUsd()).isCloseTo(gpuHours * (6.30 - owned), within(1e-5));
        assertThat(a.marginPct()).isCloseTo(100 * (6.30 - owned) / 6.30, within(1e-9));
        assertThat(r.months()).containsExactly("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
                "2026-08", "2026-09", "2026-10", "2026-11", "2026-12");
        // January holds 31 of the 365 days
        assertThat(r.site("2026-01", "SIN-A").costUsd()).isCloseTo(a.costUsd() * 31 / 365, within(1e-6));
    }

    @Test
    void hourlyRatesAreOneHourOfTheLedgerAtTheSameRates() {
        // half the H200s on-demand and a quarter spot, 3 of 4 servers up, for one hour through the ledger ...
        long[] byTier = new long[Tier.values().length];
        byTier[Tier.ON_DEMAND.ordinal()] = 16 * 1000;
        byTier[Tier.SPOT.ordinal()] = 8 * 1000;
        Ledger ledger = new Ledger(fleet(), JAN_1);
        ledger.nodesUp(H200, -1, 0); // 3 of 4 up
        ledger.allocated(H200, Tier.ON_DEMAND, 16 * 1000, 0);
        ledger.allocated(H200, Tier.SPOT, 8 * 1000, 0);
        LedgerResult.Figures hour = ledger.close(H).site("SIN-A");
        // ... equals the instantaneous rates
        LedgerResult.Figures rate = Ledger.hourly(fleet(), H200, byTier, 3, true);
        assertThat(rate.revenueUsd()).isCloseTo(hour.revenueUsd(), within(1e-9)).isCloseTo(16 * 6.30 + 8 * 3.00, within(1e-9));
        assertThat(rate.costUsd()).isCloseTo(hour.costUsd(), within(1e-9));
        assertThat(rate.energyUsd()).isCloseTo(hour.energyUsd(), within(1e-9));
        // a site that has not opened yet costs no capital, only the energy of the nodes that are up
        LedgerResult.Figures closed = Ledger.hourly(fleet(), H200, new long[Tier.values().length], 3, false);
        assertThat(closed.depreciationUsd()).isZero();
        assertThat(closed.facilityUsd()).isZero();
        assertThat(closed.energyUsd()).isCloseTo(1.25 * 0.1919 * 8.5 * IDLE * 3, within(1e-9));
        assertThatThrownBy(() -> Ledger.hourly(fleet(), H200, byTier, 5, true)).hasMessageContaining("5 nodes up").hasMessageContaining("0..4");
        assertThatThrownBy(() -> Ledger.hourly(fleet(), 7, byTier, 1, true)).hasMessageContaining("pool 7");
    }

    @Test
    void anAllocationAcrossAMonthBoundaryLandsInBothMonthsInProportion() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        long jan31noon = at(LocalDate.of(2026, 1, 31)) + 12 * H;
        long feb1six = at(LocalDate.of(2026, 2, 1)) + 6 * H;
        ledger.allocated(H100, Tier.ON_DEMAND, 8000, jan31noon); // one whole server
        ledger.allocated(H100, Tier.ON_DEMAND, -8000, feb1six);
        LedgerResult r = ledger.close(at(LocalDate.of(2026, 2, 10)));

        assertThat(r.months()).containsExactly("2026-01", "2026-02");
        assertThat(r.site("2026-01", "SIN-B").gpuHoursOnDemand()).isCloseTo(12 * 8, within(1e-9));
        assertThat(r.site("2026-02", "SIN-B").gpuHoursOnDemand()).isCloseTo(6 * 8, within(1e-9));
        assertThat(r.site("2026-01", "SIN-B").revenueUsd()).isCloseTo(96 * 5.50, within(1e-9));
        assertThat(r.site("2026-02", "SIN-B").revenueUsd()).isCloseTo(48 * 5.50, within(1e-9));
        assertThat(r.region("2026-02", REGION).revenueUsd()).isCloseTo(48 * 5.50, within(1e-9));
        assertThat(r.site("SIN-B").revenueUsd()).isCloseTo(144 * 5.50, within(1e-9));
        // installed capacity follows the calendar too: 31 days of January, 9 of February
        assertThat(r.site("2026-01", "SIN-B").gpuHoursInstalled()).isCloseTo((16 + 8) * 31 * 24, within(1e-9));
        assertThat(r.site("2026-02", "SIN-B").gpuHoursInstalled()).isCloseTo((16 + 8) * 9 * 24, within(1e-9));
    }

    @Test
    void monthsFollowTheCalendarFromAMidMonthStartAndAnEndOnABoundaryAddsNoEmptyMonth() {
        LocalDate start = LocalDate.of(2028, 1, 15); // 2028 is a leap year
        Ledger ledger = new Ledger(fleet(), start);
        long march1 = (LocalDate.of(2028, 3, 1).toEpochDay() - start.toEpochDay()) * DAY;
        LedgerResult r = ledger.close(march1);

        assertThat(r.months()).containsExactly("2028-01", "2028-02");
        assertThat(r.monthBoundsMs()).containsExactly(0, 17 * DAY, march1);
        assertThat(r.site("2028-01", "SIN-A").gpuHoursInstalled()).isCloseTo(32 * 17 * 24, within(1e-9)); // Jan 15..31
        assertThat(r.site("2028-02", "SIN-A").gpuHoursInstalled()).isCloseTo(32 * 29 * 24, within(1e-9));
    }

    @Test
    void idleServersDrawTheIdleShareAndBusyOnesTheirAveragePower() {
        double perNodeDay = 1.35 * 0.078 * 8.5 * 24; // SIN-B H100 at average power for a day, USD

        Ledger idle = new Ledger(fleet(), JAN_1);
        LedgerResult ri = idle.close(DAY);
        Ledger busy = new Ledger(fleet(), JAN_1);
        busy.allocated(H100, Tier.SPOT, 16_000, 0);
        LedgerResult rb = busy.close(DAY);
        Ledger half = new Ledger(fleet(), JAN_1);
        half.allocated(H100, Tier.RESERVED, 8_000, 0); // 8 of the 16 GPUs
        LedgerResult rh = half.close(DAY);

        double a10Idle = 1.35 * 0.078 * 2.0 * 24 * 2 * IDLE; // the A10 pool stays idle throughout
        assertThat(ri.site("SIN-B").energyUsd()).isCloseTo(2 * perNodeDay * IDLE + a10Idle, within(1e-9));
        assertThat(rb.site("SIN-B").energyUsd()).isCloseTo(2 * perNodeDay + a10Idle, within(1e-9));
        assertThat(rh.site("SIN-B").energyUsd()).isCloseTo(2 * perNodeDay * (IDLE + (1 - IDLE) / 2) + a10Idle, within(1e-9));
        // capital cost does not depend on the load
        assertThat(rb.site("SIN-B").depreciationUsd()).isEqualTo(ri.site("SIN-B").depreciationUsd());
        assertThat(rb.site("SIN-B").facilityUsd()).isEqualTo(ri.site("SIN-B").facilityUsd());
    }

    @Test
    void downNodesDrawNoEnergyButStillDepreciate() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        ledger.nodesUp(H200, -4, 0);
        ledger.nodesUp(H200, 1, 12 * H); // one server back after half a day
        LedgerResult r = ledger.close(DAY);

        LedgerResult.Figures a = r.site("SIN-A");
        assertThat(a.gpuHoursUp()).isCloseTo(8 * 12, within(1e-9));
        assertThat(a.gpuHoursInstalled()).isCloseTo(32 * 24, within(1e-9));
        assertThat(a.energyUsd()).isCloseTo(1.25 * 0.1919 * 8.5 * IDLE * 12, within(1e-9)); // one idle node, 12 h
        assertThat(a.depreciationUsd()).isCloseTo(4 * 286_000.0 / (5 * 8760) * 24, within(1e-9));
        assertThat(a.facilityUsd()).isCloseTo(4 * 10.2 * 1000 * 12.5 / (15 * 8760) * 24, within(1e-9));
    }

    @Test
    void aSiteOpeningMidRunAccruesCapitalCostOnlyFromItsOpeningDay() {
        LocalDate opens = LocalDate.of(2026, 3, 15);
        Ledger ledger = new Ledger(fleet(opens), JAN_1);
        ledger.nodesUp(H100, -2, 0); // the simulator keeps an unopened site's nodes down
        ledger.nodesUp(A10, -2, 0);
        ledger.nodesUp(H100, 2, at(opens));
        ledger.nodesUp(A10, 2, at(opens));
        LedgerResult r = ledger.close(at(LocalDate.of(2026, 4, 1)));

        assertThat(r.site("2026-01", "SIN-B")).isEqualTo(LedgerResult.Figures.ZERO);
        assertThat(r.site("2026-02", "SIN-B")).isEqualTo(LedgerResult.Figures.ZERO);
        LedgerResult.Figures march = r.site("2026-03", "SIN-B");
        double hours = 17 * 24; // March 15..31
        assertThat(march.gpuHoursInstalled()).isCloseTo((16 + 8) * hours, within(1e-9));
        assertThat(march.depreciationUsd()).isCloseTo(2 * 270_000.0 / (5 * 8760) * hours, within(1e-9));
        assertThat(march.facilityUsd()).isCloseTo((2 * 10.2 + 2 * 2.6) * 1000 * 8.78 / (15 * 8760) * hours, within(1e-9));
        assertThat(march.energyUsd()).isCloseTo(1.35 * 0.078 * IDLE * (2 * 8.5 + 2 * 2.0) * hours, within(1e-9));
        // the site that was open all along accrues from time 0
        assertThat(r.site("2026-01", "SIN-A").depreciationUsd()).isCloseTo(4 * 286_000.0 / (5 * 8760) * 31 * 24, within(1e-9));
    }

    @Test
    void revenueByTierUsesTheTiersPrices() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        ledger.allocated(H200, Tier.ON_DEMAND, 8000, 0);
        ledger.allocated(H200, Tier.SPOT, 4000, 0);
        ledger.allocated(H200, Tier.RESERVED, 16000, 0);
        ledger.allocated(A10, Tier.SPOT, 500, 0); // half an A10
        LedgerResult r = ledger.close(10 * H);

        LedgerResult.Figures f = r.total();
        assertThat(f.gpuHoursAllocated(Tier.ON_DEMAND)).isCloseTo(80, within(1e-9));
        assertThat(f.gpuHoursAllocated(Tier.SPOT)).isCloseTo(40 + 5, within(1e-9));
        assertThat(f.gpuHoursAllocated(Tier.RESERVED)).isCloseTo(160, within(1e-9));
        assertThat(f.revenueUsd(Tier.ON_DEMAND)).isCloseTo(80 * 6.30, within(1e-9));
        assertThat(f.revenueUsd(Tier.SPOT)).isCloseTo(40 * 3.00 + 5 * 0.55, within(1e-9));
        assertThat(f.revenueUsd(Tier.RESERVED)).isCloseTo(160 * 4.50, within(1e-9));
        assertThat(f.revenueUsd()).isCloseTo(80 * 6.30 + 40 * 3.00 + 5 * 0.55 + 160 * 4.50, within(1e-9));
        assertThat(r.region(REGION)).isEqualTo(r.total());
        assertThat(r.region("ap-east-1")).isEqualTo(LedgerResult.Figures.ZERO); // a region without sites
        assertThat(r.hasSites("ap-east-1")).isFalse();
    }

    @Test
    void theSameCallsGiveEqualResults() {
        assertThat(sampleRun()).isEqualTo(sampleRun());
        assertThat(sampleRun().byMonthAndSite().keySet()).containsExactly("2026-01", "2026-02", "2026-03");
        assertThat(sampleRun().bySite().keySet()).containsExactly("SIN-A", "SIN-B");
        assertThat(sampleRun().byRegion().keySet()).containsExactly(REGION, "ap-east-1");
    }

    private static LedgerResult sampleRun() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        long t = 0;
        for (int i = 0; i < 500; i++) {
            t += 3 * H + 17 * i;
            ledger.allocated(i % 3, Tier.values()[i % 3], 1000 + i, t);
            if (i % 7 == 0) {
                ledger.nodesUp(i % 3, -1, t);
                ledger.nodesUp(i % 3, 1, t + H / 3);
            }
        }
        return ledger.close(t + H);
    }

    @Test
    void failsFastOnMisuse() {
        Ledger ledger = new Ledger(fleet(), JAN_1);
        ledger.allocated(H200, Tier.ON_DEMAND, 1000, 5 * H);
        assertThatThrownBy(() -> ledger.allocated(H200, Tier.ON_DEMAND, 1000, 4 * H))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the previous call");
        assertThatThrownBy(() -> ledger.allocated(H200, Tier.SPOT, -1, 5 * H))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SIN-A/h200").hasMessageContaining("negative");
        assertThatThrownBy(() -> ledger.nodesUp(A10, 1, 5 * H))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected 0..2");
        assertThatThrownBy(() -> ledger.nodesUp(3, -1, 5 * H))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pool index 3");
        ledger.close(6 * H);
        assertThatThrownBy(() -> ledger.close(7 * H)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    // ---------------------------------------------------------------------------------------------------- property

    /** kind 0 = allocate, 1 = release, 2 = nodes down, 3 = nodes up; {@code minutes} is the time step before it. */
    record Op(int kind, int pool, int tier, int amount, int minutes) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 40_000),
                        Arbitraries.integers().between(0, 40_000))
                .as(Op::new).list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<LocalDate> starts() {
        return Arbitraries.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 31), LocalDate.of(2027, 12, 17),
                LocalDate.of(2028, 2, 28), LocalDate.of(2026, 3, 15));
    }

    @Property(tries = 300)
    void monthsAddUpToTheTotalsWhichMatchAPlainIntegralAndNeverGoNegative(@ForAll("ops") List<Op> ops,
                                                                          @ForAll("starts") LocalDate start) {
        LocalDate sinBOpens = LocalDate.of(2026, 3, 15);
        RegionalFleet fleet = fleet(sinBOpens);
        Ledger ledger = new Ledger(fleet, start);
        int pools = fleet.pools().size();
        long[][] alloc = new long[pools][3];
        int[] up = new int[pools];
        for (int p = 0; p < pools; p++) {
            up[p] = fleet.pools().get(p).nodes();
        }
        double[] allocGpuHours = new double[3];
        double upGpuHours = 0;
        long t = 0;
        for (Op op : ops) {
            long dt = op.minutes() * 60_000L;
            for (int p = 0; p < pools; p++) {
                for (int k = 0; k < 3; k++) {
                    allocGpuHours[k] += alloc[p][k] * (double) dt / 1000 / H;
                }
                upGpuHours += up[p] * (double) fleet.pools().get(p).gpusPerNode() * dt / H;
            }
            t += dt;
            int p = op.pool();
            int nodes = fleet.pools().get(p).nodes();
            switch (op.kind()) {
                case 0 -> {
                    ledger.allocated(p, Tier.values()[op.tier()], op.amount(), t);
                    alloc[p][op.tier()] += op.amount();
                }
                case 1 -> {
                    long d = Math.min(op.amount(), alloc[p][op.tier()]);
                    ledger.allocated(p, Tier.values()[op.tier()], -d, t);
                    alloc[p][op.tier()] -= d;
                }
                case 2 -> {
                    int d = Math.min(1 + op.amount() % nodes, up[p]);
                    ledger.nodesUp(p, -d, t);
                    up[p] -= d;
                }
                default -> {
                    int d = Math.min(1 + op.amount() % nodes, nodes - up[p]);
                    ledger.nodesUp(p, d, t);
                    up[p] += d;
                }
            }
        }
        LedgerResult r = ledger.close(t);

        // months: consecutive from the start month to the month of the last millisecond
        YearMonth first = YearMonth.from(start);
        for (int m = 0; m < r.months().size(); m++) {
            assertThat(r.months().get(m)).isEqualTo(first.plusMonths(m).toString());
        }
        long startMs = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        YearMonth last = YearMonth.from(java.time.Instant.ofEpochMilli(startMs + Math.max(0, t - 1)).atZone(ZoneOffset.UTC));
        assertThat(r.months().get(r.months().size() - 1)).isEqualTo(last.toString());

        // the sums over months are the totals (same order of summation: exactly)
        LedgerResult.Figures sum = LedgerResult.Figures.ZERO;
        for (String m : r.months()) {
            sum = sum.plus(r.byMonth().get(m));
        }
        assertThat(sum).isEqualTo(r.total());
        for (String site : r.sites()) {
            LedgerResult.Figures s = LedgerResult.Figures.ZERO;
            for (String m : r.months()) {
                s = s.plus(r.site(m, site));
            }
            assertThat(s).isEqualTo(r.site(site));
        }
        // across regions and sites up to rounding
        LedgerResult.Figures regions = LedgerResult.Figures.ZERO;
        for (LedgerResult.Figures f : r.byRegion().values()) {
            regions = regions.plus(f);
        }
        assertClose(regions, r.total());

        // the totals are the plain integrals of the calls
        for (Tier tier : Tier.values()) {
            assertThat(r.total().gpuHoursAllocated(tier)).isCloseTo(allocGpuHours[tier.ordinal()], near(allocGpuHours[tier.ordinal()]));
        }
        assertThat(r.total().gpuHoursUp()).isCloseTo(upGpuHours, near(upGpuHours));
        double openB = Math.max(0, t - Math.max(0, (sinBOpens.toEpochDay() - start.toEpochDay()) * DAY)) / (double) H;
        double installed = 32 * t / (double) H + (16 + 8) * openB;
        assertThat(r.total().gpuHoursInstalled()).isCloseTo(installed, near(installed));

        // nothing is ever negative
        for (Map<String, LedgerResult.Figures> month : r.byMonthAndSite().values()) {
            month.values().forEach(LedgerTest::assertNonNegative);
        }
        for (Map<String, LedgerResult.Figures> month : r.byMonthAndRegion().values()) {
            month.values().forEach(LedgerTest::assertNonNegative);
        }
        r.byMonth().values().forEach(LedgerTest::assertNonNegative);
        r.bySite().values().forEach(LedgerTest::assertNonNegative);
        r.byRegion().values().forEach(LedgerTest::assertNonNegative);
        assertNonNegative(r.total());
    }

    private static org.assertj.core.data.Offset<Double> near(double expected) {
        return within(1e-6 + 1e-12 * Math.abs(expected));
    }

    private static void assertNonNegative(LedgerResult.Figures f) {
        for (double v : values(f)) {
            assertThat(v).isGreaterThanOrEqualTo(0);
        }
        assertThat(f.costUsd()).isGreaterThanOrEqualTo(0);
        assertThat(f.revenueUsd()).isGreaterThanOrEqualTo(0);
    }

    private static void assertClose(LedgerResult.Figures a, LedgerResult.Figures b) {
        double[] x = values(a);
        double[] y = values(b);
        for (int i = 0; i < x.length; i++) {
            if (y[i] == 0) {
                assertThat(x[i]).isZero();
            } else {
                assertThat(x[i]).isCloseTo(y[i], withinPercentage(1e-9));
            }
        }
    }

    private static double[] values(LedgerResult.Figures f) {
        return new double[] {f.gpuHoursInstalled(), f.gpuHoursUp(), f.gpuHoursOnDemand(), f.gpuHoursSpot(), f.gpuHoursReserved(),
            f.revenueOnDemandUsd(), f.revenueSpotUsd(), f.revenueReservedUsd(), f.depreciationUsd(), f.facilityUsd(),
            f.energyUsd()};
    }
}
