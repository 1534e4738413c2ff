package io.archipelago.tools.cloudsimcompare;

import ch.qos.logback.classic.Level;
import org.cloudsimplus.allocationpolicies.VmAllocationPolicy;
import org.cloudsimplus.allocationpolicies.VmAllocationPolicyBestFit;
import org.cloudsimplus.allocationpolicies.VmAllocationPolicyFirstFit;
import org.cloudsimplus.allocationpolicies.VmAllocationPolicySimple;
import org.cloudsimplus.brokers.DatacenterBroker;
import org.cloudsimplus.brokers.DatacenterBrokerSimple;
import org.cloudsimplus.cloudlets.Cloudlet;
import org.cloudsimplus.cloudlets.CloudletSimple;
import org.cloudsimplus.core.CloudSimEntity;
import org.cloudsimplus.core.CloudSimPlus;
import org.cloudsimplus.core.events.SimEvent;
import org.cloudsimplus.datacenters.DatacenterSimple;
import org.cloudsimplus.hosts.Host;
import org.cloudsimplus.hosts.HostSimple;
import org.cloudsimplus.resources.Pe;
import org.cloudsimplus.resources.PeSimple;
import org.cloudsimplus.schedulers.vm.VmSchedulerSpaceShared;
import org.cloudsimplus.schedulers.vm.VmSchedulerTimeShared;
import org.cloudsimplus.util.Log;
import org.cloudsimplus.vms.Vm;
import org.cloudsimplus.vms.VmSimple;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Replays an exported Archipelago workload (nodes.csv + tasks.csv) through CloudSim Plus and prints
 * one JSON line with wall time and processed events per second. See README.md for the mapping.
 */
public final class CloudSimCompare {

    /** MIPS of one host PE: one CPU core = 1000 MIPS, so 1 MIPS = 1 cpu milli. */
    private static final long CORE_MIPS = 1000;
    /** Storage is not part of the workload; hosts get far more than VMs ask for. */
    private static final long HOST_STORAGE_MB = 1L << 40;
    private static final long VM_STORAGE_MB = 1;
    /** Must exceed minTimeBetweenEvents (0.1 s); with 0 a VM is destroyed before its cloudlet arrives. */
    private static final double VM_DESTRUCTION_DELAY_S = 0.2;

    record Options(Path dir, int tasks, int nodes, double windowS, double maxWallS, double progressS,
                   boolean gpuPool, boolean timeSharedVmScheduler, String policy, Level logLevel) {

        static Options parse(String[] args) {
            Path dir = null;
            int tasks = Integer.MAX_VALUE, nodes = Integer.MAX_VALUE;
            double window = 10, maxWall = 0, progress = 0;
            boolean gpuPool = true, timeShared = false;
            String policy = "bestfit";
            Level log = Level.OFF;
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "--workload" -> dir = Path.of(args[++i]);
                    case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                    case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                    case "--window-s" -> window = Double.parseDouble(args[++i]);
                    case "--max-wall-s" -> maxWall = Double.parseDouble(args[++i]);
                    case "--progress-s" -> progress = Double.parseDouble(args[++i]);
                    case "--gpu" -> gpuPool = choose(args[++i], "pool", "ignore");
                    case "--vm-scheduler" -> timeShared = choose(args[++i], "time", "space");
                    case "--policy" -> policy = args[++i];
                    case "--log" -> log = Level.toLevel(args[++i], Level.OFF);
                    default -> {
                        if (dir != null || a.startsWith("--")) throw new IllegalArgumentException("unknown option " + a);
                        dir = Path.of(a);
                    }
                }
            }
            if (dir == null) throw new IllegalArgumentException("missing --workload DIR");
            return new Options(dir, tasks, nodes, window, maxWall, progress, gpuPool, timeShared, policy, log);
        }

        private static boolean choose(String value, String yes, String no) {
            if (value.equals(yes)) return true;
            if (value.equals(no)) return false;
            throw new IllegalArgumentException("expected " + yes + " or " + no + ", got " + value);
        }
    }

    private final Options opt;
    private long events;
    private long peakHeap;
    private long deadlineNanos = Long.MAX_VALUE;
    private boolean stoppedByWallLimit;
    private long startNanos;
    private long nextProgressNanos = Long.MAX_VALUE;
    private DatacenterBroker broker;

    private CloudSimCompare(Options opt) {
        this.opt = opt;
    }

    public static void main(String[] args) throws IOException {
        final Options opt;
        try {
            opt = Options.parse(args);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -jar cloudsim-compare.jar --workload DIR [--tasks N] [--nodes M]"
                    + " [--max-wall-s S] [--progress-s S] [--window-s 10] [--gpu pool|ignore] [--vm-scheduler space|time]"
                    + " [--policy bestfit|firstfit|simple] [--log OFF|INFO|...]");
            System.exit(2);
            return;
        }
        System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        Log.setLevel(opt.logLevel());
        System.out.println(new CloudSimCompare(opt).run());
    }

    private String run() throws IOException {
        final long t0 = startNanos = System.nanoTime();
        if (opt.maxWallS() > 0) deadlineNanos = t0 + (long) (opt.maxWallS() * 1e9);
        if (opt.progressS() > 0) nextProgressNanos = t0 + (long) (opt.progressS() * 1e9);

        final var sim = new CloudSimPlus();
        sim.addOnEventProcessingListener(evt -> onEvent(sim));
        final List<Host> hosts = readHosts(opt.dir().resolve("nodes.csv"));
        new DatacenterSimple(sim, hosts, allocationPolicy());

        broker = new DatacenterBrokerSimple(sim);
        broker.setShutdownWhenIdle(false);        // arrivals keep coming after idle gaps
        broker.getVmCreation().setRetryDelay(0);  // no retry: a VM that fits on no host fails
        broker.setVmDestructionDelay(VM_DESTRUCTION_DELAY_S);

        try (BufferedReader tasksIn = Files.newBufferedReader(opt.dir().resolve("tasks.csv"))) {
            tasksIn.readLine(); // arrival_ms,duration_ms,cpu_milli,memory_mib,gpu_count,gpu_milli
            final var feeder = new Feeder(sim, tasksIn);
            feeder.feed(0);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long c1 = threads.getCurrentThreadCpuTime();
            final long t1 = System.nanoTime();
            sim.start();   // single-threaded: the whole simulation runs on this thread
            final long t2 = System.nanoTime();
            final double runCpuS = (threads.getCurrentThreadCpuTime() - c1) / 1e9;
            final double loadAvg = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            sampleHeap();
            System.gc();
            final Runtime rt = Runtime.getRuntime();
            final long heapAfterGc = rt.totalMemory() - rt.freeMemory(); // the simulation is still reachable

            final double runS = (t2 - t1) / 1e9;
            // tasks whose VM placement was attempted (the broker never removes VMs from its created list)
            final long arrived = broker.getVmCreatedList().size() + broker.getVmFailedList().size();
            return String.format(Locale.ROOT,
                    "{\"tool\":\"cloudsimplus\",\"cloudsimplus_version\":\"%s\",\"tasks\":%d,\"nodes\":%d,"
                            + "\"complete\":%b,\"tasks_submitted\":%d,\"tasks_arrived\":%d,\"cloudlets_finished\":%d,"
                            + "\"vms_failed\":%d,\"tasks_per_s\":%.1f,"
                            + "\"wall_s\":%.3f,\"setup_s\":%.3f,\"run_s\":%.3f,\"sim_events\":%d,\"sim_events_exact\":true,"
                            + "\"events_per_s\":%.0f,\"run_cpu_s\":%.3f,\"events_per_cpu_s\":%.0f,\"load_avg\":%.2f,"
                            + "\"sim_time_s\":%.1f,\"peak_heap_mib\":%d,\"heap_after_gc_mib\":%d,"
                            + "\"policy\":\"%s\",\"vm_scheduler\":\"%s\",\"gpu_model\":\"%s\",\"window_s\":%s,\"xmx_mib\":%d}",
                    cloudSimPlusVersion(), opt.tasks() == Integer.MAX_VALUE ? feeder.submitted : opt.tasks(),
                    hosts.size(), !stoppedByWallLimit && feeder.next == null, feeder.submitted, arrived,
                    broker.getCloudletFinishedList().size(), broker.getVmFailedList().size(), arrived / runS,
                    (t2 - t0) / 1e9, (t1 - t0) / 1e9, runS, events, events / runS,
                    runCpuS, events / runCpuS, loadAvg, sim.clock(),
                    peakHeap >> 20, heapAfterGc >> 20, opt.policy(), opt.timeSharedVmScheduler() ? "time" : "space",
                    opt.gpuPool() ? "bw-pool" : "ignored", opt.windowS(), rt.maxMemory() >> 20);
        }
    }

    private VmAllocationPolicy allocationPolicy() {
        return switch (opt.policy()) {
            case "bestfit" -> new VmAllocationPolicyBestFit();
            case "firstfit" -> new VmAllocationPolicyFirstFit();
            case "simple" -> new VmAllocationPolicySimple();
            default -> throw new IllegalArgumentException("unknown --policy " + opt.policy());
        };
    }

    /** Counts every event CloudSim Plus processes, checks the wall limit, samples the heap every 1024 events. */
    private void onEvent(CloudSimPlus sim) {
        if ((++events & 1023) == 0) sampleHeap();
        if (System.nanoTime() > nextProgressNanos) {
            nextProgressNanos += (long) (opt.progressS() * 1e9);
            System.err.printf(Locale.ROOT, "progress wall_s=%.0f sim_time_s=%.1f events=%d tasks_arrived=%d vms_running=%d%n",
                    (System.nanoTime() - startNanos) / 1e9, sim.clock(), events,
                    broker.getVmCreatedList().size() + broker.getVmFailedList().size(), broker.getVmExecList().size());
        }
        if (!stoppedByWallLimit && System.nanoTime() > deadlineNanos) {
            stoppedByWallLimit = true;
            sim.abort();
        }
    }

    private void sampleHeap() {
        final Runtime rt = Runtime.getRuntime();
        peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
    }

    /** One host per node: PEs = cores of 1000 MIPS, RAM = MiB, bandwidth = milli-GPUs (the GPU pool). */
    private List<Host> readHosts(Path file) throws IOException {
        final var hosts = new ArrayList<Host>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            in.readLine(); // name,cpu_milli,memory_mib,gpu_count
            for (String line; hosts.size() < opt.nodes() && (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                final String[] f = line.split(",");
                final int cores = (int) Math.max(1, Long.parseLong(f[1].trim()) / 1000);
                final var pes = new ArrayList<Pe>(cores);
                for (int i = 0; i < cores; i++) pes.add(new PeSimple(CORE_MIPS));
                final long gpuMilli = opt.gpuPool() ? Long.parseLong(f[3].trim()) * 1000 : 0;
                final var host = new HostSimple(Long.parseLong(f[2].trim()), gpuMilli, HOST_STORAGE_MB, pes);
                host.setVmScheduler(opt.timeSharedVmScheduler() ? new VmSchedulerTimeShared() : new VmSchedulerSpaceShared());
                hosts.add(host);
            }
        }
        return hosts;
    }

    /**
     * A simulation entity that reads tasks.csv lazily and, every {@code windowS} simulated seconds,
     * submits the tasks arriving in the next window to the broker, each VM with a submission delay
     * equal to its remaining time to arrival. This keeps the broker's waiting lists short (they are
     * ArrayLists scanned on every VM ack) and never holds the whole trace in memory.
     */
    private final class Feeder extends CloudSimEntity {
        private static final int FEED = 990_001;
        private final BufferedReader in;
        private String[] next;
        private long submitted;
        private double nextFeedDelay;

        Feeder(CloudSimPlus sim, BufferedReader in) {
            super(sim);
            this.in = in;
            advance();
        }

        @Override
        protected void startInternal() {
            if (next != null) schedule(nextFeedDelay, FEED);
        }

        @Override
        public void processEvent(SimEvent evt) {
            if (evt.getTag() != FEED) return;
            feed(getSimulation().clock());
            if (next != null) schedule(nextFeedDelay, FEED);
        }

        /**
         * Submits the tasks arriving before now + window. The first call happens before the simulation
         * starts: the broker has no datacenter list yet, so it must take the pre-start submission path.
         */
        void feed(double now) {
            final double horizon = now + opt.windowS();
            final var vms = new ArrayList<Vm>();
            final var cloudlets = new ArrayList<Cloudlet>();
            while (next != null && arrivalS() < horizon) {
                createTask(next, Math.max(0, arrivalS() - now), vms, cloudlets);
                submitted++;
                advance();
            }
            if (!vms.isEmpty()) {
                broker.submitVmList(vms);
                broker.submitCloudletList(cloudlets);
            }
            if (next != null) nextFeedDelay = Math.max(horizon, arrivalS()) - now;
        }

        private double arrivalS() {
            return Long.parseLong(next[0].trim()) / 1000.0;
        }

        private void advance() {
            try {
                String line = null;
                if (submitted < opt.tasks()) {
                    do line = in.readLine(); while (line != null && line.isBlank());
                }
                next = line == null ? null : line.split(",");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** One VM sized to the task plus one cloudlet that runs for duration_ms on it. */
        private void createTask(String[] f, double delayS, List<Vm> vms, List<Cloudlet> cloudlets) {
            final long durationMs = Long.parseLong(f[1].trim());
            final long cpuMilli = Math.max(1, Long.parseLong(f[2].trim()));
            final long memMib = Math.max(0, Long.parseLong(f[3].trim()));
            final long gpuCount = Long.parseLong(f[4].trim());
            final long gpuMilli = Long.parseLong(f[5].trim());

            final long pes = (cpuMilli + 999) / 1000;
            final long mipsPerPe = (cpuMilli + pes - 1) / pes;   // <= 1000, so each vPE fits one host PE
            final var vm = new VmSimple(mipsPerPe, pes);
            final long gpuDemand = opt.gpuPool() ? gpuCount * (gpuMilli > 0 ? gpuMilli : 1000) : 0;
            vm.setRam(memMib).setBw(gpuDemand).setSize(VM_STORAGE_MB);
            vm.setSubmissionDelay(delayS);

            final long length = Math.max(1, Math.round(mipsPerPe * durationMs / 1000.0)); // MI per PE
            final var cloudlet = new CloudletSimple(length, pes);
            cloudlet.setVm(vm); // delay 0: the broker sends it once its VM exists
            // A VM that fits nowhere is dropped; drop its cloudlet too, or the broker rescans it forever.
            vm.addOnCreationFailureListener(info -> broker.getCloudletWaitingList().remove(cloudlet));
            vms.add(vm);
            cloudlets.add(cloudlet);
        }
    }

    private static String cloudSimPlusVersion() {
        try (InputStream in = CloudSimPlus.class.getResourceAsStream(
                "/META-INF/maven/org.cloudsimplus/cloudsimplus/pom.properties")) {
            if (in == null) return "unknown";
            final var p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
