package io.archipelago.sim.engine;

import java.util.Arrays;

/** A growable list of primitive doubles. */
final class DoubleList {
    private double[] a = new double[256];
    private int n;

    void add(double v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = v;
    }

    int size() {
        return n;
    }

    double get(int i) {
        return a[i];
    }

    double[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
