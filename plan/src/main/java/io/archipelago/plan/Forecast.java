package io.archipelago.plan;

import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The demand forecast: mean busy GPUs per (origin region, job class) and quarter, from the plan's demand
 * lines, and the fit of those lines from a monthly demand history.
 *
 * <p>A history is a CSV with the header {@code month,region,class,gpus}: one row per month
 * ({@code YYYY-MM}), origin region, job class and the mean busy GPUs of that month. Each (region, class)
 * is fitted on its own by least squares in log space, {@code log gpus = a + b·month + s[quarter]},
 * with a seasonal term per calendar quarter when the series covers at least 12 months (else none):
 * growth per year is {@code exp(12 b) − 1}, the seasonal factors are {@code exp(s)} scaled to a mean of
 * 1, and the first quarter's level is the trend at the middle month of the plan's first quarter.
 */
public final class Forecast {
    private Forecast() {
    }

    /**
     * Mean busy GPUs of every demand line in every quarter: {@code [line][quarter]}.
     */
    public static double[][] table(PlanSpec spec) {
        int firstCalendarQuarter = (spec.start().getMonthValue() - 1) / 3;
        double[][] d = new double[spec.demand().size()][spec.quarters()];
        for (int i = 0; i < d.length; i++) {
            for (int q = 0; q < spec.quarters(); q++) {
                d[i][q] = spec.demand().get(i).at(q, firstCalendarQuarter);
            }
        }
        return d;
    }

    /**
     * Fits demand lines from the monthly history in {@code file}.
     *
     * @throws IllegalArgumentException naming the file, the line, the field and the value when a row is bad,
     *                                  or the series when it is too short to fit (fewer than 6 months)
     */
    public static List<PlanSpec.DemandLine> fit(Path file, RegionalFleet fleet, Set<String> classes, LocalDate start) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read demand history " + file + ": " + e.getMessage()
                    + "; expected a CSV with the header month,region,class,gpus");
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals("month,region,class,gpus")) {
            throw new IllegalArgumentException(file + ", line 1: header '" + (lines.isEmpty() ? "" : lines.get(0).trim())
                    + "'; expected month,region,class,gpus");
        }
        List<String> regions = fleet.regions().stream().map(Region::id).toList();
        Map<String, TreeMap<YearMonth, Double>> series = new TreeMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String row = lines.get(i).trim();
            if (row.isEmpty()) {
                continue;
            }
            String[] f = row.split(",", -1);
            String at = file + ", line " + (i + 1);
            if (f.length != 4) {
                throw new IllegalArgumentException(at + ": " + f.length + " fields; expected 4 (month,region,class,gpus)");
            }
            YearMonth m;
            try {
                m = YearMonth.parse(f[0].trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(at + ", field month: value '" + f[0] + "': expected YYYY-MM");
            }
            String region = f[1].trim();
            if (!regions.contains(region)) {
                throw new IllegalArgumentException(at + ", field region: value '" + region + "': expected one of the fleet's regions: "
                        + String.join(", ", regions));
            }
            String cls = f[2].trim();
            if (!classes.contains(cls)) {
                throw new IllegalArgumentException(at + ", field class: value '" + cls + "': expected one of " + String.join(", ", classes));
            }
            double gpus;
            try {
                gpus = Double.parseDouble(f[3].trim());
            } catch (NumberFormatException e) {
                gpus = Double.NaN;
            }
            if (!(gpus > 0 && gpus <= 1e7)) {
                throw new IllegalArgumentException(at + ", field gpus: value '" + f[3].trim() + "': expected mean busy GPUs in (0, 1e7]");
            }
            if (series.computeIfAbsent(region + "\t" + cls, k -> new TreeMap<>()).put(m, gpus) != null) {
                throw new IllegalArgumentException(at + ": month " + m + " of " + region + "/" + cls + " is given twice");
            }
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException(file + ": no rows; expected monthly demand per region and class");
        }
        List<PlanSpec.DemandLine> out = new ArrayList<>();
        YearMonth mid = YearMonth.from(start).plusMonths(1);
        for (Map.Entry<String, TreeMap<YearMonth, Double>> e : series.entrySet()) {
            String[] k = e.getKey().split("\t");
            out.add(fitOne(file, k[0], k[1], e.getValue(), mid));
        }
        return out;
    }

    private static PlanSpec.DemandLine fitOne(Path file, String region, String cls, TreeMap<YearMonth, Double> s, YearMonth mid) {
        int n = s.size();
        if (n < 6) {
            throw new IllegalArgumentException(file + ": " + region + "/" + cls + " has " + n + " months; expected at least 6 to fit a trend");
        }
        YearMonth first = s.firstKey();
        boolean seasonal = ChronoUnit.MONTHS.between(first, s.lastKey()) + 1 >= 12;
        int p = seasonal ? 5 : 2;
        double[][] ata = new double[p][p];
        double[] aty = new double[p];
        double[] x = new double[p];
        double sumY = 0;
        double sumYY = 0;
        for (Map.Entry<YearMonth, Double> e : s.entrySet()) {
            fillRow(x, ChronoUnit.MONTHS.between(first, e.getKey()), e.getKey().getMonthValue(), seasonal);
            double y = Math.log(e.getValue());
            sumY += y;
            sumYY += y * y;
            for (int i = 0; i < p; i++) {
                aty[i] += x[i] * y;
                for (int j = 0; j < p; j++) {
                    ata[i][j] += x[i] * x[j];
                }
            }
        }
        double[] beta = solve(ata, aty);
        if (beta == null) {
            throw new IllegalArgumentException(file + ": " + region + "/" + cls + ": the months do not determine a trend"
                    + (seasonal ? " and a seasonal cycle; give at least one month in each calendar quarter" : ""));
        }
        double sse = 0;
        for (Map.Entry<YearMonth, Double> e : s.entrySet()) {
            fillRow(x, ChronoUnit.MONTHS.between(first, e.getKey()), e.getKey().getMonthValue(), seasonal);
            double fit = 0;
            for (int i = 0; i < p; i++) {
                fit += beta[i] * x[i];
            }
            double res = Math.log(e.getValue()) - fit;
            sse += res * res;
        }
        double sst = sumYY - sumY * sumY / n;
        double r2 = sst <= 1e-12 ? 1 : 1 - sse / sst;
        double[] factor = {1, 1, 1, 1};
        if (seasonal) {
            for (int q = 1; q < 4; q++) {
                factor[q] = Math.exp(beta[1 + q]);
            }
        }
        double mean = (factor[0] + factor[1] + factor[2] + factor[3]) / 4;
        for (int q = 0; q < 4; q++) {
            factor[q] /= mean;
        }
        long t = ChronoUnit.MONTHS.between(first, mid);
        double level = Math.exp(beta[0] + beta[1] * t) * mean;
        double growth = Math.exp(12 * beta[1]) - 1;
        String source = String.format(Locale.ROOT, "fitted from %s: %d months %s to %s, R² %.3f%s", file.getFileName(), n, first,
                s.lastKey(), r2, seasonal ? "" : ", no seasonality (less than 12 months)");
        return new PlanSpec.DemandLine(region, cls, round(level, 3), round(growth, 6), new double[] {round(factor[0], 6),
                round(factor[1], 6), round(factor[2], 6), round(factor[3], 6)}, source);
    }

    private static void fillRow(double[] x, long month, int monthOfYear, boolean seasonal) {
        x[0] = 1;
        x[1] = month;
        if (seasonal) {
            int q = (monthOfYear - 1) / 3;
            x[2] = q == 1 ? 1 : 0;
            x[3] = q == 2 ? 1 : 0;
            x[4] = q == 3 ? 1 : 0;
        }
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Gaussian elimination with partial pivoting; null when singular. */
    static double[] solve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int i = c + 1; i < n; i++) {
                if (Math.abs(a[i][c]) > Math.abs(a[piv][c])) {
                    piv = i;
                }
            }
            if (Math.abs(a[piv][c]) < 1e-9) {
                return null;
            }
            double[] tr = a[c];
            a[c] = a[piv];
            a[piv] = tr;
            double tb = b[c];
            b[c] = b[piv];
            b[piv] = tb;
            for (int i = c + 1; i < n; i++) {
                double f = a[i][c] / a[c][c];
                for (int j = c; j < n; j++) {
                    a[i][j] -= f * a[c][j];
                }
                b[i] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int j = i + 1; j < n; j++) {
                s -= a[i][j] * x[j];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
