package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest {
    /** Scores every node the same: the framework's tie-break alone decides. */
    static final ScorePlugin FLAT = new ScorePlugin() {
        @Override
        public int score(ClusterState s, int node, TaskSpec t) {
            return 50;
        }

        @Override
        public String name() {
            return "Flat";
        }
    };

    static Profile.Builder standard(String name) {
        Profile.Builder b = Profile.builder(name);
        Filters.standard().forEach(b::filter);
        return b.gpuSelector(GpuSelectors.bestFit());
    }

    @Test
    void anUnschedulableTaskIsExplainedByCountingReasonsAcrossNodes() {
        ClusterState s = new ClusterState(List.of(node("g2a", "G2", 8, 96), node("g2b", "G2", 8, 96), node("t4", "T4", 2, 104)));
        s.bind(2, task(0, 2, 1000), 0b11);
        Scheduler sch = new Scheduler(s, standard("p").score(FLAT, 1).build());
        Decision d = sch.schedule(task(1000, 1, 500, "T4"));
        assertThat(d).isInstanceOf(Decision.Unschedulable.class);
        assertThat(((Decision.Unschedulable) d).message()).isEqualTo("0/3 nodes fit: 2 GPU model not allowed, 1 insufficient GPU");
        s.checkInvariants();
        assertThat(s.usedGpuMilli()).isEqualTo(2000);
    }

    @Test
    void theFirstFailingFilterNamesTheReason() {
        ClusterState s = new ClusterState(List.of(node("small", "T4", 2, 4)));
        Scheduler sch = new Scheduler(s, standard("p").score(FLAT, 1).build());
        Decision.Unschedulable d = (Decision.Unschedulable) sch.schedule(task(8000, 4, 1000));
        assertThat(d.message()).isEqualTo("0/1 nodes fit: 1 insufficient CPU");
    }

    @Test
    void tiesGoToTheLowestNodeIndex() {
        ClusterState s = new ClusterState(List.of(node("z", "G2", 8, 96), node("a", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, standard("p").score(FLAT, 1).build());
        Decision d = sch.schedule(task(1000, 1, 1000));
        assertThat(d).isInstanceOfSatisfying(Decision.Placed.class, p -> {
            assertThat(p.nodeName()).isEqualTo("z");
            assertThat(p.feasibleNodes()).isEqualTo(2);
        });
    }

    @Test
    void weightedScoresAreSummedAndTheHighestTotalWins() {
        ScorePlugin prefersSecond = new ScorePlugin() {
            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                return node == 1 ? 100 : 0;
            }

            @Override
            public String name() {
                return "PrefersSecond";
            }
        };
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, standard("p").score(FLAT, 5).score(prefersSecond, 1).build());
        assertThat(sch.preview(task(1000, 1, 1000))).isInstanceOfSatisfying(Decision.Placed.class,
                p -> assertThat(p.score()).isEqualTo(5 * 50 + 100));
    }

    @Test
    void previewDoesNotChangeTheCluster() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, standard("p").score(FLAT, 1).build());
        sch.preview(task(1000, 1, 1000));
        assertThat(s.usedGpuMilli()).isZero();
    }

    @Test
    void cachedScoresAreRecomputedOnlyForTheNodeThatChanged() {
        AtomicInteger calls = new AtomicInteger();
        ScorePlugin counting = new ScorePlugin() {
            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                calls.incrementAndGet();
                return s.gpuFreeTotal(node) / 100;
            }

            @Override
            public String name() {
                return "Counting";
            }
        };
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 8, 96), node("c", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, standard("p").score(counting, 1).build());
        TaskSpec t = task(1000, 1, 1000);
        int shape = sch.shapeOf(t);
        assertThat(sch.place(t, shape)).isEqualTo(0);
        assertThat(calls.get()).isEqualTo(3);
        // node 0 changed: only it is rescored; it now has less free GPU, so node 1 wins
        assertThat(sch.place(task(1000, 1, 1000), shape)).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(4);
        assertThat(sch.cacheHits()).isEqualTo(2);
    }

    @Test
    void aScoreOutsideTheBoundsIsAnErrorNamingThePlugin() {
        ScorePlugin bad = new ScorePlugin() {
            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                return 101;
            }

            @Override
            public String name() {
                return "Overeager";
            }
        };
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, standard("p").score(bad, 1).build());
        assertThatThrownBy(() -> sch.schedule(task(1000, 1, 1000)))
                .hasMessageContaining("Overeager").hasMessageContaining("returned 101");
        assertThat(s.usedGpuMilli()).isZero();
    }

    @Test
    void invalidProfilesAreRejectedWithMessagesThatNameThePlugin() {
        assertThatThrownBy(() -> standard("p").score(FLAT, 0).build()).hasMessageContaining("Flat").hasMessageContaining("weight 0");
        assertThatThrownBy(() -> standard("p").score(FLAT, 1).score(FLAT, 2).build()).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> Profile.builder("p").filter(Filters.CPU).build()).hasMessageContaining("GPU selector");
        assertThatThrownBy(() -> Profile.builder("p").gpuSelector(GpuSelectors.bestFit()).build()).hasMessageContaining("no filter");
        assertThatThrownBy(() -> standard("p").score(FLAT, Integer.MAX_VALUE / 10).build()).hasMessageContaining("overflow");
    }

    @Test
    void bestFitGpuSelectionTakesTheTightestGpuThatFits() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 4, 96)));
        s.bind(0, task(0, 1, 200), 0b0001); // GPU0: 800 free
        s.bind(0, task(0, 1, 500), 0b0100); // GPU2: 500 free
        assertThat(GpuSelectors.bestFit().selectGpus(s, 0, task(0, 1, 400))).isEqualTo(0b0100);
        assertThat(GpuSelectors.bestFit().selectGpus(s, 0, task(0, 1, 600))).isEqualTo(0b0001);
        assertThat(GpuSelectors.bestFit().selectGpus(s, 0, task(0, 2, 1000))).isEqualTo(0b1010);
        assertThat(GpuSelectors.tightestFirst(s, 0, task(0, 1, 400))).isEqualTo(0b0100);
    }
}
