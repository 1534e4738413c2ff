package io.archipelago.server.live;

import io.archipelago.core.geo.TwoLevelPlacer;
import io.archipelago.server.api.JobRequest;
import io.archipelago.server.auth.Principal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A request to the engine thread, answered through its future (after the cycle's commit when it changed state). */
sealed interface Command {
    CompletableFuture<?> future();

    record Submit(Principal principal, String tenant, JobRequest request, String idemKey, String idemHash,
                  CompletableFuture<LiveEngine.Submitted> future) implements Command {
    }

    record Cancel(Principal principal, long id, CompletableFuture<JobView> future) implements Command {
    }

    record Node(String node, LiveEngine.NodeAction action, CompletableFuture<Snapshot.NodeStatus> future) implements Command {
    }

    record SiteDown(String site, boolean down, CompletableFuture<Snapshot.SiteStatus> future) implements Command {
    }

    record DryRun(JobRequest request, CompletableFuture<TwoLevelPlacer.Explanation> future) implements Command {
    }

    record ExplainQueued(long id, CompletableFuture<TwoLevelPlacer.Explanation> future) implements Command {
    }

    record Agent(String node, boolean register, CompletableFuture<List<LiveEngine.Assignment>> future) implements Command {
    }

    record Report(String node, long job, int task, boolean finished, boolean ok, CompletableFuture<JobView> future) implements Command {
    }

    record Nodes(String site, CompletableFuture<List<Snapshot.NodeStatus>> future) implements Command {
    }
}
