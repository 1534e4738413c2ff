package io.archipelago.core.policy;

/** Normalisers of the FGD study's baselines: the largest node of the openb fleet. */
final class Normalisers {
    /** 128 cores. */
    static final double MAX_CPU = 128_000;
    /** 8 GPUs. */
    static final int MAX_GPU = 8_000;

    private Normalisers() {
    }

    static int clamp(int score) {
        return Math.max(0, Math.min(100, score));
    }
}
