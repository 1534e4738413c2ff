package io.archipelago.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlanReportTest {
    private static final String SCRIPT = "<script>alert('x')</script> open early";
    private static final String YAML = """
            name: tiny-plan
            description: "Tiny plan for the report test & its <b>markup</b>"
            start: 2027-01-01
            quarters: 4
            demand:
              - {region: ap-southeast-1, class: inference, gpus: 100}
            candidates:
              - {name: SIN-B-h100, site: SIN-B, pool: h100-new, gpu_model: H100, nodes: 4, lead_time_months: 6}
            constraints:
              wait_p95: 10m
              slo_attainment: 0.95
            """;

    private static PlanSpec spec;
    private static Planner.Result result;

    @BeforeAll
    static void build() {
        spec = PlanParser.parse(YAML, "<test>", null);
        Calibration.Result cal = new Calibration.Result(new double[] {0.5, 0.7, 0.9}, new double[] {30_000, 240_000, 900_000},
                new double[] {1.0, 0.97, 0.80}, new double[] {0.45, 0.62, 0.78}, 0.78, 1.3, 0.86,
                new LinkedHashMap<>(Map.of("H100", 0.88)), new LinkedHashMap<>(Map.of("H100", 0.79)), 0.78,
                List.of("the service level held up to 0.78"));

        List<Planner.Quarter> planned = new ArrayList<>();
        List<Planner.Quarter> simulated = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            double installed = t >= 2 ? 160 + 32 : 160;
            Planner.Figures f = new Planner.Figures(installed, 100 + 5 * t, 1_234_567.891 + t, 1_000_000.004);
            Map<String, Planner.Figures> byRegion = new LinkedHashMap<>();
            byRegion.put("ap-southeast-1", f);
            // quarter 0 has no SLO jobs: its attainment is NaN
            planned.add(new Planner.Quarter(spec.quarterLabel(t), t == 0 ? 4_567_890.125 : 0, f, byRegion, 200_000 + 1000 * t,
                    t == 0 ? Double.NaN : 0.97));
            Planner.Figures g = new Planner.Figures(installed, 98 + 5 * t, 1_200_000, 990_000);
            simulated.add(new Planner.Quarter(spec.quarterLabel(t), planned.get(t).capexUsd(), g, Map.of("ap-southeast-1", g),
                    t == 3 ? 700_000 : 300_000, 0.96));
        }
        Planner.Outcome optimal = new Planner.Outcome("optimal plan", true, List.of(), new int[] {2}, planned, simulated,
                List.of("timing of SIN-B-h100: it opens as early as its lead time allows, 2027-Q3"), 987_654.321, 12);
        Planner.Outcome infeasible = new Planner.Outcome(SCRIPT, false, List.of("SIN-B-h100 cannot open in 2027-Q1: lead time",
                "  ap-southeast-1/inference: 20 GPUs short", "binding: lead times and earliest dates"), new int[0], List.of(), List.of(),
                List.of(), Double.NaN, 3);
        result = new Planner.Result(spec, cal, List.of(optimal, infeasible), Forecast.table(spec), 4321);
    }

    @Test
    void jsonHoldsScheduleCandidatesAndTotals() throws Exception {
        Map<String, Object> tree = PlanReport.json(result);
        assertThat(tree.keySet()).startsWith("plan", "description", "start", "quarters", "seed", "wall_ms");
        assertThat(tree.get("quarters")).isEqualTo(List.of("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"));
        assertThat(tree.get("wall_ms")).isEqualTo(4321L);

        JsonNode root = new ObjectMapper().readTree(PlanReport.toJson(tree));
        JsonNode optimal = root.get("plans").get(0);
        assertThat(optimal.get("schedule")).hasSize(1);
        assertThat(optimal.get("schedule").get(0).get("candidate").asText()).isEqualTo("SIN-B-h100");
        assertThat(optimal.get("schedule").get(0).get("opens").asText()).isEqualTo("2027-Q3");
        assertThat(optimal.get("objective_usd").decimalValue()).isEqualByComparingTo("987654.32");

        // money to cents, GPUs to 3 decimals, waits in seconds
        JsonNode q0 = optimal.get("quarters").get(0);
        assertThat(q0.get("label").asText()).isEqualTo("2027-Q1");
        assertThat(q0.get("planned").get("revenue_usd").decimalValue()).isEqualByComparingTo("1234567.89");
        assertThat(q0.get("planned").get("capex_usd").decimalValue()).isEqualByComparingTo("4567890.12");
        assertThat(q0.get("planned").get("wait_p95_s").decimalValue()).isEqualByComparingTo("200");
        assertThat(q0.get("planned").get("by_region").get("ap-southeast-1").get("installed_gpus").asDouble()).isEqualTo(160);
        assertThat(q0.get("simulated").get("busy_gpus").asDouble()).isEqualTo(98);
        assertThat(optimal.get("totals").get("planned").get("capex_usd").decimalValue()).isEqualByComparingTo("4567890.12");
        assertThat(optimal.get("totals").get("simulated").get("margin_usd").decimalValue()).isEqualByComparingTo("840000");

        // the candidate's capex comes from its site's build cost (SIN-B: 12.5 USD/W)
        PlanSpec.Candidate c = spec.candidates().get(0);
        JsonNode cand = root.get("candidates").get(0);
        assertThat(cand.get("capex_usd").asDouble()).isCloseTo(c.capexUsd(12.5), org.assertj.core.data.Offset.offset(0.01));
        assertThat(cand.get("gpus").asLong()).isEqualTo(c.gpus());
        assertThat(cand.get("lead_time_quarters").asInt()).isEqualTo(2);

        JsonNode bad = root.get("plans").get(1);
        assertThat(bad.get("feasible").asBoolean()).isFalse();
        assertThat(bad.get("schedule")).isEmpty();
        assertThat(bad.get("explanation").get(0).asText()).startsWith("SIN-B-h100 cannot open");
        assertThat(bad.has("simulated")).isFalse();

        assertThat(root.get("calibration").get("wait_p95_s").get(1).asDouble()).isEqualTo(240);
        assertThat(root.get("demand").get(0).get("gpus")).hasSize(4);
    }

    @Test
    void nanAndInfinityBecomeNull() throws Exception {
        Map<String, Object> tree = PlanReport.json(result);
        @SuppressWarnings("unchecked")
        Map<String, Object> optimal = (Map<String, Object>) ((List<Object>) tree.get("plans")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> q0 = (Map<String, Object>) ((List<Object>) optimal.get("quarters")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> planned = (Map<String, Object>) q0.get("planned");
        assertThat(planned).containsEntry("slo_attainment", null);

        String json = PlanReport.toJson(tree);
        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
        JsonNode root = new ObjectMapper().readTree(json);
        assertThat(root.get("plans").get(0).get("quarters").get(0).get("planned").get("slo_attainment").isNull()).isTrue();
        assertThat(root.get("plans").get(1).get("objective_usd").isNull()).isTrue();

        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("a", Double.POSITIVE_INFINITY);
        raw.put("b", List.of(1.5, Double.NaN, 2L));
        raw.put("c", 1.5e8);
        assertThat(PlanReport.toJson(raw)).isEqualTo("{\n  \"a\": null,\n  \"b\": [1.5, null, 2],\n  \"c\": 150000000\n}");
    }

    @Test
    void htmlEscapesTextAndDrawsCharts() {
        String html = PlanReport.html(result);
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script").doesNotContain("<b>markup");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; open early");
        assertThat(html).contains("&amp; its &lt;b&gt;markup&lt;/b&gt;");
        assertThat(html).contains("<svg");
        // four charts: capacity, margin, wait, utilisation
        assertThat(html.split("<svg", -1)).hasSize(5);
        // the schedule names the candidate in its quarter; the infeasible plan shows why
        assertThat(html).contains("SIN-B-h100 (32 H100 at SIN-B)").contains("2027-Q3");
        assertThat(html).contains("ap-southeast-1/inference: 20 GPUs short").contains("infeasible");
        // the worst simulated wait (700 s) is over the 10-minute target and flagged
        assertThat(html).contains("11.7 min (over)");
        // nothing external
        assertThat(html).doesNotContain("<link").doesNotContain(" src=").doesNotContain("<img");
    }

    @Test
    void writeCreatesBothFilesDeterministically(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a/report");
        Path b = tmp.resolve("b");
        PlanReport.write(result, a);
        PlanReport.write(result, b);
        for (String f : List.of(PlanReport.JSON_FILE, PlanReport.HTML_FILE)) {
            assertThat(a.resolve(f)).isRegularFile();
            assertThat(Files.readAllBytes(a.resolve(f))).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
        assertThat(Files.readString(a.resolve("plan.json"), StandardCharsets.UTF_8))
                .isEqualTo(PlanReport.toJson(PlanReport.json(result)) + "\n");
        assertThat(Files.readString(a.resolve("plan.html"), StandardCharsets.UTF_8)).isEqualTo(PlanReport.html(result));
        assertThat(PlanReport.html(result)).isEqualTo(PlanReport.html(result));
        assertThat(PlanReport.toJson(PlanReport.json(result))).isEqualTo(PlanReport.toJson(PlanReport.json(result)));
    }

    @Test
    void unverifiedPlanSaysNotSimulated() {
        Planner.Outcome o = result.optimal();
        Planner.Outcome plain = new Planner.Outcome(o.name(), true, List.of(), o.openQuarter(), o.quarters(), List.of(), o.binding(),
                o.objectiveUsd(), o.solveMillis());
        Planner.Result r = new Planner.Result(spec, result.calibration(), List.of(plain), result.demand(), 1);
        assertThat(PlanReport.html(r)).contains("not simulated").contains("(predicted)");
        assertThat(PlanReport.toJson(PlanReport.json(r))).doesNotContain("\"simulated\"");
    }
}
