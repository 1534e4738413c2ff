package io.archipelago.sim.engine;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.archipelago.sim.engine.PriorityClass.BEST_EFFORT;
import static io.archipelago.sim.engine.PriorityClass.BURSTABLE;
import static io.archipelago.sim.engine.PriorityClass.LATENCY_SENSITIVE;
import static io.archipelago.sim.engine.SimScenario.HOUR;
import static io.archipelago.sim.engine.SimScenario.at;
import static io.archipelago.sim.engine.SimScenario.fleet;
import static io.archipelago.sim.engine.SimScenario.job;
import static io.archipelago.sim.engine.SimScenario.node;
import static io.archipelago.sim.engine.SimScenario.peak;
import static io.archipelago.sim.engine.SimScenario.sites;
import static io.archipelago.sim.engine.SimScenario.waits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The simulator's behaviours, one per test, on fleets of a few nodes with a handful of jobs. Every
 * run has the invariant checker on ({@link Simulation.Options#check()}), so no GPU is ever
 * over-committed, no gang is ever partly bound and every counter adds up after every event.
 * Placement within a fleet uses BestFit, whose ties go to the lowest node index.
 */
class SimulationTest {
    private static final long QUARTER = HOUR / 4;

    @Nested
    class RunningAndWaiting {
        @Test
        void aJobThatFitsStartsOnArrivalAndCompletes() {
            SimResult r = fleet(node("n0", 1)).sampleEvery(100)
                    .jobs(job("train").gpus(1).at(100).runs(500))
                    .run();

            assertThat(r.tasksArrived()).isEqualTo(1);
            assertThat(r.tasksCompleted()).isEqualTo(1);
            assertThat(r.tasksRunning() + r.tasksQueued() + r.tasksRejected()).isZero();
            assertThat(waits(r, BURSTABLE)).containsExactly(0L);
            assertThat(at(r, "tasks_running", 500)).isEqualTo(1);
            assertThat(at(r, "gpus_used", 500)).isEqualTo(1.0);
            assertThat(at(r, "tasks_running", 600)).as("finished at 100 + 500").isZero();
        }

        @Test
        void aJobThatCannotFitWaitsAndStartsExactlyWhenCapacityIsReleased() {
            SimResult r = fleet(node("n0", 1)).sampleEvery(100)
                    .jobs(job("first").at(0).runs(1_000),
                            job("second").at(200).runs(1_000))
                    .run();

            assertThat(at(r, "tasks_queued", 900)).isEqualTo(1);
            assertThat(waits(r, BURSTABLE)).as("second waits release (1000) - arrival (200)").containsExactly(0L, 800L);
            assertThat(at(r, "tasks_running", 1_900)).isEqualTo(1);
            assertThat(at(r, "tasks_running", 2_000)).as("second ran 1000..2000").isZero();
            assertThat(r.tasksCompleted()).isEqualTo(2);
        }

        @Test
        void aMeasuredWindowCountsOnlyItsOwnArrivalsAndJobsStillWaitingCountWithTheirWaitSoFar() {
            // one GPU: "early" (before the window) runs 0..1000; "first" waits for it; "late" never starts by the horizon
            SimResult r = fleet(node("n0", 1)).horizon(3_000).measureFrom(500)
                    .jobs(job("early").at(0).runs(1_000),
                            job("first").at(600).runs(2_500),
                            job("late").at(700).runs(100))
                    .run();

            assertThat(waits(r, BURSTABLE)).as("early (arrived before 500) does not count; first waited 400;"
                    + " late is still waiting at 3000, having waited 2300").containsExactly(400L, 2_300L);
            SimResult all = fleet(node("n0", 1)).horizon(3_000)
                    .jobs(job("early").at(0).runs(1_000), job("first").at(600).runs(2_500), job("late").at(700).runs(100))
                    .run();
            assertThat(waits(all, BURSTABLE)).as("without a window: every started job, no censored ones").containsExactly(0L, 400L);
        }

        @Test
        void theQueueServesTheHighestClassFirstThenArrivalOrder() {
            // one GPU, busy until 1000; four jobs queue behind it, each running 1000 ms
            SimResult r = fleet(node("n0", 1))
                    .jobs(job("filler").at(0).runs(1_000),
                            job("spot").cls(BEST_EFFORT).at(10).runs(1_000),
                            job("batch").cls(BURSTABLE).at(20).runs(1_000),
                            job("batch-2").cls(BURSTABLE).at(25).runs(1_000),
                            job("svc").cls(LATENCY_SENSITIVE).at(30).runs(1_000))
                    .run();

            // starts: svc 1000, batch 2000, batch-2 3000, spot 4000
            assertThat(waits(r, LATENCY_SENSITIVE)).containsExactly(970L);
            assertThat(waits(r, BURSTABLE)).containsExactly(0L, 1_980L, 2_975L);
            assertThat(waits(r, BEST_EFFORT)).containsExactly(3_990L);
        }
    }

    @Nested
    class Preemption {
        /**
         * n0 (2 GPUs) runs "wide" (2 GPUs, since 0.5 h); n1 (1 GPU) runs "narrow" (1 GPU, since
         * 0.25 h). At 1 h a latency-sensitive job needs one GPU: evicting wide loses 0.5 h x 2 GPUs =
         * 1 GPU-h, evicting narrow 0.75 h x 1 GPU = 0.75 GPU-h, although narrow has run longer.
         */
        private SimScenario twoBestEffortJobsAndAServiceAtOneHour() {
            return fleet(node("n0", 2), node("n1", 1)).sampleEvery(QUARTER)
                    .jobs(job("narrow").gpus(1).cls(BEST_EFFORT).at(QUARTER).runs(2 * HOUR),
                            job("wide").gpus(2).cls(BEST_EFFORT).at(2 * QUARTER).runs(4 * HOUR),
                            job("svc").gpus(1).cls(LATENCY_SENSITIVE).at(HOUR).runs(2 * QUARTER));
        }

        @Test
        void aLatencySensitiveArrivalEvictsTheJobThatLostTheLeastWork() {
            SimResult r = twoBestEffortJobsAndAServiceAtOneHour().preemption().run();

            assertThat(waits(r, LATENCY_SENSITIVE)).as("svc starts on arrival").containsExactly(0L);
            assertThat(r.preemptions()).isEqualTo(1);
            assertThat(r.gpuHoursLostPreemption()).as("narrow: 0.75 h x 1 GPU").isCloseTo(0.75, within(1e-12));
            assertThat(r.summary()).containsEntry("gpu_hours_lost", 0.75);
            assertThat(at(r, "tasks_queued", 5 * QUARTER)).as("narrow requeued").isEqualTo(1);
            assertThat(at(r, "gpus_used", 5 * QUARTER)).as("wide and svc").isEqualTo(3.0);
        }

        @Test
        void anEvictedJobRestartsFromZero() {
            SimResult r = twoBestEffortJobsAndAServiceAtOneHour().preemption().run();

            // narrow restarts when svc ends (1.5 h) and runs its full 2 h again: until 3.5 h, not 2.75 h
            assertThat(at(r, "tasks_running", 6 * QUARTER)).as("narrow back, svc gone").isEqualTo(2);
            assertThat(at(r, "tasks_running", 13 * QUARTER)).isEqualTo(2);
            assertThat(at(r, "tasks_running", 14 * QUARTER)).as("narrow done at 3.5 h, wide runs").isEqualTo(1);
            assertThat(r.tasksCompleted()).isEqualTo(3);
            assertThat(waits(r, BEST_EFFORT)).as("a wait counts up to the first start only").containsExactly(0L, 0L);
        }

        @Test
        void noJobIsEvictedWhenPreemptionIsOff() {
            SimResult r = twoBestEffortJobsAndAServiceAtOneHour().run();

            assertThat(r.preemptions()).isZero();
            assertThat(r.gpuHoursLostPreemption()).isZero();
            assertThat(waits(r, LATENCY_SENSITIVE)).as("svc waits for narrow to end at 2.25 h").containsExactly(5 * QUARTER);
        }

        @Test
        void aJobThatStartedAtTheSameInstantIsSparedOnlyForThatInstant() {
            // spot and svc both arrive at 0; spot is first in the trace and takes the only GPU.
            // It cannot be evicted at the instant it started, but the next pass (at 1 s) may evict it.
            SimResult r = fleet(node("n0", 1)).sampleEvery(QUARTER).preemption()
                    .jobs(job("spot").cls(BEST_EFFORT).at(0).runs(10 * HOUR),
                            job("svc").cls(LATENCY_SENSITIVE).at(0).runs(HOUR),
                            job("poke").cpuOnly().cls(BEST_EFFORT).at(1_000).runs(1_000))
                    .run();

            assertThat(r.preemptions()).isEqualTo(1);
            assertThat(waits(r, LATENCY_SENSITIVE)).containsExactly(1_000L);
        }
    }

    @Nested
    class Gangs {
        @Test
        void aGangStartsWholeOnTheFewestNodes() {
            // 4 workers fit on n2 alone; on n0 + n1 they would need two nodes
            SimResult r = fleet(node("n0", 2), node("n1", 2), node("n2", 4)).sampleEvery(QUARTER)
                    .jobs(job("allreduce").gpus(1).gang(4).at(0).runs(HOUR))
                    .outage("probe", 2 * QUARTER, QUARTER, "n0", "n1")
                    .run();

            assertThat(waits(r, BURSTABLE)).containsExactly(0L);
            assertThat(at(r, "tasks_running", QUARTER)).isEqualTo(4);
            assertThat(r.outageEvictions()).as("no worker on n0 or n1").isZero();
            assertThat(r.tasksCompleted()).isEqualTo(4);
        }

        @Test
        void aGangPrefersOneSiteWhenItNeedsNoMoreNodesThere() {
            // the fewest nodes anywhere: n0 (4) + n2 (3) = 2 nodes across sites; west alone also needs 2
            SimResult r = sites().sampleEvery(QUARTER)
                    .site("east", node("n0", 4), node("n1", 1))
                    .site("west", node("n2", 3), node("n3", 3))
                    .jobs(job("allreduce").gpus(1).gang(6).at(0).runs(HOUR))
                    .siteOutage("east", 2 * QUARTER, QUARTER)
                    .run();

            assertThat(at(r, "tasks_running", QUARTER)).isEqualTo(6);
            assertThat(r.outageEvictions()).as("every worker in west").isZero();
        }

        @Test
        void aGangSpansSitesWhenOneSiteWouldNeedMoreNodes() {
            // west alone needs n2 + n3 + n4 (3 nodes); n0 (4) + n2 (3) is 2 nodes
            SimResult r = sites().sampleEvery(QUARTER)
                    .site("east", node("n0", 4), node("n1", 1))
                    .site("west", node("n2", 3), node("n3", 2), node("n4", 1))
                    .jobs(job("allreduce").gpus(1).gang(6).at(0).runs(HOUR))
                    .outage("n0 down", 2 * QUARTER, QUARTER, "n0")
                    .run();

            assertThat(r.outageEvictions()).as("a worker on n0 takes the whole gang down").isEqualTo(6);
        }

        @Test
        void aGangThatCannotFitWaitsWithNoWorkerBound() {
            SimResult r = fleet(node("n0", 2), node("n1", 2)).sampleEvery(100)
                    .jobs(job("filler").gpus(1).at(0).runs(1_000),
                            job("allreduce").gpus(1).gang(4).at(10).runs(1_000))
                    .run();

            assertThat(at(r, "tasks_running", 500)).as("the filler alone; 3 GPUs free are not enough").isEqualTo(1);
            assertThat(at(r, "tasks_queued", 500)).isEqualTo(4);
            assertThat(at(r, "tasks_running", 1_500)).isEqualTo(4);
            assertThat(waits(r, BURSTABLE)).containsExactly(0L, 990L);
        }
    }

    @Nested
    class Tenants {
        @Test
        void aTenantNeverExceedsItsMaximumAndWaitsWithoutHoldingUpOthers() {
            SimResult r = fleet(node("n0", 4)).sampleEvery(100)
                    .tenant("capped", 0, 2, 1).tenant("other", 0, -1, 1)
                    .jobs(job("c1").tenant("capped").at(0).runs(1_000),
                            job("c2").tenant("capped").at(0).runs(1_000),
                            job("c3").tenant("capped").at(0).runs(1_000),
                            job("o1").tenant("other").cls(BEST_EFFORT).at(10).runs(1_000))
                    .run();

            assertThat(peak(r, "gpus_capped")).isEqualTo(2.0);
            assertThat(at(r, "gpus_used", 500)).as("a GPU stays idle rather than exceed the maximum").isEqualTo(3.0);
            assertThat(waits(r, BURSTABLE)).as("c3 starts when c1 ends").containsExactly(0L, 0L, 1_000L);
            assertThat(waits(r, BEST_EFFORT)).as("o1 passes the capped head").containsExactly(0L);
        }

        /** One node of 2 GPUs borrowed by "borrower" since 0 and 0.5 h; "owner" asks for one GPU at 1 h. */
        private SimScenario borrowedNode(double ownerGuarantee, PriorityClass borrowerClass) {
            return fleet(node("n0", 2)).sampleEvery(QUARTER).preemption()
                    .tenant("owner", ownerGuarantee, -1, 1).tenant("borrower", 0, -1, 1)
                    .jobs(job("b-old").tenant("borrower").cls(borrowerClass).at(0).runs(10 * HOUR),
                            job("b-young").tenant("borrower").cls(borrowerClass).at(2 * QUARTER).runs(10 * HOUR),
                            job("o").tenant("owner").at(HOUR).runs(HOUR));
        }

        @Test
        void aTenantWithinItsGuaranteeReclaimsFromABorrowingTenant() {
            SimResult r = borrowedNode(1, BURSTABLE).run();

            assertThat(waits(r, BURSTABLE)).as("o starts on arrival").containsExactly(0L, 0L, 0L);
            assertThat(r.preemptions()).isEqualTo(1);
            assertThat(r.gpuHoursLostPreemption()).as("b-young: 0.5 h x 1 GPU").isCloseTo(0.5, within(1e-12));
            assertThat(at(r, "gpus_owner", 5 * QUARTER)).isEqualTo(1.0);
            assertThat(at(r, "gpus_borrower", 5 * QUARTER)).isEqualTo(1.0);
        }

        @Test
        void aTenantWithoutAGuaranteeDoesNotReclaim() {
            SimResult r = borrowedNode(0, BURSTABLE).run();

            assertThat(r.preemptions()).isZero();
            assertThat(at(r, "gpus_owner", 5 * QUARTER)).isZero();
        }

        @Test
        void reclaimNeverEvictsAJobOfAHigherClass() {
            SimResult r = borrowedNode(1, LATENCY_SENSITIVE).run();

            assertThat(r.preemptions()).isZero();
            assertThat(at(r, "gpus_borrower", 5 * QUARTER)).isEqualTo(2.0);
        }

        @Test
        void reclaimNeverTakesTheVictimTenantBelowItsGuarantee() {
            // Both tenants are guaranteed 2 of the 4 GPUs. At 1 h the borrower runs b3 on n1 (since 0)
            // and b1, b2 on n0 (since 0.9 h), 3 GPUs, one free on n1. The owner asks for 2 GPUs on one
            // node: evicting b1 + b2 would lose less work (0.2 GPU-h) than b3 (1 GPU-h) but leave the
            // borrower with 1 GPU, below its guarantee.
            long t09 = 9 * HOUR / 10;
            SimResult r = fleet(node("n0", 2), node("n1", 2)).sampleEvery(QUARTER).preemption()
                    .tenant("owner", 2, -1, 1).tenant("borrower", 2, -1, 1)
                    .jobs(job("f").tenant("owner").gpus(2).at(0).runs(HOUR / 2), // holds n0 so that b3 goes to n1
                            job("b3").tenant("borrower").at(0).runs(10 * HOUR),
                            job("g").tenant("owner").at(8 * HOUR / 10).runs(HOUR * 15 / 100), // holds n1's free GPU
                            job("b1").tenant("borrower").at(t09).runs(10 * HOUR),
                            job("b2").tenant("borrower").at(t09).runs(10 * HOUR),
                            job("o").tenant("owner").gpus(2).at(HOUR).runs(HOUR))
                    .run();

            assertThat(at(r, "gpus_owner", 5 * QUARTER)).as("o reclaimed").isEqualTo(2.0);
            assertThat(at(r, "gpus_borrower", 5 * QUARTER)).as("borrower keeps its guarantee").isEqualTo(2.0);
            assertThat(r.preemptions()).isEqualTo(1);
            assertThat(r.gpuHoursLostPreemption()).as("b3: 1 h x 1 GPU").isCloseTo(1.0, within(1e-12));
        }

        /**
         * One node of 4 GPUs. "heavy" runs 2 GPUs for good, "light" 1 GPU for good and 1 GPU until
         * 1 s; "heavy-next" (at 10 ms) and "light-next" (at 20 ms) each want the GPU freed at 1 s.
         */
        private SimScenario oneGpuFreedForTwoTenants(double heavyWeight) {
            return fleet(node("n0", 4)).sampleEvery(500)
                    .tenant("heavy", 0, -1, heavyWeight).tenant("light", 0, -1, 1)
                    .jobs(job("heavy-long").tenant("heavy").gpus(2).at(0).runs(HOUR),
                            job("light-long").tenant("light").at(0).runs(HOUR),
                            job("light-short").tenant("light").at(0).runs(1_000),
                            job("heavy-next").tenant("heavy").at(10).runs(HOUR),
                            job("light-next").tenant("light").at(20).runs(HOUR));
        }

        @Test
        void theTenantWithTheLowerDominantShareGoesFirstEvenIfItArrivedLater() {
            SimResult r = oneGpuFreedForTwoTenants(1).run();

            // at 1 s: heavy holds 2/4 GPUs (share 0.5), light 1/4 (0.25)
            assertThat(at(r, "gpus_light", 1_500)).as("light-next started").isEqualTo(2.0);
            assertThat(at(r, "gpus_heavy", 1_500)).isEqualTo(2.0);
        }

        @Test
        void aTenantsWeightDividesItsShare() {
            SimResult r = oneGpuFreedForTwoTenants(4).run();

            // at 1 s: heavy 0.5 / 4 = 0.125 < light 0.25
            assertThat(at(r, "gpus_heavy", 1_500)).as("heavy-next started").isEqualTo(3.0);
            assertThat(at(r, "gpus_light", 1_500)).isEqualTo(1.0);
        }
    }

    @Nested
    class Backfill {
        /**
         * 4 GPUs; "filler" holds 3 until 10 s; "head" (4 GPUs, latency-sensitive) is blocked from
         * 100 ms; "small" (1 GPU, best-effort) arrives at {@code smallAt}.
         */
        private SimScenario blockedHead(long smallAt) {
            return fleet(node("n0", 4))
                    .jobs(job("filler").gpus(3).at(0).runs(10_000),
                            job("head").gpus(4).cls(LATENCY_SENSITIVE).at(100).runs(1_000),
                            job("small").gpus(1).cls(BEST_EFFORT).at(smallAt).runs(500));
        }

        @Test
        void aSmallerJobStartsBehindAHeadBlockedForNoLongerThanTheBound() {
            SimResult r = blockedHead(1_100).backfill(1_000).run();

            assertThat(waits(r, BEST_EFFORT)).as("head blocked 1000 ms <= bound").containsExactly(0L);
            assertThat(waits(r, LATENCY_SENSITIVE)).containsExactly(9_900L);
        }

        @Test
        void aHeadBlockedLongerThanTheBoundHoldsTheQueue() {
            SimResult r = blockedHead(1_101).backfill(1_000).run();

            // head runs 10000..11000, then small
            assertThat(waits(r, BEST_EFFORT)).as("head blocked 1001 ms > bound").containsExactly(11_000L - 1_101L);
        }

        @Test
        void withoutBackfillTheHeadHoldsTheQueue() {
            SimResult r = blockedHead(200).run();

            assertThat(waits(r, BEST_EFFORT)).containsExactly(11_000L - 200L);
        }
    }

    @Nested
    class Rejection {
        @Test
        void aJobThatCanNeverFitIsRejectedOnArrival() {
            SimResult r = fleet(node("n0", 2)).sampleEvery(100)
                    .tenant("open", 0, -1, 1).tenant("capped", 0, 1, 1)
                    .jobs(job("too-wide").gpus(4).at(0),
                            job("gang-too-big").gpus(1).gang(3).at(0),
                            job("too-hungry").gpus(1).cpu(128_000).at(0),
                            job("over-max").tenant("capped").gpus(2).at(0),
                            job("fits").gpus(1).at(0))
                    .run();

            assertThat(r.tasksArrived()).isEqualTo(7);
            assertThat(r.tasksRejected()).isEqualTo(6);
            assertThat(r.tasksTimedOut()).isZero();
            assertThat(r.tasksCompleted()).isEqualTo(1);
            assertThat(peak(r, "tasks_queued")).as("none of them ever queued").isZero();
        }

        @Test
        void aJobWaitingLongerThanMaxWaitIsRejectedAsTimedOut() {
            SimResult r = fleet(node("n0", 2)).sampleEvery(100).maxWait(1_000)
                    .jobs(job("filler").gpus(1).at(0).runs(10_000),
                            job("wide").gpus(2).at(100).runs(1_000))
                    .run();

            assertThat(at(r, "tasks_queued", 1_000)).isEqualTo(1);
            assertThat(at(r, "tasks_queued", 1_100)).as("timed out at 100 + 1000").isZero();
            assertThat(r.tasksRejected()).isEqualTo(1);
            assertThat(r.tasksTimedOut()).isEqualTo(1);
            assertThat(waits(r, BURSTABLE)).as("wide never started").containsExactly(0L);
        }

        @Test
        void aHeadThatTimesOutStopsHoldingTheQueue() {
            // "wide" blocks the queue from 100; "small" behind it fits but waits (no backfill) until
            // wide times out at 1100
            SimResult r = fleet(node("n0", 2)).maxWait(1_000)
                    .jobs(job("filler").gpus(1).at(0).runs(10_000),
                            job("wide").gpus(2).at(100).runs(1_000),
                            job("small").gpus(1).cls(BEST_EFFORT).at(200).runs(1_000))
                    .run();

            assertThat(r.tasksTimedOut()).isEqualTo(1);
            assertThat(waits(r, BEST_EFFORT)).as("small starts when wide leaves the queue").containsExactly(900L);
        }
    }

    @Nested
    class Outages {
        @Test
        void anOutageEvictsAndRequeuesTheNodesJobsAndTheNodeComesBack() {
            // "big" (2 GPUs) can only run on n0
            SimResult r = fleet(node("n0", 2), node("n1", 1)).sampleEvery(QUARTER)
                    .jobs(job("big").gpus(2).at(0).runs(2 * HOUR))
                    .outage("n0 down", 2 * QUARTER, HOUR, "n0")
                    .run();

            assertThat(r.outageEvictions()).isEqualTo(1);
            assertThat(r.gpuHoursLostOutage()).as("0.5 h x 2 GPUs").isCloseTo(1.0, within(1e-12));
            assertThat(at(r, "gpus_available", HOUR)).isEqualTo(1.0);
            assertThat(at(r, "tasks_queued", HOUR)).isEqualTo(1);
            assertThat(at(r, "gpus_available", 6 * QUARTER)).as("n0 back at 1.5 h").isEqualTo(3.0);
            assertThat(at(r, "tasks_running", 6 * QUARTER)).as("big restarted").isEqualTo(1);
            assertThat(at(r, "tasks_running", 13 * QUARTER)).isEqualTo(1);
            assertThat(at(r, "tasks_running", 14 * QUARTER)).as("2 h from the restart").isZero();
            assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("n0 down", "1 tasks evicted"));
        }

        @Test
        void aSiteOutageMovesItsJobsToTheOtherSite() {
            SimResult r = sites().sampleEvery(QUARTER)
                    .site("east", node("n0", 1), node("n1", 1))
                    .site("west", node("n2", 1), node("n3", 1))
                    .jobs(job("j1").at(0).runs(3 * HOUR), job("j2").at(0).runs(3 * HOUR))
                    .siteOutage("east", HOUR, HOUR)
                    .run();

            assertThat(r.outageEvictions()).isEqualTo(2);
            assertThat(r.gpuHoursLostOutage()).as("2 jobs x 1 h x 1 GPU").isCloseTo(2.0, within(1e-12));
            assertThat(at(r, "gpus_available", 5 * QUARTER)).isEqualTo(2.0);
            assertThat(at(r, "tasks_running", 5 * QUARTER)).as("restarted in west at 1 h").isEqualTo(2);
            assertThat(at(r, "tasks_running", 13 * QUARTER)).as("the first runs' ends at 3 h are void").isEqualTo(2);
            assertThat(at(r, "tasks_running", 16 * QUARTER)).isZero();
            assertThat(at(r, "gpus_available", 8 * QUARTER)).isEqualTo(4.0);
        }
    }

    @Test
    void twoRunsWithTheSameSeedGiveTheSameResultsButForWallClock() {
        SimScenario s = sites().policy("Random").seed(7).sampleEvery(QUARTER).preemption().backfill(HOUR).maxWait(4 * HOUR)
                .site("east", node("n0", 4), node("n1", 2))
                .site("west", node("n2", 8), node("n3", 0))
                .tenant("a", 2, 6, 1).tenant("b", 0, -1, 2)
                .jobs(job("g").tenant("a").gang(4).at(0).runs(2 * HOUR),
                        job("s1").tenant("b").slice(300).cls(BEST_EFFORT).at(QUARTER).runs(3 * HOUR),
                        job("s2").tenant("b").slice(700).cls(BEST_EFFORT).at(QUARTER).runs(3 * HOUR),
                        job("w").tenant("b").gpus(4).at(HOUR).runs(HOUR),
                        job("c").tenant("a").cpuOnly().cpu(8_000).at(HOUR).runs(5 * HOUR),
                        job("ls").tenant("a").gpus(2).cls(LATENCY_SENSITIVE).at(2 * HOUR).runs(HOUR))
                .outage("n2 down", 3 * HOUR, HOUR, "n2");

        SimResult first = s.run();
        SimResult second = s.run();

        assertThat(first.columns()).isEqualTo(second.columns());
        assertThat(Arrays.deepEquals(first.series(), second.series())).as("identical time series").isTrue();
        assertThat(Arrays.deepEquals(first.waitsMs(), second.waitsMs())).isTrue();
        assertThat(first.notes()).isEqualTo(second.notes());
        assertThat(withoutWallClock(first.summary())).isEqualTo(withoutWallClock(second.summary()));
        assertThat(first.tasksArrived()).as("the scenario did something").isEqualTo(9);
    }

    private static Map<String, Object> withoutWallClock(Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>(summary);
        m.remove("wall_seconds");
        m.remove("events_per_second");
        return m;
    }
}
