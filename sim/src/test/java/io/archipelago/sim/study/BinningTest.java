package io.archipelago.sim.study;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BinningTest {
    @Test
    void eachBinIsTheMeanOfItsEvents() {
        Binning b = new Binning(4);
        b.add(1, 2.0);
        b.add(1, 4.0);
        b.add(3, 10.0);
        double[] m = b.means();
        assertThat(m[1]).isEqualTo(3.0);
        assertThat(m[3]).isEqualTo(10.0);
    }

    @Test
    void anEmptyBinTakesTheMeanOfItsNeighbours() {
        Binning b = new Binning(4);
        b.add(1, 2.0);
        b.add(1, 4.0);
        b.add(3, 9.0);
        assertThat(b.means()[2]).isEqualTo((2.0 + 4.0 + 9.0) / 3);
        assertThat(b.means()[0]).isEqualTo(3.0);
    }

    @Test
    void binsWithNoEventNearbyAreNaNAndOutOfRangeEventsAreIgnored() {
        Binning b = new Binning(10);
        b.add(0, 1.0);
        b.add(11, 5.0);
        b.add(-1, 5.0);
        assertThat(b.means()[5]).isNaN();
        assertThat(b.means()[10]).isNaN();
    }

    @Test
    void roundingFollowsPython() {
        assertThat(Binning.roundHalfEven(0.5)).isZero();
        assertThat(Binning.roundHalfEven(1.5)).isEqualTo(2);
        assertThat(Binning.roundHalfEven(2.5)).isEqualTo(2);
        assertThat(Binning.roundHalfEven(2.5000001)).isEqualTo(3);
        // 2.675 is 2.67499999... in binary, so Python's round(2.675, 2) is 2.67
        assertThat(Binning.round2(2.675)).isEqualTo(2.67);
        assertThat(Binning.round2(0.125)).isEqualTo(0.12);
        assertThat(Binning.round2(95.3049)).isEqualTo(95.3);
    }
}
