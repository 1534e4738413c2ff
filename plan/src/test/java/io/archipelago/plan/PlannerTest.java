package io.archipelago.plan;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Site;
import io.archipelago.sim.scenario.ScenarioException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The planner's promises: every chosen plan keeps the capex budget, site power, lead times and
 * residency; an impossible plan says which constraint binds; the same input gives the same plan.
 * Most cases use a fixed calibration (ρ 0.8 for every model) so they test the optimisation alone.
 */
class PlannerTest {
    static final Calibration.Result FIXED = new Calibration.Result(new double[] {0.5, 0.9}, new double[] {0, 900_000},
            new double[] {1, 0.9}, new double[] {0.5, 0.88}, 0.8, 1.2, 0.95, Map.of(), Map.of(), 0.8, List.of());

    static String plan(String demand, String candidates, String more) {
        return "name: t\nstart: 2027-01-01\nquarters: 8\nfleet: {scale: 0.125}\nverification: {enabled: false}\n"
                + "demand:\n" + demand + "candidates:\n" + candidates + more;
    }

    static final String DEMAND = """
              - {region: ap-southeast-1, class: inference, gpus: 80, growth: 0.8}
              - {region: ap-southeast-8, class: training, gpus: 200, growth: 0.8}
              - {region: ap-southeast-6, class: inference, gpus: 20, growth: 1.5}
            """;
    static final String CANDIDATES = """
              - {name: JHB-A-x, site: JHB-A, pool: h100-x, gpu_model: H100, nodes: 16, lead_time_months: 6}
              - {name: JHB-C-h200, site: JHB-C, gpu_model: H200, nodes: 16, lead_time_months: 12}
              - {name: MNL-C-h20, site: MNL-C, gpu_model: H20, nodes: 8, lead_time_months: 9, earliest: 2027-10-01}
              - {name: MNL-A-x, site: MNL-A, pool: h20-x, gpu_model: H20, nodes: 4, lead_time_months: 3}
              - {name: SIN-B-h200, site: SIN-B, gpu_model: H200, nodes: 4, lead_time_months: 6}
            """;
    static final String SITES = """
            new_sites:
              - {name: JHB-C, region: ap-southeast-8, power_mw: 0.5}
              - {name: MNL-C, region: ap-southeast-6, power_mw: 0.2}
            """;

    static PlanSpec parse(String text) {
        return PlanParser.parse(text, "<test>", null);
    }

    @Test
    void everyChosenPlanKeepsBudgetPowerLeadTimesAndEarliestDates() {
        Random rnd = new Random(7);
        int feasible = 0;
        for (int trial = 0; trial < 6; trial++) {
            double budget = 6e6 + rnd.nextInt(10) * 2e6;
            int lead = 3 * (1 + rnd.nextInt(4));
            String cands = CANDIDATES.replace("lead_time_months: 12", "lead_time_months: " + lead);
            PlanSpec spec = parse(plan(DEMAND, cands, SITES + "constraints: {capex_budget_usd_per_year: " + (long) budget + "}\n"));
            Planner.Result r = new Planner(spec).run(FIXED);
            Planner.Outcome o = r.optimal();
            if (!o.feasible()) {
                assertThat(o.explanation()).as("an infeasible plan explains itself").anyMatch(l -> l.startsWith("binding:"));
                continue;
            }
            feasible++;
            PlanModel m = new PlanModel(spec, Map.of(), 0.8, false);
            double[] spend = new double[2];
            Map<String, Double> power = new java.util.HashMap<>();
            for (int c = 0; c < spec.candidates().size(); c++) {
                int q = o.openQuarter()[c];
                if (q < 0) {
                    continue;
                }
                PlanSpec.Candidate cd = spec.candidates().get(c);
                assertThat(q).as(cd.name() + " opens after its lead time").isGreaterThanOrEqualTo(cd.leadQuarters());
                assertThat(spec.quarterStart(q)).as(cd.name() + " opens on or after its earliest date").isAfterOrEqualTo(cd.earliest());
                spend[Math.max(0, q - cd.leadQuarters()) / 4] += m.candCapex[c];
                power.merge(cd.site(), m.candPowerMw[c], Double::sum);
            }
            for (int y = 0; y < 2; y++) {
                assertThat(spend[y]).as("spend of year " + y).isLessThanOrEqualTo(budget * (1 + 1e-9));
                double reported = o.quarters().subList(4 * y, 4 * y + 4).stream().mapToDouble(Planner.Quarter::capexUsd).sum();
                assertThat(reported).isCloseTo(spend[y], org.assertj.core.data.Offset.offset(1.0));
            }
            for (Map.Entry<String, Double> e : power.entrySet()) {
                assertThat(e.getValue()).as("new pools' power in " + e.getKey()).isLessThanOrEqualTo(headroom(spec, e.getKey()) + 1e-9);
            }
            // the planned fleet serves the forecast within ρ of its GPUs every quarter
            double[][] d = Forecast.table(spec);
            for (int t = 0; t < spec.quarters(); t++) {
                double demand = 0;
                for (double[] line : d) {
                    demand += line[t];
                }
                Planner.Figures f = o.quarters().get(t).total();
                assertThat(f.busyGpus()).isCloseTo(demand, org.assertj.core.data.Offset.offset(1e-6 * demand + 1e-6));
                assertThat(f.busyGpus()).isLessThanOrEqualTo(0.8 * f.installedGpus() + 1e-6);
            }
        }
        assertThat(feasible).as("most random budgets admit a plan").isGreaterThanOrEqualTo(3);
    }

    static double headroom(PlanSpec spec, String site) {
        Site s = spec.fleet().sites().stream().filter(x -> x.name().equals(site)).findFirst()
                .orElseGet(() -> spec.newSites().stream().filter(x -> x.name().equals(site)).findFirst().orElseThrow());
        double need = 0;
        for (NodePool p : spec.fleet().pools()) {
            if (p.site().equals(site)) {
                need += p.peakKw() * p.nodes() * s.pue() / 1000;
            }
        }
        return s.powerMw() - need;
    }

    @Test
    void residencyKeepsRegionBoundDemandInItsRegion() {
        // all of Manila's demand must stay in Manila: its growth can only be served by Manila's pools and candidates
        String more = SITES + "workload: {residency: {region: 1}}\n";
        PlanSpec spec = parse(plan("  - {region: ap-southeast-6, class: inference, gpus: 20, growth: 1.5}\n", CANDIDATES, more));
        Planner.Outcome o = new Planner(spec).run(FIXED).optimal();
        assertThat(o.feasible()).isTrue();
        for (Planner.Quarter q : o.quarters()) {
            for (Map.Entry<String, Planner.Figures> e : q.byRegion().entrySet()) {
                if (!e.getKey().equals("ap-southeast-6")) {
                    assertThat(e.getValue().busyGpus()).as(q.label() + " " + e.getKey()).isZero();
                }
            }
        }
        for (int c = 0; c < spec.candidates().size(); c++) {
            if (o.openQuarter()[c] >= 0) {
                assertThat(spec.candidates().get(c).region()).as("only Manila candidates are worth building").isEqualTo("ap-southeast-6");
            }
        }
    }

    @Test
    void anImpossiblePlanSaysWhichConstraintBindsWhereAndWhen() {
        // Manila's demand outgrows Manila fast; the only big Manila candidate needs 9 months and the budget is small
        String more = SITES + "workload: {residency: {region: 1}}\nconstraints: {capex_budget_usd_per_year: 1_000_000}\n";
        PlanSpec spec = parse(plan("  - {region: ap-southeast-6, class: inference, gpus: 20, growth: 3.0}\n", CANDIDATES, more));
        Planner.Outcome o = new Planner(spec).run(FIXED).optimal();
        assertThat(o.feasible()).isFalse();
        assertThat(o.explanation().get(0)).matches("from 20\\d\\d-Q\\d the service level cannot be met: \\d+ GPUs of demand .*");
        assertThat(o.explanation()).anyMatch(l -> l.contains("inference from ap-southeast-6 in its region") && l.contains("ap-southeast-6/"));
        // lifting the budget alone does not help (the big Manila site needs 9 months); letting the work leave Manila does
        assertThat(o.explanation()).contains("binding: residency and latency rules (lifting it alone makes the plan feasible)");
    }

    @Test
    void anAlternativeThatCannotOpenInTimeSaysWhy() {
        String more = SITES + "alternatives:\n  - {name: early Manila, open: {MNL-C-h20: 2027-04-01}}\n";
        PlanSpec spec = parse(plan(DEMAND, CANDIDATES, more));
        Planner.Result r = new Planner(spec).run(FIXED);
        Planner.Outcome alt = r.plans().get(1);
        assertThat(alt.name()).isEqualTo("early Manila");
        assertThat(alt.feasible()).isFalse();
        assertThat(alt.explanation().get(0)).contains("MNL-C-h20 cannot open in 2027-Q2").contains("lead time of 9 months")
                .contains("2027-Q4 at the soonest");
    }

    @Test
    void aForcedAlternativeOpensWhereItIsTold() {
        String more = SITES + "alternatives:\n  - {name: Manila in October, open: {MNL-C-h20: 2027-10-01}, exclude: [MNL-A-x]}\n";
        PlanSpec spec = parse(plan(DEMAND, CANDIDATES, more));
        Planner.Outcome alt = new Planner(spec).run(FIXED).plans().get(1);
        assertThat(alt.feasible()).isTrue();
        assertThat(alt.openQuarter()[2]).isEqualTo(3);
        assertThat(alt.openQuarter()[3]).isEqualTo(-1);
    }

    @Test
    void badInputNamesTheLineTheKeyAndTheFix() {
        assertThatThrownBy(() -> parse(plan(DEMAND, "  - {name: X, site: MNL-Z, gpu_model: H20, nodes: 4, lead_time_months: 3}\n", SITES)))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("candidates[0].site").hasMessageContaining("MNL-Z")
                .hasMessageContaining("did you mean 'MNL-A'");
        assertThatThrownBy(() -> parse(plan("  - {region: ap-southeast-6, class: inferance, gpus: 20}\n", CANDIDATES, SITES)))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("demand[0].class").hasMessageContaining("did you mean 'inference'");
        assertThatThrownBy(() -> parse(plan(DEMAND, CANDIDATES, SITES + "constraints: {capex_budget: 5}\n")))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("unknown key 'capex_budget'");
        assertThatThrownBy(() -> parse(plan("  - {region: ap-southeast-6, class: inference, gpus: 20, seasonality: [1, 1, 1, 2]}\n",
                CANDIDATES, SITES))).isInstanceOf(ScenarioException.class).hasMessageContaining("mean of 1");
        assertThatThrownBy(() -> parse(plan("  - {region: ap-southeast-6, class: inference, gpus: 0}\n", CANDIDATES, SITES)))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("the first quarter needs some demand");
        assertThatThrownBy(() -> parse(plan(DEMAND, CANDIDATES, SITES).replace("start: 2027-01-01", "start: 2027-02-01")))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("first day of a quarter");
    }

    @Test
    void aForecastFittedFromHistoryRecoversGrowthAndSeason(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("month,region,class,gpus\n");
        double[] season = {0.9, 1.0, 1.0, 1.1};
        java.time.YearMonth m = java.time.YearMonth.of(2025, 1);
        for (int i = 0; i < 24; i++, m = m.plusMonths(1)) {
            double v = 100 * Math.pow(1.5, i / 12.0) * season[(m.getMonthValue() - 1) / 3];
            csv.append(m).append(",ap-southeast-6,inference,").append(v).append('\n');
        }
        Files.writeString(dir.resolve("h.csv"), csv);
        PlanSpec spec = PlanParser.parse(plan("", CANDIDATES, SITES).replace("demand:\n", "demand_history: {file: h.csv}\n"), "<test>", dir);
        PlanSpec.DemandLine d = spec.demand().get(0);
        assertThat(d.growth()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(d.seasonality()[3] / d.seasonality()[0]).isCloseTo(1.1 / 0.9, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(d.source()).contains("24 months").contains("R² 1.000");
        Files.writeString(dir.resolve("bad.csv"), "month,region,class,gpus\n2025-01,ap-southeast-6,inference,-3\n");
        assertThatThrownBy(() -> PlanParser.parse(plan("", CANDIDATES, SITES).replace("demand:\n", "demand_history: {file: bad.csv}\n"),
                "<test>", dir)).hasMessageContaining("line 2, field gpus: value '-3'");
    }

    @Test
    void theWholePipelineIsReproducibleAndVerifiesEveryQuarter(@TempDir Path dir) throws Exception {
        String text = plan(DEMAND, CANDIDATES, SITES + "calibration: {loads: [0.6, 0.9], warmup: 2h, window: 4h}\n")
                .replace("quarters: 8", "quarters: 3").replace("verification: {enabled: false}", "verification: {warmup: 2h, window: 3h}");
        PlanSpec spec = parse(text);
        Planner.Result a = new Planner(spec).threads(2).run();
        Planner.Result b = new Planner(spec).threads(1).run();
        assertThat(a.optimal().feasible()).isTrue();
        assertThat(a.optimal().verified()).hasSize(3);
        assertThat(a.calibration().efficiencyByModel()).isNotEmpty();
        for (Planner.Quarter q : a.optimal().verified()) {
            assertThat(q.total().installedGpus()).isPositive();
            assertThat(q.total().busyGpus()).isPositive();
        }
        PlanReport.write(a, dir.resolve("a"));
        PlanReport.write(b, dir.resolve("b"));
        String ja = Files.readString(dir.resolve("a/plan.json")).replaceAll("\"(wall|solve)_ms\": \\d+", "");
        String jb = Files.readString(dir.resolve("b/plan.json")).replaceAll("\"(wall|solve)_ms\": \\d+", "");
        assertThat(ja).isEqualTo(jb);
    }
}
