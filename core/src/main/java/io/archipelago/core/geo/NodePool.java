package io.archipelago.core.geo;

import io.archipelago.core.model.GpuModels;

import java.util.Objects;

/**
 * Identical servers in one site.
 *
 * @param name        pool name, unique within its site (e.g. {@code h100}); node names are
 *                    {@code <site>-<pool>-<nnn>}
 * @param site        name of its {@link Site}
 * @param gpuModel    GPU model (a {@link GpuModels} name), or "" for CPU-only servers
 * @param gpusPerNode GPUs per server (0..16; 0 with {@code gpuModel} "")
 * @param cpuCores    allocatable CPU cores per server (&gt; 0)
 * @param memoryGib   allocatable memory per server, GiB (&gt; 0)
 * @param rdma        RDMA bandwidth per server, percent of one NIC (≥ 0)
 * @param peakKw      peak IT power per server, kW (sizes the facility)
 * @param avgKw       average IT power per fully busy server, kW (drives the energy bill)
 * @param capexUsd    purchase price per server, USD (0 = fully depreciated); depreciated over
 *                    {@link Finance#serverYears()}
 * @param nodes       number of servers (≥ 1)
 */
public record NodePool(String name, String site, String gpuModel, int gpusPerNode, int cpuCores, int memoryGib, int rdma,
                       double peakKw, double avgKw, double capexUsd, int nodes) {
    public NodePool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(gpuModel, "gpuModel");
        String id = site + "/" + name;
        if (gpusPerNode < 0 || gpusPerNode > 16 || (gpusPerNode > 0) == gpuModel.isEmpty()) {
            throw new IllegalArgumentException("pool " + id + ": " + gpusPerNode + " GPUs of model '" + gpuModel
                    + "'; expected 1..16 GPUs with a model, or 0 GPUs and no model");
        }
        if (!gpuModel.isEmpty() && GpuModels.idOf(gpuModel) < 0) {
            throw new IllegalArgumentException("pool " + id + ": unknown GPU model '" + gpuModel + "'; expected one of "
                    + String.join(", ", GpuModels.names()));
        }
        if (cpuCores <= 0 || memoryGib <= 0 || rdma < 0 || nodes < 1) {
            throw new IllegalArgumentException("pool " + id + ": cpu " + cpuCores + ", memory " + memoryGib + " GiB, rdma " + rdma
                    + ", nodes " + nodes + "; expected cpu > 0, memory > 0, rdma >= 0, nodes >= 1");
        }
        if (!(peakKw > 0) || !(avgKw >= 0) || avgKw > peakKw || !(capexUsd >= 0)) {
            throw new IllegalArgumentException("pool " + id + ": peak " + peakKw + " kW, average " + avgKw + " kW, capex "
                    + capexUsd + " USD; expected 0 <= average <= peak, peak > 0, capex >= 0");
        }
    }

    /** GPUs in the pool. */
    public long gpus() {
        return (long) gpusPerNode * nodes;
    }

    /** A copy with another node count. */
    public NodePool withNodes(int count) {
        return new NodePool(name, site, gpuModel, gpusPerNode, cpuCores, memoryGib, rdma, peakKw, avgKw, capexUsd, count);
    }
}
