package io.archipelago.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class LineChartTest {

    private static final String[] POLICIES = {"FGD", "BestFit", "DotProd", "GpuPacking", "GpuClustering", "Random"};

    @TempDir
    Path tmp;

    /** Study-like curves: y ~ x until a knee, then flat at a policy-specific level; 6 solid + 6 dashed references. */
    private static List<Series> studySeries() {
        List<Series> ours = new ArrayList<>();
        List<Series> refs = new ArrayList<>();
        for (int p = 0; p < POLICIES.length; p++) {
            double sat = 95 - 2.2 * p;
            double k = 10 + 2 * p;
            double[] x = new double[131];
            double[] y = new double[131];
            double[] yr = new double[131];
            for (int i = 0; i <= 130; i++) {
                x[i] = i;
                y[i] = i == 0 ? 0 : Math.pow(Math.pow(i, -k) + Math.pow(sat, -k), -1.0 / k);
                double sr = sat + (p % 2 == 0 ? 1.0 : -1.0);
                yr[i] = i == 0 ? 0 : Math.pow(Math.pow(i, -k) + Math.pow(sr, -k), -1.0 / k);
            }
            ours.add(new Series(POLICIES[p], x, y, false));
            refs.add(new Series(POLICIES[p] + " (paper)", x, yr, true).withColor(p));
        }
        List<Series> all = new ArrayList<>(ours);
        all.addAll(refs);
        return all;
    }

    private static LineChart studyChart(String title) {
        return LineChart.builder()
                .title(title)
                .subtitle("6 policies; dashed = published reference")
                .xLabel("Arrived workload (% of cluster GPU capacity)")
                .yLabel("GPU allocation ratio (%)")
                .xRange(0, 130)
                .yRange(0, 100)
                .series(studySeries())
                .build();
    }

    /** Six well separated, slightly rising lines, each with a dashed twin 5 units above it in the same colour. */
    private static List<Series> separatedSeries() {
        List<Series> solid = new ArrayList<>();
        List<Series> dashed = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            double[] x = new double[50];
            double[] y = new double[50];
            double[] y2 = new double[50];
            for (int i = 0; i < 50; i++) {
                x[i] = i * 2;
                y[i] = 5 + 15 * p + i * 0.05;
                y2[i] = y[i] + 5;
            }
            solid.add(new Series("s" + p, x, y, false));
            dashed.add(new Series("d" + p, x, y2, true).withColor(p));
        }
        List<Series> all = new ArrayList<>(solid);
        all.addAll(dashed);
        return all;
    }

    private static int countNear(BufferedImage img, Rectangle2D area, Color c, int tol) {
        int n = 0;
        int x0 = (int) Math.ceil(area.getX()) + 1;
        int x1 = (int) Math.floor(area.getMaxX()) - 1;
        int y0 = (int) Math.ceil(area.getY()) + 1;
        int y1 = (int) Math.floor(area.getMaxY()) - 1;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.abs(r - c.getRed()) <= tol && Math.abs(g - c.getGreen()) <= tol
                        && Math.abs(b - c.getBlue()) <= tol) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ PNG

    @Test
    void pngHasRequestedSizeAndEverySeriesColourInsideThePlot() throws IOException {
        LineChart chart = LineChart.builder()
                .title("separated")
                .xLabel("x")
                .yLabel("y")
                .size(900, 560)
                .legend(LineChart.LegendPosition.NONE)
                .series(separatedSeries())
                .build();
        Path file = tmp.resolve("sub/dir/chart.png");
        chart.writePng(file);

        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(560);

        Rectangle2D plot = chart.plotArea();
        for (int i = 0; i < 6; i++) {
            Color c = chart.colorOf(i);
            assertThat(chart.colorOf(i + 6)).as("dashed twin shares the colour").isEqualTo(c);
            assertThat(countNear(img, plot, c, 12)).as("pixels of series %d colour %s", i, c).isGreaterThan(300);
        }
        // the palette colours that are not used do not show up
        assertThat(countNear(img, plot, LineChart.PALETTE.get(7), 6)).isZero();

        int nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    nonWhite++;
                }
            }
        }
        assertThat(nonWhite).isGreaterThan(img.getWidth() * img.getHeight() / 100);
    }

    @Test
    void defaultSizeAndLegendColoursForTheStudyChart() throws IOException {
        LineChart chart = studyChart("study");
        Path file = tmp.resolve("study.png");
        chart.writePng(file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img.getWidth()).isEqualTo(LineChart.DEFAULT_WIDTH);
        assertThat(img.getHeight()).isEqualTo(LineChart.DEFAULT_HEIGHT);
        assertThat(chart.ranges()).containsExactly(0, 130, 0, 100);
        // rising curves leave the bottom-right corner free
        assertThat(chart.legendPosition()).isEqualTo(LineChart.LegendPosition.BOTTOM_RIGHT);
        Rectangle2D whole = new Rectangle2D.Double(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < 6; i++) {
            assertThat(countNear(img, whole, chart.colorOf(i), 10)).as("series %d", i).isGreaterThan(50);
        }
    }

    @Test
    void legendMovesAwayFromCurvesAndOutsideWhenEveryCornerIsTaken() {
        // falling lines occupy top-left and bottom-right: the legend must go to top-right
        double[] x = {0, 100};
        LineChart falling = LineChart.builder()
                .series(new Series("a", x, new double[] {100, 0}, false),
                        new Series("b", x, new double[] {90, 5}, false))
                .build();
        assertThat(falling.legendPosition()).isEqualTo(LineChart.LegendPosition.TOP_RIGHT);

        // a cross through all four corners: outside, and the plot gets narrower
        LineChart cross = LineChart.builder()
                .series(new Series("up", x, new double[] {0, 100}, false),
                        new Series("down", x, new double[] {100, 0}, false))
                .build();
        assertThat(cross.legendPosition()).isEqualTo(LineChart.LegendPosition.RIGHT);
        assertThat(cross.plotArea().getMaxX()).isLessThan(falling.plotArea().getMaxX() - 50);

        LineChart none = LineChart.builder().legend(LineChart.LegendPosition.NONE)
                .series(new Series("up", x, new double[] {0, 100}, false)).build();
        assertThat(none.legendPosition()).isEqualTo(LineChart.LegendPosition.NONE);
        assertThat(none.svg()).doesNotContain("class=\"legend\"");
    }

    // ------------------------------------------------------------------------------------------------ SVG

    @Test
    void svgHasOnePathPerSeriesAndEscapedLabels() throws Exception {
        List<Series> s = new ArrayList<>(studySeries());
        s.add(new Series("<b>Mine & \"yours\"</b>", new double[] {0, 50}, new double[] {10, 20}, false));
        LineChart chart = LineChart.builder()
                .title("A < B & C")
                .xLabel("x > 0")
                .yLabel("it's y")
                .xRange(0, 130)
                .yRange(0, 100)
                .series(s)
                .build();
        String svg = chart.svg();

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>");
        assertThat(count(svg, "<path")).isEqualTo(s.size());
        assertThat(count(svg, "stroke-dasharray")).as("dashed paths + dashed legend swatches").isEqualTo(2 * 6);
        assertThat(svg).contains("&lt;b&gt;Mine &amp; &quot;yours&quot;&lt;/b&gt;")
                .contains("A &lt; B &amp; C")
                .contains("x &gt; 0")
                .contains("it&#39;s y")
                .doesNotContain("<b>")
                .doesNotContain("Mine & ");
        for (String p : POLICIES) {
            assertThat(svg).contains(">" + p + "<").contains(">" + p + " (paper)<");
        }
        for (int i = 0; i < 6; i++) {
            Color c = chart.colorOf(i);
            String hex = String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
            assertThat(count(svg, "stroke=\"" + hex + "\"")).as("series %d and its reference", i)
                    .isGreaterThanOrEqualTo(4);
        }

        // well-formed XML with one path element per series
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList paths = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path");
        assertThat(paths.getLength()).isEqualTo(s.size());
        Set<String> titles = new HashSet<>();
        for (int i = 0; i < paths.getLength(); i++) {
            titles.add(paths.item(i).getTextContent());
        }
        assertThat(titles).contains("<b>Mine & \"yours\"</b>", "FGD", "Random (paper)");
    }

    @Test
    void nanValuesAreGapsAndNumbersAreLocaleIndependent() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            LineChart chart = LineChart.builder()
                    .series(new Series("gappy", new double[] {0, 1, 2, 3, 4, 5},
                            new double[] {0.5, 1.5, Double.NaN, 2.25, 3, Double.NaN}, false))
                    .legend(LineChart.LegendPosition.NONE)
                    .build();
            String svg = chart.svg();
            Matcher m = Pattern.compile(" d=\"([^\"]*)\"").matcher(svg);
            assertThat(m.find()).isTrue();
            String d = m.group(1);
            assertThat(count(d, "M")).isEqualTo(2);
            assertThat(count(d, "L")).isEqualTo(2);
            assertThat(d).doesNotContain(",").doesNotContain("NaN");
            // auto range rounded outward to ticks
            assertThat(chart.ranges()[2]).isLessThanOrEqualTo(0.5);
            assertThat(chart.ranges()[3]).isGreaterThanOrEqualTo(3);
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void autoRangeRoundsToNiceTicks() {
        double[] x = new double[131];
        double[] y = new double[131];
        for (int i = 0; i <= 130; i++) {
            x[i] = i;
            y[i] = Math.min(i, 93.7) + 2;
        }
        LineChart chart = LineChart.builder().series(new Series("a", x, y, false)).build();
        assertThat(chart.ranges()).containsExactly(0, 130, 0, 100);
        assertThat(chart.svg()).contains(">130</text>").contains(">100</text>").contains(">50</text>");
    }

    @Test
    void numberFormatting() {
        assertThat(LineChart.num(0)).isEqualTo("0");
        assertThat(LineChart.num(-0.001)).isEqualTo("0");
        assertThat(LineChart.num(12.5)).isEqualTo("12.5");
        assertThat(LineChart.num(12.05)).isEqualTo("12.05");
        assertThat(LineChart.num(-3.456)).isEqualTo("-3.46");
        assertThat(LineChart.formatTick(0.30000000000000004, 1)).isEqualTo("0.3");
        assertThat(LineChart.formatTick(-0.0, 0)).isEqualTo("0");
        assertThat(LineChart.niceStep(13)).isEqualTo(10);
        assertThat(LineChart.niceStep(0.23)).isEqualTo(0.2);
    }

    // ------------------------------------------------------------------------------------------------ HTML

    @Test
    void htmlHoldsAllChartsAndTablesAndNoExternalReferences() throws IOException {
        List<LineChart> charts = List.of(studyChart("Default trace"), studyChart("Multi-GPU 20%"),
                studyChart("Sharing <40%> & more"));
        String t1 = LineChart.htmlTable("Default trace", List.of("Policy", "Alloc @100%"),
                List.of(List.of("FGD", "93.1"), List.of("BestFit <x>", "88.0")));
        String t3 = "<table id=\"third\"><tr><td>3</td></tr></table>";
        Path file = tmp.resolve("report.html");
        LineChart.writeHtml(file, "FGD study: \"placement\" & fragmentation", charts, java.util.Arrays.asList(t1, null, t3));

        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(count(html, "<svg")).isEqualTo(3);
        assertThat(count(html, "</svg>")).isEqualTo(3);
        assertThat(count(html, "<path")).isEqualTo(3 * 12);
        assertThat(html).contains("Default trace").contains("Multi-GPU 20%").contains("Sharing &lt;40%&gt; &amp; more");
        assertThat(html).contains("<title>FGD study: &quot;placement&quot; &amp; fragmentation</title>");
        assertThat(html).contains(t1).contains(t3).contains("BestFit &lt;x&gt;");
        assertThat(html.indexOf(t1)).isLessThan(html.indexOf("Multi-GPU 20%"));
        assertThat(html.toLowerCase(Locale.ROOT)).doesNotContain("http://").doesNotContain("https://")
                .doesNotContain("<script").doesNotContain("<link");

        assertThat(LineChart.html("p", charts, null, false)).doesNotContain("<table");
    }

    @Test
    void htmlCanEmbedThePngAsDataUri() throws IOException {
        LineChart chart = studyChart("embedded");
        String html = LineChart.html("p", List.of(chart), null, true);
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(html);
        assertThat(m.find()).isTrue();
        byte[] png = Base64.getDecoder().decode(m.group(1));
        assertThat(png).isEqualTo(chart.pngBytes());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(html.toLowerCase(Locale.ROOT)).doesNotContain("http://").doesNotContain("https://");
    }

    // ------------------------------------------------------------------------------------------------ determinism

    @Test
    void outputIsByteForByteDeterministic() throws IOException {
        Path a = tmp.resolve("a.png");
        Path b = tmp.resolve("b.png");
        studyChart("same").writePng(a);
        studyChart("same").writePng(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));

        assertThat(studyChart("same").svg()).isEqualTo(studyChart("same").svg());

        Path h1 = tmp.resolve("a.html");
        Path h2 = tmp.resolve("b.html");
        LineChart.writeHtml(h1, "t", List.of(studyChart("x"), studyChart("y")), List.of("<p>1</p>", "<p>2</p>"));
        LineChart.writeHtml(h2, "t", List.of(studyChart("x"), studyChart("y")), List.of("<p>1</p>", "<p>2</p>"));
        assertThat(Files.readAllBytes(h1)).isEqualTo(Files.readAllBytes(h2));

        Path s1 = tmp.resolve("a.svg");
        studyChart("same").writeSvg(s1);
        assertThat(Files.readString(s1)).startsWith("<?xml").contains(studyChart("same").svg());
    }

    // ------------------------------------------------------------------------------------------------ colours

    @Test
    void paletteIsFixedDistinctAndAssignedInSeriesOrder() {
        assertThat(LineChart.PALETTE).hasSizeGreaterThanOrEqualTo(8).doesNotHaveDuplicates();
        List<Series> s = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            s.add(new Series("s" + i, new double[] {0, 1}, new double[] {i, i + 1}, i % 2 == 1));
        }
        LineChart chart = LineChart.builder().series(s).build();
        for (int i = 0; i < 12; i++) {
            assertThat(chart.colorOf(i)).isEqualTo(LineChart.PALETTE.get(i % LineChart.PALETTE.size()));
        }
        LineChart study = studyChart("c");
        for (int i = 0; i < 6; i++) {
            assertThat(study.colorOf(i)).isEqualTo(LineChart.PALETTE.get(i)).isEqualTo(study.colorOf(i + 6));
        }
    }

    @Test
    void seriesIsImmutableAndValueBased() {
        double[] x = {0, 1};
        double[] y = {2, 3};
        Series s = new Series("a", x, y, false);
        x[0] = 99;
        s.y()[0] = 99;
        assertThat(s.x()).containsExactly(0, 1);
        assertThat(s.y()).containsExactly(2, 3);
        assertThat(s).isEqualTo(new Series("a", new double[] {0, 1}, new double[] {2, 3}, false));
        assertThat(s.withColor(3).colorIndex()).isEqualTo(3);
        assertThat(s.colorIndex()).isEqualTo(Series.AUTO_COLOR);
        assertThat(s.withDashed(true).dashed()).isTrue();
    }

    // ------------------------------------------------------------------------------------------------ validation

    @Test
    void invalidInputIsRejectedWithANamedCause() {
        assertThatThrownBy(() -> new Series("BestFit", new double[] {1, 2, 3}, new double[] {1, 2}, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BestFit").hasMessageContaining("3").hasMessageContaining("2");
        assertThatThrownBy(() -> new Series("FGD", new double[] {0, Double.NaN}, new double[] {1, 2}, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FGD").hasMessageContaining("x[1]").hasMessageContaining("NaN");
        assertThatThrownBy(() -> new Series("DotProd", new double[] {0, 1}, new double[] {1, Double.POSITIVE_INFINITY},
                false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DotProd").hasMessageContaining("y[1]").hasMessageContaining("Infinity");
        assertThatThrownBy(() -> new Series("n", null, new double[0], false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'n'");
        assertThatThrownBy(() -> new Series("neg", new double[0], new double[0], false).withColor(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neg");

        assertThatThrownBy(() -> LineChart.builder().title("t").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> LineChart.builder().xRange(Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("xRange").hasMessageContaining("NaN");
        assertThatThrownBy(() -> LineChart.builder().yRange(0, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yRange")
                .hasMessageContaining("Infinity");
        assertThatThrownBy(() -> LineChart.builder().yRange(5, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5.0");
        assertThatThrownBy(() -> LineChart.builder().width(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10");
        assertThatThrownBy(() -> LineChart.builder().series((Series) null))
                .isInstanceOf(RuntimeException.class);

        LineChart ok = studyChart("ok");
        assertThatThrownBy(() -> LineChart.writeHtml(tmp.resolve("x.html"), "t", List.of(ok), List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2").hasMessageContaining("1");
        assertThatThrownBy(() -> LineChart.writeHtml(tmp.resolve("x.html"), "t", List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void degenerateButValidDataStillRenders() {
        LineChart allNan = LineChart.builder()
                .series(new Series("nothing", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN}, false),
                        new Series("empty", new double[0], new double[0], true),
                        new Series("point", new double[] {3}, new double[] {7}, false))
                .build();
        assertThat(allNan.pngBytes()).isNotEmpty();
        assertThat(count(allNan.svg(), "<path")).isEqualTo(3);

        LineChart constant = LineChart.builder().size(400, 300)
                .series(new Series("flat", new double[] {5, 5}, new double[] {2, 2}, false)).build();
        double[] r = constant.ranges();
        assertThat(r[0]).isLessThan(5);
        assertThat(r[1]).isGreaterThan(5);
        assertThat(r[2]).isLessThan(2);
        assertThat(r[3]).isGreaterThan(2);
        assertThat(constant.render().getWidth()).isEqualTo(400);
    }
}
