package io.archipelago.sim.scenario;

import io.archipelago.core.geo.RegionalFleet;

import java.util.List;
import java.util.Objects;

/**
 * The machines of a scenario ({@code fleet:} in YAML, chosen by {@code kind}). Every kind spreads
 * its nodes over {@link #sites()} sites, named {@code site-1 … site-N}, and gives each node
 * {@link #rdmaPerNode()} percent of RDMA bandwidth (100 = one full NIC; 0 = none).
 */
public sealed interface FleetSpec permits FleetSpec.Openb, FleetSpec.SpotGpu, FleetSpec.Generated, FleetSpec.Sized,
        FleetSpec.Regional {

    /** Number of sites (≥ 1); sites are named {@code site-1 … site-N}. */
    int sites();

    /** RDMA bandwidth per node, percent of one NIC (≥ 0). */
    int rdmaPerNode();

    /**
     * The openb node list ({@code kind: openb}).
     *
     * @param gpuNodesOnly {@code nodes: gpu} (default) keeps the GPU nodes of the FGD study; {@code all} adds CPU nodes
     * @param copies       how many copies of the node list to deploy (≥ 1), for scaled-up fleets
     * @param traceDir     folder holding the openb CSVs, or null for the usual search path
     */
    record Openb(boolean gpuNodesOnly, int copies, String traceDir, int sites, int rdmaPerNode) implements FleetSpec {
    }

    /**
     * The spot-GPU trace's node list ({@code kind: spot-gpu}).
     *
     * @param file             the node file, or null for the shared default
     * @param memoryMibPerCore memory given to each CPU core, MiB (YAML {@code memory_gib_per_core}, default 8 GiB)
     */
    record SpotGpu(String file, long memoryMibPerCore, int sites, int rdmaPerNode) implements FleetSpec {
    }

    /** An explicit list of node types, each with a count ({@code kind: generated}). */
    record Generated(List<NodeType> types, int sites, int rdmaPerNode) implements FleetSpec {
        public Generated {
            types = List.copyOf(types);
        }

        /** Total number of nodes. */
        public long nodeCount() {
            return types.stream().mapToLong(NodeType::count).sum();
        }

        /** Total number of GPUs. */
        public long gpuCount() {
            return types.stream().mapToLong(t -> (long) t.count() * t.gpus()).sum();
        }
    }

    /**
     * Identical nodes, as many as the workload's peak concurrent demand × {@code headroom}
     * ({@code kind: sized}); the simulator computes the count.
     *
     * @param template the node (its {@link NodeType#count()} is 0)
     * @param headroom ≥ 1.0; 1.0 sizes the fleet exactly to the peak
     */
    record Sized(NodeType template, double headroom, int sites, int rdmaPerNode) implements FleetSpec {
        public Sized {
            Objects.requireNonNull(template, "template");
        }
    }

    /**
     * A multi-region fleet from a fleet file ({@code kind: regional}; docs/fleet-format.md), or the
     * built-in "SEA AI cloud" demo fleet when no file is given. Sites keep the file's names; RDMA is
     * set per pool.
     *
     * @param file  the fleet file as written in the scenario, or null for the demo fleet
     * @param scale multiplies every pool's node count (&gt; 0; default 1.0)
     * @param fleet the fleet, already read and scaled
     */
    record Regional(String file, double scale, RegionalFleet fleet) implements FleetSpec {
        public Regional {
            Objects.requireNonNull(fleet, "fleet");
        }

        @Override
        public int sites() {
            return fleet.sites().size();
        }

        @Override
        public int rdmaPerNode() {
            return 0;
        }
    }
}
