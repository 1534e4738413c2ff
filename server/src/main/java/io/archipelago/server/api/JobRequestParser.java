package io.archipelago.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteReason;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.sim.engine.PriorityClass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates a job submission against the fleet. Syntax and type errors are 400s; requests that
 * are well-formed but that no part of the fleet could ever run (an unknown GPU model or region, residency
 * no site satisfies, a task larger than any node) are 422s. Every error names the field and the value; a
 * task larger than any node names the dimension that no node has enough of ({@code resources.gpu.count},
 * {@code resources.cpu_milli} or {@code resources.memory_mib}; {@code resources} when only the combination
 * is too large).
 *
 * <pre>{@code
 * {"name": "llm-serve-7",                              optional, [A-Za-z0-9._-]{1,128}
 *  "resources": {"cpu_milli": 8000, "memory_mib": 65536,
 *                "gpu": {"count": 1, "milli": 500, "models": ["H100", "H200"]}},   gpu optional
 *  "gang": 1,                                          1..256 identical tasks, placed all-or-nothing (fewer only
 *                                                      when the fleet's node names are long, see MAX_ALLOC_CHARS)
 *  "tier": "on-demand",                                on-demand | spot | reserved
 *  "priority": "latency-sensitive",                    best-effort | burstable | latency-sensitive
 *  "placement": {"origin": "ap-southeast-1",           where the users are (a region id)
 *                "residency": {"jurisdictions": ["SG", "MY"]} or {"regions": [...]},
 *                "latency_slo_ms": 20},                needs an origin
 *  "duration_s": 3600}                                 optional; 0 or absent = until cancelled
 * }</pre>
 */
public final class JobRequestParser {
    /** Most tasks in one gang. */
    public static final int MAX_GANG = 256;
    /** Longest declared duration: one year. */
    public static final long MAX_DURATION_S = 366L * 24 * 3600;
    /**
     * Longest allocation record ({@code node:gpuMask} per task, comma-separated) the store keeps: the
     * {@code jobs.alloc} column of {@code V1__control_plane.sql}. A gang whose record could be longer would
     * fail at commit, so it is refused up front (422 on {@code gang}).
     */
    public static final int MAX_ALLOC_CHARS = 100_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Set<String> TOP = Set.of("name", "tenant", "resources", "gang", "tier", "priority", "placement", "duration_s");
    private static final Set<String> RESOURCES = Set.of("cpu_milli", "memory_mib", "gpu");
    private static final Set<String> GPU = Set.of("count", "milli", "models");
    private static final Set<String> PLACEMENT = Set.of("origin", "residency", "latency_slo_ms");
    private static final Set<String> RESIDENCY = Set.of("jurisdictions", "regions");

    private final RegionalFleet fleet;
    private final List<NodeSpec> nodes;
    private final int[] siteOfNode;
    private final Set<String> fleetModels = new TreeSet<>();
    private final Set<String> jurisdictions = new TreeSet<>();
    /** Most tasks whose allocation record fits {@link #MAX_ALLOC_CHARS} on this fleet. */
    private final int maxGangByRecord;

    public JobRequestParser(RegionalFleet fleet) {
        this.fleet = fleet;
        RegionalFleet.Layout l = fleet.layout();
        this.nodes = l.nodes();
        this.siteOfNode = l.siteOfNode();
        int longestName = 0;
        int mostGpus = 0;
        for (NodeSpec n : nodes) {
            if (n.gpuCount() > 0 && n.gpuModel() >= 0) {
                fleetModels.add(GpuModels.nameOf(n.gpuModel()));
            }
            longestName = Math.max(longestName, n.name().length());
            mostGpus = Math.max(mostGpus, n.gpuCount());
        }
        int entry = longestName + 1 + String.valueOf((1L << mostGpus) - 1).length() + 1;
        maxGangByRecord = Math.max(1, (MAX_ALLOC_CHARS + 1) / entry);
        for (Region r : fleet.regions()) {
            jurisdictions.add(r.jurisdiction());
        }
    }

    /** The validated request in {@code body}; throws {@link ApiException} (nothing is stored) otherwise. */
    public JobRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("", "the body must be a JSON object describing the job, got " + kind(body));
        }
        onlyKnown(body, TOP, "");
        String name = "job";
        if (body.has("name")) {
            name = text(body.get("name"), "name");
            if (!NAME.matcher(name).matches()) {
                throw ApiException.invalid("name", "name '" + clip(name) + "': expected 1..128 characters from A-Z a-z 0-9 . _ -");
            }
        }
        JsonNode res = body.get("resources");
        if (res == null || res.isNull()) {
            throw ApiException.invalid("resources", "missing field resources: give at least {\"cpu_milli\": ..., \"memory_mib\": ...}");
        }
        if (!res.isObject()) {
            throw ApiException.invalid("resources", "resources: expected an object, got " + kind(res));
        }
        onlyKnown(res, RESOURCES, "resources.");
        int cpu = (int) integer(res, "cpu_milli", "resources.cpu_milli", true, 0, 0, 1_000_000_000L);
        long mem = integer(res, "memory_mib", "resources.memory_mib", true, 0, 0, 1L << 40);
        int gpuCount = 0;
        int gpuMilli = 0;
        List<String> models = List.of();
        JsonNode gpu = res.get("gpu");
        if (gpu != null && !gpu.isNull()) {
            if (!gpu.isObject()) {
                throw ApiException.invalid("resources.gpu", "resources.gpu: expected an object such as {\"count\": 1, \"milli\": 500}, got " + kind(gpu));
            }
            onlyKnown(gpu, GPU, "resources.gpu.");
            gpuCount = (int) integer(gpu, "count", "resources.gpu.count", true, 0, 0, NodeSpec.MAX_GPUS);
            gpuMilli = (int) integer(gpu, "milli", "resources.gpu.milli", false, 1000, 1, 1000);
            if (gpuCount > 1 && gpuMilli != 1000) {
                throw ApiException.invalid("resources.gpu.milli", "resources.gpu.milli " + gpuMilli + " with count " + gpuCount
                        + ": a multi-GPU task takes whole GPUs (milli 1000); share a GPU only with count 1");
            }
            if (gpuCount == 0) {
                gpuMilli = 0;
            }
            models = models(gpu.get("models"));
        }
        if (cpu == 0 && gpuCount == 0) {
            throw ApiException.invalid("resources", "the job requests neither CPU nor GPU; set resources.cpu_milli > 0 or a GPU");
        }
        int gang = (int) integer(body, "gang", "gang", false, 1, 1, MAX_GANG);
        Tier tier = Tier.ON_DEMAND;
        if (body.has("tier")) {
            String t = text(body.get("tier"), "tier");
            tier = Arrays.stream(Tier.values()).filter(x -> x.label().equals(t)).findFirst().orElseThrow(() -> ApiException.invalid("tier",
                    "tier '" + clip(t) + "': expected one of " + Arrays.stream(Tier.values()).map(Tier::label).collect(Collectors.joining(", "))));
        }
        PriorityClass prio = PriorityClass.BURSTABLE;
        if (body.has("priority")) {
            String p = text(body.get("priority"), "priority");
            prio = Arrays.stream(PriorityClass.values()).filter(x -> x.label().equals(p)).findFirst().orElseThrow(() -> ApiException.invalid(
                    "priority", "priority '" + clip(p) + "': expected one of "
                            + Arrays.stream(PriorityClass.values()).map(PriorityClass::label).collect(Collectors.joining(", "))));
        }
        String origin = null;
        List<String> jur = List.of();
        List<String> regs = List.of();
        int slo = PlacementRules.NO_SLO;
        JsonNode pl = body.get("placement");
        if (pl != null && !pl.isNull()) {
            if (!pl.isObject()) {
                throw ApiException.invalid("placement", "placement: expected an object, got " + kind(pl));
            }
            onlyKnown(pl, PLACEMENT, "placement.");
            if (pl.has("origin")) {
                origin = text(pl.get("origin"), "placement.origin");
                if (fleet.regionIndex(origin) < 0) {
                    throw ApiException.unsatisfiable("placement.origin", "unknown region '" + clip(origin) + "'; the fleet's regions are "
                            + fleet.regions().stream().map(Region::id).collect(Collectors.joining(", ")));
                }
            }
            JsonNode r = pl.get("residency");
            if (r != null && !r.isNull()) {
                if (!r.isObject()) {
                    throw ApiException.invalid("placement.residency", "placement.residency: expected an object such as {\"jurisdictions\": [\"SG\"]}, got " + kind(r));
                }
                onlyKnown(r, RESIDENCY, "placement.residency.");
                jur = strings(r.get("jurisdictions"), "placement.residency.jurisdictions");
                for (String j : jur) {
                    if (!jurisdictions.contains(j)) {
                        throw ApiException.unsatisfiable("placement.residency.jurisdictions", "unknown jurisdiction '" + clip(j)
                                + "'; the fleet's jurisdictions are " + String.join(", ", jurisdictions));
                    }
                }
                regs = strings(r.get("regions"), "placement.residency.regions");
                for (String g : regs) {
                    if (fleet.regionIndex(g) < 0) {
                        throw ApiException.unsatisfiable("placement.residency.regions", "unknown region '" + clip(g) + "'; the fleet's regions are "
                                + fleet.regions().stream().map(Region::id).collect(Collectors.joining(", ")));
                    }
                }
            }
            if (pl.has("latency_slo_ms")) {
                slo = (int) integer(pl, "latency_slo_ms", "placement.latency_slo_ms", true, 0, 1, 60_000);
                if (origin == null) {
                    throw ApiException.invalid("placement.latency_slo_ms", "placement.latency_slo_ms " + slo
                            + " needs placement.origin, the region the latency is measured from");
                }
            }
        }
        long duration = integer(body, "duration_s", "duration_s", false, 0, 0, MAX_DURATION_S);
        JobRequest req = new JobRequest(name, cpu, mem, gpuCount, gpuMilli, models, gang, tier, prio, origin, jur, regs, slo, duration);
        checkSatisfiable(req);
        return req;
    }

    /** 422 unless some site the rules allow has a node able to hold one task, and the fleet could hold the gang. */
    /** Everything {@link #checkSatisfiable} reads of a request. */
    private record Demand(int cpu, long mem, int gpuCount, int gpuMilli, List<String> models, int gang, PlacementRules rules) {
    }

    /** Verdicts of {@link #checkSatisfiable} by demand (null = satisfiable): the check is O(nodes) and requests repeat. */
    private final java.util.concurrent.ConcurrentHashMap<Demand, java.util.Optional<ApiException>> verdicts =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void checkSatisfiable(JobRequest r) {
        Demand d = new Demand(r.cpuMilli(), r.memoryMib(), r.gpuCount(), r.gpuMilli(), r.models(), r.gang(), r.rules());
        java.util.Optional<ApiException> v = verdicts.get(d);
        if (v == null) {
            try {
                checkSatisfiableNow(r);
                v = java.util.Optional.empty();
            } catch (ApiException e) {
                v = java.util.Optional.of(e);
            }
            if (verdicts.size() >= 100_000) {
                verdicts.clear();
            }
            verdicts.put(d, v);
        }
        if (v.isPresent()) {
            ApiException e = v.get();
            throw new ApiException(e.status(), e.type(), e.field(), e.getMessage());
        }
    }

    private void checkSatisfiableNow(JobRequest r) {
        PlacementRules rules = r.rules();
        boolean[] siteOk = new boolean[fleet.sites().size()];
        boolean any = false;
        for (int s = 0; s < siteOk.length; s++) {
            siteOk[s] = fleet.check(rules, s) == SiteReason.ELIGIBLE;
            any |= siteOk[s];
        }
        if (!any) {
            throw ApiException.unsatisfiable("placement", "no site satisfies " + rules.describe() + "; relax the residency or the latency SLO");
        }
        long modelMask = r.task("probe").allowedModels();
        boolean holds = false;
        boolean holdsAnywhere = false;
        boolean enoughGpus = false;
        boolean enoughCpu = false;
        boolean enoughMemory = false;
        long gangCapacity = 0;
        for (int i = 0; i < nodes.size(); i++) {
            NodeSpec n = nodes.get(i);
            boolean gpus = n.gpuCount() >= r.gpuCount()
                    && (r.gpuCount() == 0 || modelMask == 0 || (n.gpuModel() >= 0 && (modelMask & (1L << n.gpuModel())) != 0));
            enoughGpus |= gpus;
            enoughCpu |= n.cpuMilli() >= r.cpuMilli();
            enoughMemory |= n.memoryMib() >= r.memoryMib();
            boolean fits = gpus && n.cpuMilli() >= r.cpuMilli() && n.memoryMib() >= r.memoryMib();
            holdsAnywhere |= fits;
            if (fits && siteOk[siteOfNode[i]]) {
                holds = true;
                gangCapacity += perNode(n, r);
            }
        }
        if (!holdsAnywhere) {
            String field = !enoughGpus ? "resources.gpu.count" : !enoughCpu ? "resources.cpu_milli"
                    : !enoughMemory ? "resources.memory_mib" : "resources";
            throw ApiException.unsatisfiable(field, "no node in the fleet can hold one task of " + describe(r)
                    + "; the largest nodes have " + largest());
        }
        if (!holds) {
            throw ApiException.unsatisfiable("placement", "no site allowed by " + rules.describe() + " has a node that can hold one task of "
                    + describe(r) + "; relax the residency or latency SLO, or allow more GPU models");
        }
        if (r.gang() > maxGangByRecord) {
            throw ApiException.unsatisfiable("gang", "gang " + r.gang() + ": on this fleet a job has at most " + maxGangByRecord
                    + " tasks (its allocation record is limited to " + MAX_ALLOC_CHARS + " characters); split the job");
        }
        if (gangCapacity < r.gang()) {
            throw ApiException.unsatisfiable("gang", "gang " + r.gang() + ": the sites allowed by " + rules.describe()
                    + " could hold at most " + gangCapacity + " such tasks even when empty");
        }
    }

    private static long perNode(NodeSpec n, JobRequest r) {
        long k = Long.MAX_VALUE;
        if (r.cpuMilli() > 0) {
            k = Math.min(k, n.cpuMilli() / r.cpuMilli());
        }
        if (r.memoryMib() > 0) {
            k = Math.min(k, n.memoryMib() / r.memoryMib());
        }
        if (r.gpuCount() > 0) {
            k = Math.min(k, r.gpuMilli() < 1000 ? (long) n.gpuCount() * (1000 / r.gpuMilli()) : n.gpuCount() / r.gpuCount());
        }
        return k == Long.MAX_VALUE ? 0 : k;
    }

    private String largest() {
        int cpu = 0;
        long mem = 0;
        int gpus = 0;
        for (NodeSpec n : nodes) {
            cpu = Math.max(cpu, n.cpuMilli());
            mem = Math.max(mem, n.memoryMib());
            gpus = Math.max(gpus, n.gpuCount());
        }
        return cpu + " milli-CPU, " + mem + " MiB memory, " + gpus + " GPUs (models " + String.join(", ", fleetModels) + ")";
    }

    private static String describe(JobRequest r) {
        return r.cpuMilli() + " milli-CPU, " + r.memoryMib() + " MiB"
                + (r.gpuCount() == 0 ? "" : ", " + r.gpuCount() + " x " + r.gpuMilli() + " milli-GPU"
                + (r.models().isEmpty() ? "" : " of " + String.join("|", r.models())));
    }

    private List<String> models(JsonNode n) {
        List<String> out = strings(n, "resources.gpu.models");
        for (String m : out) {
            if (GpuModels.idOf(m) < 0) {
                throw ApiException.unsatisfiable("resources.gpu.models", "unknown GPU model '" + clip(m) + "'; the fleet has "
                        + String.join(", ", fleetModels));
            }
            if (!fleetModels.contains(m)) {
                throw ApiException.unsatisfiable("resources.gpu.models", "GPU model " + m + " is not in this fleet; it has "
                        + String.join(", ", fleetModels));
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiException.invalid(field, field + ": expected an array of strings, got " + kind(n));
        }
        if (n.size() > 64) {
            throw ApiException.invalid(field, field + ": " + n.size() + " entries; at most 64");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode e : n) {
            out.add(text(e, field));
        }
        return new ArrayList<>(out);
    }

    private static String text(JsonNode n, String field) {
        if (n == null || !n.isTextual()) {
            throw ApiException.invalid(field, field + ": expected a string, got " + kind(n));
        }
        return n.asText();
    }

    /** An integer field in [min, max]; {@code def} when absent and not required. */
    private static long integer(JsonNode parent, String key, String field, boolean required, long def, long min, long max) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiException.invalid(field, "missing field " + field + " (an integer " + min + ".." + max + ")");
            }
            return def;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalid(field, field + ": expected an integer " + min + ".." + max + ", got " + kind(n));
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw ApiException.invalid(field, field + " " + v + " outside " + min + ".." + max);
        }
        return v;
    }

    private static void onlyKnown(JsonNode obj, Set<String> known, String prefix) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw ApiException.invalid(prefix + clip(f), "unknown field " + prefix + clip(f) + "; expected one of "
                        + known.stream().sorted().map(k -> prefix + k).collect(Collectors.joining(", ")));
            }
        }
    }

    /** A short description of a JSON value's type and value, for messages. */
    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "string \"" + clip(n.asText()) + "\"";
        }
        if (n.isNumber()) {
            return "number " + clip(n.asText());
        }
        if (n.isBoolean()) {
            return "boolean " + n.asText();
        }
        return (n.isArray() ? "an array" : "an object").toLowerCase(Locale.ROOT);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
