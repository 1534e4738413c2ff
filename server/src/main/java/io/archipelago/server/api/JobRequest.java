package io.archipelago.server.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.sim.engine.PriorityClass;

import java.util.List;

/**
 * A validated job submission (see {@link JobRequestParser} for the JSON form and its limits). A job is
 * {@code gang} identical tasks placed all-or-nothing.
 *
 * @param durationS expected run time in seconds; virtual nodes finish the job after it (divided by the
 *                  clock's acceleration); 0 = runs until cancelled
 */
public record JobRequest(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuMilli, List<String> models,
                         int gang, Tier tier, PriorityClass priority, String origin, List<String> jurisdictions,
                         List<String> regions, int latencySloMs, long durationS) {
    public JobRequest {
        models = List.copyOf(models);
        jurisdictions = List.copyOf(jurisdictions);
        regions = List.copyOf(regions);
    }

    /** The placement rules (origin, residency, latency SLO). */
    public PlacementRules rules() {
        return new PlacementRules(origin, jurisdictions, regions, latencySloMs);
    }

    /** One task of the job, as the engine sees it. */
    public TaskSpec task(String taskName) {
        long mask = 0;
        for (String m : models) {
            mask |= 1L << GpuModels.idOf(m);
        }
        return new TaskSpec(taskName, cpuMilli, memoryMib, gpuCount, gpuMilli, String.join("|", models), mask, Qos.UNSPECIFIED,
                -1, -1, -1, 0, -1, 0);
    }

    /** The canonical JSON form (the same keys {@link JobRequestParser} reads). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        ObjectNode r = o.putObject("resources");
        r.put("cpu_milli", cpuMilli);
        r.put("memory_mib", memoryMib);
        if (gpuCount > 0) {
            ObjectNode g = r.putObject("gpu");
            g.put("count", gpuCount);
            g.put("milli", gpuMilli);
            if (!models.isEmpty()) {
                models.forEach(g.putArray("models")::add);
            }
        }
        o.put("gang", gang);
        o.put("tier", tier.label());
        o.put("priority", priority.label());
        if (origin != null || !jurisdictions.isEmpty() || !regions.isEmpty() || latencySloMs != PlacementRules.NO_SLO) {
            ObjectNode p = o.putObject("placement");
            if (origin != null) {
                p.put("origin", origin);
            }
            if (!jurisdictions.isEmpty() || !regions.isEmpty()) {
                ObjectNode res = p.putObject("residency");
                if (!jurisdictions.isEmpty()) {
                    jurisdictions.forEach(res.putArray("jurisdictions")::add);
                }
                if (!regions.isEmpty()) {
                    regions.forEach(res.putArray("regions")::add);
                }
            }
            if (latencySloMs != PlacementRules.NO_SLO) {
                p.put("latency_slo_ms", latencySloMs);
            }
        }
        if (durationS > 0) {
            o.put("duration_s", durationS);
        }
        return o;
    }
}
