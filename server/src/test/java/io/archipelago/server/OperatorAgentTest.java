package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.archipelago.server.ApiIntegrationTest.Env;
import io.archipelago.server.ApiIntegrationTest.JobSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.archipelago.server.ApiIntegrationTest.SITES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's and the node agent's side of the API, on H2 and on PostgreSQL: fleet status, cordon,
 * uncordon, drain, site outages, dry runs, and node agents that register, run tasks, report them, and go
 * silent.
 *
 * <p>One demo server per database kind serves the class. Each test keeps to its own corner of the fleet
 * (by GPU model and residency) and puts back what it changed: BKK-A's sixteen V100M32 nodes for cordon and
 * drain, the two ap-southeast-6 sites (MNL-A: H20, MNL-B: A10) for outages, CGK-A's H20 nodes (the only H20s
 * in jurisdiction ID) for node agents. The heartbeat-timeout test runs its own server with a 300 ms timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorAgentTest {
    @TempDir
    static Path root;

    private final Map<String, Env> envs = new LinkedHashMap<>();

    Env env(String kind) {
        return envs.computeIfAbsent(kind, k -> Env.start(TestDatabases.config(k, root.resolve(k)).withDemo(true)));
    }

    @AfterAll
    void stopServers() {
        envs.values().forEach(e -> e.server().close());
    }

    /** A V100M32 job: only BKK-A's V100 nodes can run it. */
    static String v100(int gpus) {
        return JobSpec.cpu(1000, 1024).gpus(gpus, 1000).models("V100M32").json();
    }

    /** An H20 job in jurisdiction ID: only CGK-A's H20 nodes can run it. */
    static final String H20_IN_ID = JobSpec.cpu(1000, 1024).gpus(1, 1000).models("H20").jurisdictions("ID").json();

    static JsonNode nodes(Env e, String site) {
        Http.Res r = e.http().get("/api/v1/sites/" + site + "/nodes", e.operator());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().get("nodes");
    }

    static JsonNode node(Env e, String site, String name) {
        for (JsonNode n : nodes(e, site)) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + site);
    }

    static List<String> nodeNames(Env e, String site, String model) {
        List<String> out = new ArrayList<>();
        nodes(e, site).forEach(n -> {
            if (n.get("gpuModel").asText().equals(model)) {
                out.add(n.get("name").asText());
            }
        });
        return out;
    }

    static JsonNode nodeAction(Env e, String node, String action) {
        Http.Res r = e.http().post("/api/v1/nodes/" + node + "/" + action, e.operator(), null);
        assertThat(r.status()).as("%s %s: %s", action, node, r.text()).isEqualTo(200);
        return r.json();
    }

    static JsonNode siteAction(Env e, String site, String action) {
        Http.Res r = e.http().post("/api/v1/sites/" + site + "/" + action, e.operator(), null);
        assertThat(r.status()).as("%s %s: %s", action, site, r.text()).isEqualTo(200);
        return r.json();
    }

    static String nodeOf(JsonNode job) {
        return job.get("placement").get("tasks").get(0).get("node").asText();
    }

    /** Cordons every node in {@code nodes} but {@code keep}; returns the cordoned ones. */
    static List<String> cordonAllBut(Env e, List<String> nodes, String keep) {
        List<String> out = new ArrayList<>();
        for (String n : nodes) {
            if (!n.equals(keep)) {
                nodeAction(e, n, "cordon");
                out.add(n);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ fleet

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void fleetStatusListsAllNineSitesUp(String kind) {
        Env e = env(kind);
        Http.Res r = e.http().get("/api/v1/fleet", e.operator());
        assertThat(r.status()).isEqualTo(200);
        JsonNode fleet = r.json();
        assertThat(fleet.get("fleet").asText()).isEqualTo("sea-ai-cloud");
        List<String> names = new ArrayList<>();
        int nodes = 0;
        for (JsonNode s : fleet.get("sites")) {
            names.add(s.get("name").asText());
            assertThat(s.get("down").asBoolean()).as("site %s", s).isFalse();
            assertThat(s.get("nodesUp").asInt()).isEqualTo(s.get("nodes").asInt());
            nodes += s.get("nodes").asInt();
        }
        assertThat(names).containsExactlyElementsOf(SITES);
        assertThat(nodes).isEqualTo(768);
        assertThat(fleet.get("gpus").asDouble()).isEqualTo(6144.0);
        assertThat(fleet.get("queued").has("burstable")).isTrue();
    }

    // ------------------------------------------------------------------ nodes

    /**
     * Sixteen 7-GPU V100 jobs on BKK-A's sixteen empty 8-GPU V100 nodes: fifteen take one node each, the
     * sixteenth fits only on the node already running a 1-GPU job; while that node is cordoned it waits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aCordonedNodeTakesNoNewJobsButKeepsItsRunningOneUntilUncordoned(String kind) {
        Env e = env(kind);
        String acme = e.tenant("acme-ai");
        List<Long> jobs = new ArrayList<>();
        String cordoned = null;
        try {
            JsonNode first = e.created(acme, v100(1));
            jobs.add(first.get("id").asLong());
            cordoned = nodeOf(first);
            assertThat(cordoned).startsWith("BKK-A-v100-");

            JsonNode status = nodeAction(e, cordoned, "cordon");
            assertThat(status.get("state").asText()).isEqualTo("cordoned");
            assertThat(status.get("tasks").asInt()).isEqualTo(1);

            List<JsonNode> seven = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                JsonNode j = e.created(acme, v100(7));
                jobs.add(j.get("id").asLong());
                seven.add(j);
            }
            long waiting = seven.get(15).get("id").asLong();
            for (JsonNode j : seven.subList(0, 15)) {
                assertThat(j.get("state").asText()).isEqualTo("running");
                assertThat(nodeOf(j)).as("job %s", j.get("id")).isNotEqualTo(cordoned);
            }
            JsonNode w = e.job(acme, waiting);
            assertThat(w.get("state").asText()).as("only the cordoned node has 7 free V100s").isEqualTo("queued");
            assertThat(e.job(acme, first.get("id").asLong()).get("placement").get("tasks").get(0).get("node").asText())
                    .as("the running job stays on the cordoned node").isEqualTo(cordoned);
            assertThat(node(e, "BKK-A", cordoned).get("state").asText()).isEqualTo("cordoned");

            JsonNode lifted = nodeAction(e, cordoned, "uncordon");
            assertThat(lifted.get("state").asText()).isEqualTo("ready");
            String node = cordoned;
            JsonNode placed = Env.await(() -> e.job(acme, waiting), j -> j.get("state").asText().equals("running"),
                    "the waiting job to be placed once the node is uncordoned");
            assertThat(nodeOf(placed)).isEqualTo(node);
            assertThat(node(e, "BKK-A", cordoned).get("gpuUsed")).allSatisfy(g -> assertThat(g.asInt()).isEqualTo(1000));
            cordoned = null;
        } finally {
            if (cordoned != null) {
                nodeAction(e, cordoned, "uncordon");
            }
            jobs.forEach(id -> e.http().delete("/api/v1/jobs/" + id, acme));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void drainingANodeRequeuesItsJobsWhichArePlacedElsewhere(String kind) {
        Env e = env(kind);
        String acme = e.tenant("acme-ai");
        JsonNode a = e.created(acme, v100(2));
        JsonNode b = e.created(acme, v100(2));
        String drained = nodeOf(a);
        try {
            JsonNode status = nodeAction(e, drained, "drain");
            assertThat(status.get("state").asText()).as("a drained node is cordoned").isEqualTo("cordoned");
            assertThat(status.get("tasks").asInt()).isZero();
            assertThat(status.get("gpuUsed")).allSatisfy(g -> assertThat(g.asInt()).isZero());
            for (JsonNode before : List.of(a, b)) {
                long id = before.get("id").asLong();
                JsonNode after = e.job(acme, id);
                assertThat(after.get("state").asText()).isEqualTo("running");
                assertThat(nodeOf(after)).isNotEqualTo(drained).startsWith("BKK-A-v100-");
                if (nodeOf(before).equals(drained)) {
                    assertThat(after.get("attempts").asInt()).isEqualTo(2);
                    assertThat(e.eventKinds(acme, id)).containsExactly("submitted", "placed", "requeued", "placed");
                    JsonNode events = e.http().get("/api/v1/jobs/" + id + "/events", acme).json().get("events");
                    assertThat(events.get(2).get("detail").asText()).isEqualTo("node " + drained + " drained by an operator");
                } else {
                    assertThat(after.get("placement")).as("a job on another node is untouched").isEqualTo(before.get("placement"));
                }
            }
        } finally {
            nodeAction(e, drained, "uncordon");
            e.cancel(acme, a.get("id").asLong());
            e.cancel(acme, b.get("id").asLong());
        }
    }

    // ------------------------------------------------------------------ sites

    /**
     * Two jobs restricted to ap-southeast-6 (MNL-A: H20, MNL-B: A10), both placed on MNL-A: one takes any GPU,
     * one only H20. MNL-A goes down: the first fails over to MNL-B, the second has nowhere to go and waits,
     * explaining why; MNL-A comes back and the second runs there again.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aSiteOutageMovesJobsWithinTheirRulesAndStrandsOnlyThoseWithNowhereElseToGo(String kind) {
        Env e = env(kind);
        String acme = e.tenant("acme-ai");
        String anyGpu = JobSpec.cpu(1000, 1024).gpus(1, 1000).regions("ap-southeast-6").json();
        String h20Only = JobSpec.cpu(1000, 1024).gpus(1, 1000).models("H20").regions("ap-southeast-6").json();
        long flexible;
        long pinned;
        siteAction(e, "MNL-B", "down");
        try {
            flexible = e.created(acme, anyGpu).get("id").asLong();
            pinned = e.created(acme, h20Only).get("id").asLong();
        } finally {
            siteAction(e, "MNL-B", "up");
        }
        try {
            assertThat(e.job(acme, flexible).get("placement").get("site").asText()).isEqualTo("MNL-A");
            assertThat(e.job(acme, pinned).get("placement").get("site").asText()).isEqualTo("MNL-A");

            JsonNode down = siteAction(e, "MNL-A", "down");
            assertThat(down.get("down").asBoolean()).isTrue();
            assertThat(down.get("nodesUp").asInt()).isZero();
            assertThat(down.get("runningJobs").asInt()).isZero();

            JsonNode moved = e.job(acme, flexible);
            assertThat(moved.get("state").asText()).isEqualTo("running");
            assertThat(moved.get("placement").get("site").asText()).isEqualTo("MNL-B");
            assertThat(moved.get("placement").get("region").asText()).isEqualTo("ap-southeast-6");
            assertThat(e.eventKinds(acme, flexible)).containsExactly("submitted", "placed", "requeued", "placed");

            JsonNode stranded = e.job(acme, pinned);
            assertThat(stranded.get("state").asText()).isEqualTo("queued");
            assertThat(stranded.get("explanation").get("summary").asText()).isEqualTo("site MNL-A taken down by an operator");
            JsonNode sites = stranded.get("explanation").get("sites");
            assertThat(sites).hasSize(SITES.size());
            assertThat(sites).allSatisfy(s -> assertThat(s.get("verdict").asText()).isEqualTo("rejected"));
            JsonNode mnlA = ApiIntegrationTest.find(sites, "MNL-A");
            assertThat(mnlA.get("reason").asText()).isEqualTo("no node fits");
            assertThat(mnlA.get("node_reasons").get("node unavailable").asInt()).as("MNL-A's verdict names the outage: %s", mnlA)
                    .isEqualTo(16);
            assertThat(ApiIntegrationTest.find(sites, "MNL-B").get("reason").asText()).isEqualTo("no allowed GPU model");
            assertThat(e.eventKinds(acme, pinned)).containsExactly("submitted", "placed", "requeued");

            boolean listedDown = false;
            for (JsonNode s : e.http().get("/api/v1/fleet", e.operator()).json().get("sites")) {
                listedDown |= s.get("name").asText().equals("MNL-A") && s.get("down").asBoolean();
            }
            assertThat(listedDown).as("fleet status shows MNL-A down").isTrue();

            JsonNode up = siteAction(e, "MNL-A", "up");
            assertThat(up.get("down").asBoolean()).isFalse();
            assertThat(up.get("nodesUp").asInt()).isEqualTo(16);
            JsonNode back = e.job(acme, pinned);
            assertThat(back.get("state").asText()).isEqualTo("running");
            assertThat(back.get("placement").get("site").asText()).isEqualTo("MNL-A");
            assertThat(e.job(acme, flexible).get("placement")).as("the moved job stays where it went").isEqualTo(moved.get("placement"));
        } finally {
            siteAction(e, "MNL-A", "up");
            e.http().delete("/api/v1/jobs/" + flexible, acme);
            e.http().delete("/api/v1/jobs/" + pinned, acme);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDryRunAnswersPerSiteVerdictsAndStoresNothing(String kind) {
        Env e = env(kind);
        int jobs = e.allJobs().size();
        JsonNode bkk = nodes(e, "BKK-A");

        Http.Res r = e.http().post("/api/v1/dry-run", e.operator(), v100(8));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode ex = r.json();
        assertThat(ex.get("chosen_site").asText()).isEqualTo("BKK-A");
        assertThat(ex.get("chosen_node").asText()).startsWith("BKK-A-v100-");
        assertThat(ex.get("sites")).hasSize(SITES.size());
        for (JsonNode s : ex.get("sites")) {
            if (s.get("site").asText().equals("BKK-A")) {
                assertThat(s.get("verdict").asText()).isEqualTo("candidate");
                assertThat(s.get("best_node").asText()).isEqualTo(ex.get("chosen_node").asText());
                assertThat(s.get("components").has("fragmentation")).isTrue();
            } else {
                assertThat(s.get("verdict").asText()).isEqualTo("rejected");
                assertThat(s.get("reason").asText()).isEqualTo("no allowed GPU model");
            }
        }

        Http.Res none = e.http().post("/api/v1/dry-run", e.operator(), H20_IN_ID.replace("\"count\":1", "\"count\":8")
                .replace("\"resources\"", "\"gang\":33,\"resources\""));
        assertThat(none.status()).as("33 whole H20 nodes in ID: CGK-A has 32: %s", none.text()).isEqualTo(422);

        assertThat(e.allJobs()).as("a dry run stores no job").hasSize(jobs);
        assertThat(nodes(e, "BKK-A")).as("a dry run allocates nothing").isEqualTo(bkk);
    }

    // ------------------------------------------------------------------ node agents

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aNodeAgentRunsItsTasksAndTheirReportsEndTheJob(String kind) {
        Env e = env(kind);
        String acme = e.tenant("acme-ai");
        List<String> h20 = nodeNames(e, "CGK-A", "H20");
        String agentNode = h20.get(0);
        Http.Res reg = e.http().post("/api/v1/agent/nodes/" + agentNode + "/register", e.agent(), null);
        assertThat(reg.status()).as(reg.text()).isEqualTo(200);
        assertThat(reg.json().get("heartbeat_timeout_ms").asLong()).isEqualTo(30_000);
        assertThat(reg.json().get("tasks")).isEmpty();
        assertThat(node(e, "CGK-A", agentNode).get("agent").asBoolean()).isTrue();
        List<String> cordoned = cordonAllBut(e, h20, agentNode);
        try {
            JsonNode job = e.created(acme, JobSpec.cpu(1000, 1024).gpus(1, 1000).models("H20").jurisdictions("ID").duration(1).json());
            long id = job.get("id").asLong();
            assertThat(nodeOf(job)).isEqualTo(agentNode);
            assertThat(job.get("expected_end").isNull()).as("a node agent, not a timer, ends the job").isTrue();

            Http.Res beat = e.http().post("/api/v1/agent/nodes/" + agentNode + "/heartbeat", e.agent(), null);
            assertThat(beat.status()).isEqualTo(200);
            assertThat(beat.json().get("tasks")).hasSize(1);
            JsonNode task = beat.json().get("tasks").get(0);
            assertThat(task.get("job").asLong()).isEqualTo(id);
            assertThat(task.get("task").asInt()).isZero();
            assertThat(task.get("state").asText()).isEqualTo("run");
            assertThat(task.get("gpus")).isEqualTo(job.get("placement").get("tasks").get(0).get("gpus"));

            String report = "/api/v1/agent/nodes/" + agentNode + "/tasks/" + id + "/0/";
            Http.Res started = e.http().post(report + "started", e.agent(), null);
            assertThat(started.status()).as(started.text()).isEqualTo(200);
            assertThat(started.json().get("state").asText()).isEqualTo("running");
            Http.Res elsewhere = e.http().post("/api/v1/agent/nodes/" + h20.get(1) + "/tasks/" + id + "/0/started", e.agent(), null);
            assertThat(elsewhere.status()).as("another node cannot report this task").isEqualTo(409);

            Http.Res finished = e.http().post(report + "finished", e.agent(), "{\"ok\":true}");
            assertThat(finished.status()).as(finished.text()).isEqualTo(200);
            assertThat(finished.json().get("state").asText()).isEqualTo("succeeded");
            assertThat(e.job(acme, id).get("state").asText()).isEqualTo("succeeded");
            assertThat(e.eventKinds(acme, id)).containsExactly("submitted", "placed", "started", "task-ended", "succeeded");
            assertThat(e.http().post("/api/v1/agent/nodes/" + agentNode + "/heartbeat", e.agent(), null).json().get("tasks"))
                    .as("nothing left to run").isEmpty();
        } finally {
            cordoned.forEach(n -> nodeAction(e, n, "uncordon"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aSilentNodeAgentIsMarkedDownAndItsJobRequeued(String kind) {
        Env e = Env.start(TestDatabases.config(kind, root.resolve("silent-" + kind)).withDemo(true).withHeartbeatTimeout(300));
        try {
            String acme = e.tenant("acme-ai");
            List<String> h20 = nodeNames(e, "CGK-A", "H20");
            String agentNode = h20.get(0);
            cordonAllBut(e, h20, agentNode);
            assertThat(e.http().post("/api/v1/agent/nodes/" + agentNode + "/register", e.agent(), null).status()).isEqualTo(200);
            long id = e.created(acme, H20_IN_ID).get("id").asLong();
            assertThat(nodeOf(e.job(acme, id))).isEqualTo(agentNode);

            Env.await(() -> e.job(acme, id), j -> j.get("state").asText().equals("queued"), "the silent agent's job to be requeued");
            assertThat(node(e, "CGK-A", agentNode).get("state").asText()).as("the silent agent's node").isEqualTo("down");
            JsonNode job = e.job(acme, id);
            assertThat(job.get("state").asText()).as("its only possible node is down").isEqualTo("queued");
            assertThat(e.eventKinds(acme, id)).containsExactly("submitted", "placed", "requeued");
            JsonNode events = e.http().get("/api/v1/jobs/" + id + "/events", acme).json().get("events");
            assertThat(events.get(2).get("detail").asText()).isEqualTo("node " + agentNode + " missed heartbeats for 300 ms");

            assertThat(e.http().post("/api/v1/agent/nodes/" + agentNode + "/heartbeat", e.agent(), null).status())
                    .as("the agent comes back").isEqualTo(200);
            JsonNode history = Env.await(() -> e.http().get("/api/v1/jobs/" + id + "/events", acme).json().get("events"),
                    ev -> ev.size() >= 4, "the job to be placed again");
            assertThat(history.get(3).get("kind").asText()).isEqualTo("placed");
            assertThat(history.get(3).get("detail").asText()).contains("placed on " + agentNode);
        } finally {
            e.server().close();
        }
    }
}
