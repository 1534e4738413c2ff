package io.archipelago.sim.report;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stacked bars: segments drawn in palette order at the right lengths, reference lines, clear errors. */
class StackedBarChartTest {
    private static StackedBarChart chart() {
        return new StackedBarChart("t", "s", "x", List.of("FGD", "WasteAware"), List.of("floor", "above"),
                new double[][] {{3.7, 1.2}, {3.7, 0.5}}, List.of(new StackedBarChart.Reference("goal", 3.43)));
    }

    private static Color at(BufferedImage img, double x, double y) {
        return new Color(img.getRGB((int) Math.round(x), (int) Math.round(y)));
    }

    @Test
    void eachSegmentIsDrawnInItsPaletteColourOverItsLength() {
        StackedBarChart c = chart();
        BufferedImage img = c.render();
        assertThat(img.getHeight()).isEqualTo(c.height());
        // FGD: floor from 0 to 3.7, above from 3.7 to 4.9
        assertThat(at(img, c.px(1.0), c.py(0))).isEqualTo(LineChart.PALETTE.get(0));
        assertThat(at(img, c.px(4.3), c.py(0))).isEqualTo(LineChart.PALETTE.get(1));
        // WasteAware's bar ends at 4.2, so 4.5 is background there but still bar for FGD
        assertThat(at(img, c.px(4.5), c.py(1))).isEqualTo(Color.WHITE);
        assertThat(at(img, c.px(4.5), c.py(0))).isEqualTo(LineChart.PALETTE.get(1));
    }

    @Test
    void aReferenceLineCrossesTheGapsBetweenBars() {
        StackedBarChart c = chart();
        BufferedImage img = c.render();
        double gapY = (c.py(0) + c.py(1)) / 2;
        int dark = 0;
        for (int dy = -6; dy <= 6; dy++) { // the gap between the bars is 13 px; the dash is 6 on, 5 off
            if (at(img, c.px(3.43), gapY + dy).getRed() < 120) {
                dark++;
            }
        }
        assertThat(dark).isGreaterThan(0);
        assertThat(at(img, c.px(3.43) + 8, gapY)).isEqualTo(Color.WHITE);
    }

    @Test
    void theSameInputGivesTheSameBytes() {
        assertThat(chart().pngBytes()).isEqualTo(chart().pngBytes());
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        assertThatThrownBy(() -> new StackedBarChart("t", "s", "x", List.of("A"), List.of("floor", "above"),
                new double[][] {{1.0, -0.5}}, List.of()))
                .hasMessageContaining("'A'").hasMessageContaining("'above'").hasMessageContaining("-0.5");
        assertThatThrownBy(() -> new StackedBarChart("t", "s", "x", List.of("A", "B"), List.of("floor"),
                new double[][] {{1.0}}, List.of()))
                .hasMessageContaining("1 rows").hasMessageContaining("2 categories");
        assertThatThrownBy(() -> new StackedBarChart("t", "s", "x", List.of("A"), List.of("floor"),
                new double[][] {{1.0}}, List.of(new StackedBarChart.Reference("goal", Double.NaN))))
                .hasMessageContaining("'goal'").hasMessageContaining("NaN");
    }
}
