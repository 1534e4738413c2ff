package io.archipelago.sim.engine;

import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.TaskSpec;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A workload over time, held in columns so that millions of jobs cost a few arrays.
 *
 * <p>A job is one task or a gang of {@code size} identical workers that must run all together. Each
 * job has an arrival time, a duration (the time it runs once started; -1 = until the horizon), a task
 * shape (an index into {@link #prototypes()}), a priority class and a tenant. Jobs are held in arrival
 * order; ties keep the order they were added in. Job {@code j}'s workers are tasks
 * {@code firstTask(j) .. firstTask(j) + size(j) - 1}.
 *
 * <p>On a multi-region fleet a job also carries {@linkplain #rules(int) placement rules} (origin,
 * residency, latency SLO; an index into {@link #rulesList()}, whose entry 0 is
 * {@link PlacementRules#ANYWHERE}) and a {@linkplain #tier(int) price tier}.
 */
public final class Workload {
    private final String name;
    private final long[] arrival;
    private final long[] duration;
    private final int[] proto;
    private final byte[] cls;
    private final short[] tenant;
    private final int[] size;
    private final short[] rule;
    private final byte[] tier;
    private final List<PlacementRules> rules;
    private final int[] firstTask;
    private final List<TaskSpec> prototypes;
    private final String[] names;
    private final int tasks;

    private Workload(String name, long[] arrival, long[] duration, int[] proto, byte[] cls, short[] tenant, int[] size,
                     short[] rule, byte[] tier, List<PlacementRules> rules, List<TaskSpec> prototypes, String[] names) {
        this.name = name;
        this.arrival = arrival;
        this.duration = duration;
        this.proto = proto;
        this.cls = cls;
        this.tenant = tenant;
        this.size = size;
        this.rule = rule;
        this.tier = tier;
        this.rules = List.copyOf(rules);
        this.prototypes = List.copyOf(prototypes);
        this.names = names;
        this.firstTask = new int[arrival.length + 1];
        long t = 0;
        for (int j = 0; j < arrival.length; j++) {
            firstTask[j] = (int) t;
            t += size[j];
            if (t > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("workload " + name + " has more than " + (Integer.MAX_VALUE - 8) + " tasks");
            }
        }
        firstTask[arrival.length] = (int) t;
        this.tasks = (int) t;
    }

    public String name() { return name; }
    public int jobs() { return arrival.length; }
    public int tasks() { return tasks; }
    public long arrival(int job) { return arrival[job]; }
    public long duration(int job) { return duration[job]; }
    public int proto(int job) { return proto[job]; }
    public TaskSpec spec(int job) { return prototypes.get(proto[job]); }
    public PriorityClass priority(int job) { return PriorityClass.of(cls[job]); }
    public int priorityOrdinal(int job) { return cls[job]; }
    public int tenant(int job) { return tenant[job]; }
    public int size(int job) { return size[job]; }
    public int firstTask(int job) { return firstTask[job]; }
    public List<TaskSpec> prototypes() { return prototypes; }
    /** Index of job {@code job}'s placement rules in {@link #rulesList()} (0 = anywhere). */
    public int rulesIndex(int job) { return rule[job]; }
    public PlacementRules rules(int job) { return rules.get(rule[job]); }
    /** Every distinct set of placement rules; entry 0 is {@link PlacementRules#ANYWHERE}. */
    public List<PlacementRules> rulesList() { return rules; }
    public Tier tier(int job) { return Tier.values()[tier[job]]; }

    /** True when some job has placement rules other than "anywhere" (it then needs a multi-region fleet). */
    public boolean hasRules() {
        return rules.size() > 1;
    }

    /** The job's name: from the trace when it had one, else {@code job-<index>}. */
    public String jobName(int job) {
        return names != null ? names[job] : "job-" + job;
    }

    /** Time of the last arrival, ms (0 for an empty workload). */
    public long lastArrival() {
        return arrival.length == 0 ? 0 : arrival[arrival.length - 1];
    }

    /** Every task's shape, one entry per task (a view; nothing is copied). For the FGD target workload. */
    public List<TaskSpec> taskView() {
        return new AbstractList<>() {
            @Override
            public TaskSpec get(int i) {
                int j = Arrays.binarySearch(firstTask, 0, arrival.length, i);
                if (j < 0) {
                    j = -j - 2;
                } else {
                    while (j + 1 < arrival.length && firstTask[j + 1] == i) {
                        j++;
                    }
                }
                return prototypes.get(proto[j]);
            }

            @Override
            public int size() {
                return tasks;
            }
        };
    }

    /**
     * One workload of every job of {@code parts}, in arrival order; jobs arriving at the same instant keep the
     * order of the parts (then their own order). Shapes and placement rules are interned again, so equal ones
     * share an index. Job names are kept when every part has them, and dropped when any part has none.
     *
     * @throws IllegalArgumentException when {@code parts} is empty
     */
    public static Workload merge(String name, List<Workload> parts) {
        return merge(name, parts, 0);
    }

    /**
     * As {@link #merge(String, List)}, with every arrival delayed by {@code offsetMs} (≥ 0): the merged
     * workload starts that long after time 0.
     */
    public static Workload merge(String name, List<Workload> parts, long offsetMs) {
        if (offsetMs < 0) {
            throw new IllegalArgumentException("offset " + offsetMs + " ms; expected >= 0");
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("merge of no workloads; expected at least one");
        }
        boolean named = parts.stream().allMatch(p -> p.names != null);
        Builder b = builder(name);
        int k = parts.size();
        int[][] protoMap = new int[k][];
        int[][] ruleMap = new int[k][];
        for (int i = 0; i < k; i++) {
            Workload p = parts.get(i);
            protoMap[i] = p.prototypes.stream().mapToInt(b::prototype).toArray();
            ruleMap[i] = p.rules.stream().mapToInt(b::rules).toArray();
        }
        int[] next = new int[k];
        while (true) {
            int best = -1;
            for (int i = 0; i < k; i++) {
                Workload p = parts.get(i);
                if (next[i] < p.jobs() && (best < 0 || p.arrival[next[i]] < parts.get(best).arrival[next[best]])) {
                    best = i;
                }
            }
            if (best < 0) {
                return b.build();
            }
            Workload p = parts.get(best);
            int j = next[best]++;
            b.add(p.arrival[j] + offsetMs, p.duration[j], protoMap[best][p.proto[j]], PriorityClass.of(p.cls[j]), p.tenant[j], p.size[j],
                    named ? p.names[j] : null, ruleMap[best][p.rule[j]], Tier.values()[p.tier[j]]);
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects jobs in any order; {@link #build()} sorts them by arrival (stable). */
    public static final class Builder {
        private final String name;
        private final List<TaskSpec> prototypes = new ArrayList<>();
        private final java.util.Map<TaskSpec, Integer> protoIds = new java.util.HashMap<>();
        private long[] arrival = new long[1024];
        private long[] duration = new long[1024];
        private int[] proto = new int[1024];
        private byte[] cls = new byte[1024];
        private short[] tenant = new short[1024];
        private int[] size = new int[1024];
        private short[] rule = new short[1024];
        private byte[] tier = new byte[1024];
        private final List<PlacementRules> rules = new ArrayList<>(List.of(PlacementRules.ANYWHERE));
        private final java.util.Map<PlacementRules, Integer> ruleIds = new java.util.HashMap<>(java.util.Map.of(PlacementRules.ANYWHERE, 0));
        private List<String> names;
        private int n;

        private Builder(String name) {
            this.name = name;
        }

        /** Interns a task shape (by value) and returns its prototype index. */
        public int prototype(TaskSpec t) {
            return protoIds.computeIfAbsent(t, k -> {
                prototypes.add(k);
                return prototypes.size() - 1;
            });
        }

        /** Interns a set of placement rules (by value) and returns its index. */
        public int rules(PlacementRules r) {
            return ruleIds.computeIfAbsent(r, k -> {
                if (rules.size() > Short.MAX_VALUE) {
                    throw new IllegalArgumentException("workload " + name + " has more than " + Short.MAX_VALUE
                            + " distinct placement rules");
                }
                rules.add(k);
                return rules.size() - 1;
            });
        }

        /** Adds a job that may run anywhere, on-demand; {@code name} may be null for generated jobs (then every name must be null). */
        public Builder add(long arrivalMs, long durationMs, int prototype, PriorityClass c, int tenantIndex, int workers,
                           String jobName) {
            return add(arrivalMs, durationMs, prototype, c, tenantIndex, workers, jobName, 0, Tier.ON_DEMAND);
        }

        /** Adds a job with placement rules (an index from {@link #rules(PlacementRules)}) and a price tier. */
        public Builder add(long arrivalMs, long durationMs, int prototype, PriorityClass c, int tenantIndex, int workers,
                           String jobName, int rulesIndex, Tier jobTier) {
            if (rulesIndex < 0 || rulesIndex >= rules.size()) {
                throw new IllegalArgumentException("job " + n + ": rules " + rulesIndex + " not interned");
            }
            if (arrivalMs < 0) {
                throw new IllegalArgumentException("job " + n + " of " + name + ": arrival " + arrivalMs + " ms is negative");
            }
            if (durationMs < -1) {
                throw new IllegalArgumentException("job " + n + " of " + name + ": duration " + durationMs
                        + " ms; expected >= 0, or -1 for a job that runs until the horizon");
            }
            if (prototype < 0 || prototype >= prototypes.size()) {
                throw new IllegalArgumentException("job " + n + ": prototype " + prototype + " not interned");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("job " + n + " of " + name + ": " + workers + " workers; expected >= 1");
            }
            if (tenantIndex < 0 || tenantIndex > Short.MAX_VALUE) {
                throw new IllegalArgumentException("job " + n + ": tenant index " + tenantIndex);
            }
            if ((jobName == null) != (names == null) && n > 0) {
                throw new IllegalArgumentException("job " + n + " of " + name + ": either every job has a name or none");
            }
            if (n == arrival.length) {
                int cap = n * 2;
                arrival = Arrays.copyOf(arrival, cap);
                duration = Arrays.copyOf(duration, cap);
                proto = Arrays.copyOf(proto, cap);
                cls = Arrays.copyOf(cls, cap);
                tenant = Arrays.copyOf(tenant, cap);
                size = Arrays.copyOf(size, cap);
                rule = Arrays.copyOf(rule, cap);
                tier = Arrays.copyOf(tier, cap);
            }
            if (jobName != null) {
                if (names == null) {
                    names = new ArrayList<>();
                }
                names.add(jobName);
            }
            arrival[n] = arrivalMs;
            duration[n] = durationMs;
            proto[n] = prototype;
            cls[n] = (byte) c.ordinal();
            tenant[n] = (short) tenantIndex;
            size[n] = workers;
            rule[n] = (short) rulesIndex;
            tier[n] = (byte) jobTier.ordinal();
            n++;
            return this;
        }

        public int size() {
            return n;
        }

        public Workload build() {
            boolean sorted = true;
            for (int i = 1; i < n && sorted; i++) {
                sorted = arrival[i - 1] <= arrival[i];
            }
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            if (!sorted) {
                Integer[] boxed = new Integer[n];
                for (int i = 0; i < n; i++) {
                    boxed[i] = i;
                }
                long[] a = arrival;
                Arrays.sort(boxed, (x, y) -> Long.compare(a[x], a[y])); // stable: ties keep insertion order
                for (int i = 0; i < n; i++) {
                    order[i] = boxed[i];
                }
            }
            long[] ar = new long[n];
            long[] du = new long[n];
            int[] pr = new int[n];
            byte[] cl = new byte[n];
            short[] te = new short[n];
            int[] sz = new int[n];
            short[] ru = new short[n];
            byte[] ti = new byte[n];
            String[] nm = names == null ? null : new String[n];
            for (int i = 0; i < n; i++) {
                int o = order[i];
                ar[i] = arrival[o];
                du[i] = duration[o];
                pr[i] = proto[o];
                cl[i] = cls[o];
                te[i] = tenant[o];
                sz[i] = size[o];
                ru[i] = rule[o];
                ti[i] = tier[o];
                if (nm != null) {
                    nm[i] = names.get(o);
                }
            }
            return new Workload(name, ar, du, pr, cl, te, sz, ru, ti, rules, prototypes, nm);
        }
    }
}
